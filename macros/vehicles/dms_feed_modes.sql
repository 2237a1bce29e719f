{#
    A track's feed_mode (docs/track_files.md) says what one feed of its DMS means:
    snapshot (the default): the feed lists the whole stock of its corporate, absence means removed;
    events: the feed adds or updates the ads it holds, and its delete records end ads; absence means nothing.
    Known at compile time from the track files, so each model compiles a branch per mode.
#}

{# The sources (DMS names, upper case) whose track says feed_mode: events. #}
{% macro dms_event_sources() -%}
    {%- set sources = [] -%}
    {%- for name in dms_track_names() -%}
        {%- set track = dms_track(name) -%}
        {%- if (track.feed_mode or 'snapshot') == 'events' -%}
            {%- do sources.append((track.dms or name) | upper) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(sources) }}
{%- endmacro %}

{#
    A predicate on a source column: true for the sources of `feed_mode` ('events', or 'snapshot': every
    source not in events mode, including sources without a track file).
#}
{% macro dms_feed_mode_is(column, feed_mode) -%}
    {%- if feed_mode not in ('snapshot', 'events') -%}
        {{ exceptions.raise_compiler_error("dms_feed_mode_is: feed_mode is 'snapshot' or 'events', not " ~ feed_mode) }}
    {%- endif -%}
    {%- set sources = dms_event_sources() -%}
    {%- if sources | length == 0 -%}
        {{ 'false' if feed_mode == 'events' else 'true' }}
    {%- else -%}
        {{ column }} {{ 'in' if feed_mode == 'events' else 'not in' }} (
        {%- for source in sources -%}
            '{{ source | replace("'", "''") }}'{{ ", " if not loop.last }}
        {%- endfor -%}
        )
    {%- endif -%}
{%- endmacro %}
