{#
    feed_health_as_of(): the instant feed health is checked at, as a SQL timestamp with time zone.
    The var feed_health_as_of when set (a time like "2026-11-24 06:00:00+00" or "2026-11-24T06:00Z"; a
    time without an offset is UTC, a bare date is its midnight UTC), so a test or an operator gets the
    same result on every run; else when this dbt invocation started (run_started_at, UTC), the same
    instant for every model of the build. A value of another shape fails the build with a sentence.
    Under the SQL linter (sqlfluff) var() returns the placeholder 'item': the default applies.
#}
{% macro feed_health_as_of() -%}
    {%- set configured = var('feed_health_as_of', none) -%}
    {%- if configured is none or configured | string | trim in ('', 'item', 'None') -%}
        {%- if run_started_at is defined and run_started_at is not none -%}
            {{ return("cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "+00' as timestamp with time zone)") }}
        {%- endif -%}
        {#- no run_started_at (the SQL linter renders without dbt): the warehouse's clock -#}
        {%- set now = dbt.current_timestamp() if dbt is defined else 'current_timestamp' -%}
        {{ return('cast(' ~ now ~ ' as timestamp with time zone)') }}
    {%- endif -%}
    {%- set text = configured | string | trim -%}
    {%- set shape = modules.re.match(
        '^(\\d{4}-\\d{2}-\\d{2})(?:[ T](\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,6})?)?))?\\s*(Z|[+-]\\d{2}(?::?\\d{2})?)?$',
        text,
    ) -%}
    {%- if shape is none -%}
        {{ exceptions.raise_compiler_error(
            "var feed_health_as_of must be a time like '2026-11-24 06:00:00+00' (or a date, read as its "
            ~ "midnight UTC); got " ~ text
        ) }}
    {%- endif -%}
    {%- set day, time, offset = shape.groups() -%}
    {%- set offset = '+00' if offset is none or offset == 'Z' else offset -%}
    {{ return("cast('" ~ day ~ " " ~ (time or '00:00:00') ~ offset ~ "' as timestamp with time zone)") }}
{%- endmacro %}

{#
    feed_hours_text(hours_expression): a number of hours for a sentence, one decimal at most and none
    when whole (36 -> '36 h', 1.5 -> '1.5 h', 96.42 -> '96.4 h'), the same text on every warehouse.
#}
{% macro feed_hours_text(hours_expression) -%}
    {%- set text = 'cast(round(cast(' ~ hours_expression ~ ' as numeric(18, 4)), 1) as numeric(18, 1))' -%}
    {%- set text = 'cast(' ~ text ~ ' as varchar)' -%}
    (case when right({{ text }}, 2) = '.0' then left({{ text }}, length({{ text }}) - 2) else {{ text }} end || ' h')
{%- endmacro %}

{#
    ledger_freshness_loaded_at(ledger, domain): the loaded_at_query of the ledger's per-domain freshness
    sources (models/staging/extract/_extract__sources.yml): the newest feed time of the domain's loaded,
    held or released files, as marts.feed_health.last_feed_at; null (an error: stale) when the domain has
    only rejected or superseded files. A domain the extractor never saw a file of is not checked (the
    check's own time comes back: fresh), so a deployment without market data or lab files passes.
#}
{% macro ledger_freshness_loaded_at(ledger, domain) -%}
    select
        case
            when count(*) = 0 then cast({{ dbt.current_timestamp() }} as timestamp with time zone)
            else max(case when status in ('loaded', 'held', 'released') then feed_at end)
        end as max_loaded_at
    from {{ ledger }}
    where domain = '{{ domain }}'
{%- endmacro %}
