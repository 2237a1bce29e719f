{{
    config(
        materialized='incremental',
        pre_hook=['{{ unique_lookup_settings() }}'],
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
    fields from here and no history rebuild parses JSON again. Only a content not seen before is typed,
    from the one record that first delivered it (int_vehicle_content_deliveries, which compared the new
    feeds by hash alone).

    That model is named in each DMS's branch and in the final join rather than through one import CTE:
    PostgreSQL materializes a CTE read more than once, and a materialized CTE is read by one process
    only, so the typing of a first build (a million records) could not run in parallel.
-#}

with

{% for dms in dms_track_names() -%}
records_{{ dms }} as (

    -- {{ dms }}'s records that first delivered a content new since the last run
    select delivered.*

    from {{ ref('int_vehicle_content_deliveries') }} as first_deliveries
    inner join {{ ref('stg_dms__vehicle_deliveries') }} as delivered
        on
            first_deliveries.first_load_id = delivered.load_id
            and first_deliveries.first_record_index = delivered.record_index
    where
        first_deliveries.source = '{{ dms_track(dms).dms | upper }}'
        and {{ is_after_watermark('first_deliveries.batch_at', 'batch_at') }}

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
        first_deliveries.first_load_id,
        first_deliveries.first_record_index,
        vehicle_records.corporate_id,
        vehicle_records.source,
        vehicle_records.external_source_id,
        vehicle_records.vin_as_delivered,
        {%- for field in vehicle_fields() %}
        vehicle_records.{{ field.name }},
        {%- endfor %}
        {{ dbt_batch_at() }} as batch_at

    from {{ ref('int_vehicle_content_deliveries') }} as first_deliveries
    inner join vehicle_records
        on
            first_deliveries.first_load_id = vehicle_records.load_id
            and first_deliveries.first_record_index = vehicle_records.record_index
    where {{ is_after_watermark('first_deliveries.batch_at', 'batch_at') }}

)

select * from final
