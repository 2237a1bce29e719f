{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        indexes=[
            {'columns': ['layer_id', 'content_hash'], 'unique': true},
            {'columns': ['batch_at']},
        ],
        sort=['layer_id', 'content_hash'],
        dist='layer_id',
    )
}}

{#-
    Every distinct content ever delivered for a layer, typed: one row per (layer_id, content_hash).
    The same content always types to the same values, so a version of vehicle_layer_history takes its
    fields from here and no history rebuild parses JSON again. The feeds recorded since the last run
    are compared by hash alone (no JSON); only a content not seen before is typed, from the one record
    that first delivered it.
-#}

with

feeds as (

    select * from {{ ref('int_vehicle_feeds') }}
    where {{ is_after_watermark('batch_at', 'batch_at') }}

),

deliveries as (

    select * from {{ ref('stg_dms__vehicle_deliveries') }}

),

delivered_contents as (

    select
        deliveries.layer_id,
        deliveries.content_hash,
        deliveries.source,
        deliveries.load_id,
        deliveries.record_index

    from deliveries
    inner join feeds
        on deliveries.load_id = feeds.load_id

),

new_contents as (

    select
        *,
        row_number() over (
            partition by layer_id, content_hash
            order by load_id, record_index
        ) as occurrence

    from delivered_contents
    {%- if is_incremental() %}
    where
        not exists (
            select 1
            from {{ this }} as known
            where
                known.layer_id = delivered_contents.layer_id
                and known.content_hash = delivered_contents.content_hash
        )
    {%- endif %}

),

first_deliveries as (

    select * from new_contents
    where occurrence = 1

),

{% for dms in dms_track_names() -%}
records_{{ dms }} as (

    -- {{ dms }}'s records that first delivered a new content; the view is named here, not through
    -- the `deliveries` CTE, which PostgreSQL would materialize whole once it is referenced again
    select delivered.*

    from first_deliveries
    inner join {{ ref('stg_dms__vehicle_deliveries') }} as delivered
        on
            first_deliveries.load_id = delivered.load_id
            and first_deliveries.record_index = delivered.record_index
    where first_deliveries.source = '{{ dms_track(dms).dms | upper }}'

),

{% endfor -%}

vehicle_records as (

    {% for dms in dms_track_names() -%}
    {{ dms_typed_vehicles(dms_track(dms), 'records_' ~ dms) }}
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

),

final as (

    select
        first_deliveries.layer_id,
        first_deliveries.content_hash,
        first_deliveries.load_id as first_load_id,
        first_deliveries.record_index as first_record_index,
        vehicle_records.corporate_id,
        vehicle_records.source,
        vehicle_records.external_source_id,
        vehicle_records.vin_as_delivered,
        {%- for field in vehicle_fields() %}
        vehicle_records.{{ field.name }},
        {%- endfor %}
        {{ dbt_batch_at() }} as batch_at

    from first_deliveries
    inner join vehicle_records
        on
            first_deliveries.load_id = vehicle_records.load_id
            and first_deliveries.record_index = vehicle_records.record_index

)

select * from final
