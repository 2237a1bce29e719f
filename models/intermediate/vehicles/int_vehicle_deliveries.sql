{{
    config(
        post_hook='{{ refresh_statistics(this) }}',
        materialized='incremental',
        incremental_strategy='append',
        indexes=[
            {'columns': ['load_id']},
            {'columns': ['corporate_id', 'source']},
            {'columns': ['batch_at']},
        ],
        sort=['corporate_id', 'source', 'load_id'],
        dist='layer_id',
    )
}}

{#-
    One light row per vehicle record per feed, appended once per feed: the only model that reads every
    raw delivery's JSON, and it reads each feed once. A feed is new when its load id is not here yet
    (not "greater than the last one": a feed committed late with a smaller load id is still picked up).
-#}

with

feeds as (

    select * from {{ ref('stg_dms__feeds') }}

),

feeds_with_records as (

    select feeds.load_id

    from feeds
    where feeds.record_count > 0

),

new_feeds as (

    select feeds_with_records.load_id

    from feeds_with_records
    {%- if is_incremental() %}
    where
        not exists (
            select 1
            from {{ this }} as delivered
            where delivered.load_id = feeds_with_records.load_id
        )
    {%- endif %}

),

vehicle_records as (

    {#- the range predicate reaches the raw table through the views, so only new feeds are parsed -#}
    select * from {{ ref('int_vehicle_versions_unioned') }}
    {%- if is_incremental() %}
    where
        load_id >= (select min(new_feeds.load_id) from new_feeds)
        and load_id in (select new_feeds.load_id from new_feeds)
    {%- endif %}

),

final as (

    select
        layer_id,
        load_id,
        corporate_id,
        source,
        external_source_id,
        record_index,
        feed_at,
        content_hash,
        vin,
        {{ dbt_batch_at() }} as batch_at

    from vehicle_records

)

select * from final
