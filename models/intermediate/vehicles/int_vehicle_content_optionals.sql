{{
    config(
        materialized='incremental',
        pre_hook=['{{ unique_lookup_settings() }}'],
        incremental_strategy='append',
        indexes=[
            {'columns': ['layer_id', 'content_hash', 'position'], 'unique': true},
            {'columns': ['batch_at']},
        ],
        sort=['layer_id', 'content_hash'],
        dist='layer_id',
    )
}}

{#-
    The optionals (equipment) of every distinct content of a layer, per DMS as its track file says,
    replaced as a whole with the content. Unnested once, from the record that first delivered it.
-#}

with

contents as (

    select * from {{ ref('int_vehicle_content_deliveries') }}
    where {{ is_after_watermark('batch_at', 'batch_at') }}

),

{% for dms in dms_track_names() -%}
records_{{ dms }} as (

    -- the {{ dms }} record that first delivered each new content (int_vehicle_content_deliveries)
    select
        contents.layer_id,
        contents.content_hash,
        delivered.source,
        delivered.record

    from contents
    inner join {{ ref('stg_dms__vehicle_deliveries') }} as delivered
        on
            contents.first_load_id = delivered.load_id
            and contents.first_record_index = delivered.record_index
    where contents.source = '{{ dms_track(dms).dms | upper }}'

),

{% endfor -%}

list_rows as (

    {{ dms_list_rows('optionals', catalogue_fields().lists.optionals, 'records_') }}

),

final as (

    select
        layer_id,
        content_hash,
        position,
        code,
        description,
        coalesce(cast(is_standard as boolean), false) as is_standard,
        category,
        {{ dbt_batch_at() }} as batch_at

    from list_rows

)

select * from final
