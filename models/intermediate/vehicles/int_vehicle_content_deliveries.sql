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
    The record that first delivered each distinct content of a layer: one row per (layer_id,
    content_hash), appended for the contents the feeds recorded since the last run bring for the first
    time, compared by hash alone (no JSON). The three models that read a new content's JSON (its typed
    fields, its images, its optionals) each read these records, side by side: none waits for another.
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

final as (

    select
        layer_id,
        content_hash,
        source,
        load_id as first_load_id,
        record_index as first_record_index,
        {{ dbt_batch_at() }} as batch_at

    from new_contents
    where occurrence = 1

)

select * from final
