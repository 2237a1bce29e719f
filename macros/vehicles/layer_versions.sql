{#
    The version engine of the layers (int_vehicle_snapshot_versions, int_vehicle_event_versions): both
    turn ordered deliveries of a layer into rows flagged is_version_start / is_version_end and numbered
    (streamed_version_number), then fold each version's rows into one.
#}

{# What each delivery row carries into the version engine: the layer, its content, the feed, and where the run began. #}
{% macro layer_delivery_columns() -%}
    {{ return([
        'layer_id', 'corporate_id', 'source', 'external_source_id', 'content_hash', 'feed_number', 'load_id',
        'feed_at', 'next_feed_at', 'start_load_id', 'start_at', 'start_landing_key',
    ]) }}
{%- endmacro %}

{#
    The select list of a delivery row: the layer's columns from `layer`, the feed's from `feed`, and where
    its version runs from (start_load_id, start_at, start_landing_key) from the `start_columns` of `starts`.
#}
{% macro layer_delivery_select(layer, feed, starts, start_columns) -%}
    {%- set items = [] -%}
    {%- for column in layer_delivery_columns() -%}
        {%- if column in ('feed_number', 'load_id', 'feed_at', 'next_feed_at') -%}
            {%- do items.append(feed ~ '.' ~ column ~ ' as ' ~ column) -%}
        {%- elif column.startswith('start_') -%}
            {%- set index = ['start_load_id', 'start_at', 'start_landing_key'].index(column) -%}
            {%- do items.append(starts ~ '.' ~ start_columns[index] ~ ' as ' ~ column) -%}
        {%- else -%}
            {%- do items.append(layer ~ '.' ~ column) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ items | join(',\n        ') }}
{%- endmacro %}

{#
    One row per version of `relation` (numbered, flagged delivery rows), stamped with this run: its first
    load, file and feed time from the row that starts it; its end (the feed after its last one), last load
    and last feed time from the row that ends it. A current version names its last load only when
    `current_names_last_delivery` (events); a current snapshot version is in every feed since it began.
    Keeps streamed_version_number, the version's number among the rows folded.
#}
{% macro fold_layer_versions(relation, current_names_last_delivery) %}
    {%- set valid_to = 'max(case when is_version_end = 1 then next_feed_at end)' %}
    select
        layer_id,
        max(corporate_id) as corporate_id,
        max(source) as source,
        max(external_source_id) as external_source_id,
        max(case when is_version_start = 1 then start_load_id end) as first_load_id,
        {%- for column, name in [('load_id', 'last_load_id'), ('feed_at', 'last_seen_at')] %}
        {%- if current_names_last_delivery %}
        max(case when is_version_end = 1 then {{ column }} end) as {{ name }},
        {%- else %}
        case when {{ valid_to }} is not null then max(case when is_version_end = 1 then {{ column }} end) end
        as {{ name }},
        {%- endif %}
        {%- endfor %}
        max(content_hash) as content_hash,
        max(case when is_version_start = 1 then start_at end) as valid_from,
        {{ valid_to }} as valid_to,
        max(case when is_version_start = 1 then start_landing_key end) as landing_key,
        streamed_version_number,
        {{ dbt_batch_at() }} as built_at

    from {{ relation }}
    group by layer_id, streamed_version_number
{% endmacro %}

{#
    The rows of `versions` (folded this run) with their final version_number: on an incremental run, a layer of a
    continued sequence (`sequence_modes`) numbers its new versions after the closed versions this model already
    holds (a current version is carried into the fold, so it is renumbered with the new ones); on a first build,
    or for a rebuilt sequence, from 1. The snapshot engine only: events versions are rebuilt whole.
#}
{% macro number_after_closed_versions(versions, sequence_modes) %}
    select
        {{ layer_version_columns() | reject('equalto', 'version_number') | join(',\n        ') }},
        cast(streamed_version_number + coalesce(closed_count, 0) as integer) as version_number

    from {{ versions }}
    left join (
        select
            built.layer_id as built_layer_id,
            count(built.valid_to) as closed_count
        {%- if is_incremental() %}
        from {{ this }} as built
        inner join {{ sequence_modes }}
            on built.corporate_id = {{ sequence_modes }}.corporate_id and built.source = {{ sequence_modes }}.source
        where
            {{ sequence_modes }}.continued_after_feed_number is not null
            and built.layer_id in (select folded.layer_id from {{ versions }} as folded)
        {%- else %}
        from {{ versions }} as built
        where false
        {%- endif %}
        group by built.layer_id
    ) as built_counts
        on layer_id = built_layer_id
{% endmacro %}

{# The columns of a layer version, in the order both engines write them. #}
{% macro layer_version_columns() -%}
    {{ return([
        'layer_id', 'corporate_id', 'source', 'external_source_id', 'first_load_id', 'last_load_id',
        'content_hash', 'valid_from', 'valid_to', 'last_seen_at', 'landing_key', 'version_number', 'built_at',
    ]) }}
{%- endmacro %}

{#
    The delivery rows of `relation` (one layer's rows ordered by `order_by`), flagged where a version
    starts (`continues_previous` false: the row does not carry on the version of the row before) and
    ends (`continues_next` false), and numbered: streamed_version_number counts the starts so far.
    Each condition is a SQL expression over `previous_<column>` / `next_<column>` for the
    `compared_columns`, the same columns of the rows before and after. Rows not `kept` (a predicate) are
    neighbours only: they end versions but are not numbered.
#}
{% macro number_layer_versions(relation, order_by, compared_columns, continues_previous, continues_next, kept='true') %}
    select
        *,
        sum(is_version_start) over (
            partition by layer_id order by {{ order_by }} rows between unbounded preceding and current row
        ) as streamed_version_number

    from (
        select
            *,
            case when {{ continues_previous }} then 0 else 1 end as is_version_start,
            case when {{ continues_next }} then 0 else 1 end as is_version_end

        from (
            select
                {{ relation }}.*
                {%- for column in compared_columns %},
                lag({{ column }}) over (partition by layer_id order by {{ order_by }}) as previous_{{ column }},
                lead({{ column }}) over (partition by layer_id order by {{ order_by }}) as next_{{ column }}
                {%- endfor %}

            from {{ relation }}
        ) as neighboured
        where {{ kept }}
    ) as flagged
{% endmacro %}

{# The columns of a layer's state (int_vehicle_layer_states), which int_vehicle_layers_ranked carries on. #}
{% macro layer_state_columns() -%}
    {{ return([
        'layer_id', 'corporate_id', 'source', 'external_source_id', 'first_load_id', 'last_load_id',
        'version_number', 'content_hash', 'landing_key', 'first_seen_at', 'last_seen_at', 'updated_at',
        'removed_at', 'is_available', 'vehicle_id',
    ] + vehicle_fields() | map(attribute='name') | list + ['moved_from_vehicle_id', 'built_at']) }}
{%- endmacro %}
