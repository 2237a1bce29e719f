{{
    config(
        post_hook='{{ refresh_statistics(this) }}',
        materialized='incremental',
        incremental_strategy='append',
        indexes=[
            {'columns': ['load_id'], 'unique': true},
            {'columns': ['batch_at']},
        ],
        sort=['corporate_id', 'source', 'feed_at'],
    )
}}

{#
    The vehicle feeds folded into the marts, one row per feed (even an empty one), each recorded once
    with the dbt run that recorded it (batch_at). A feed is recorded only once its records are in
    int_vehicle_deliveries, so the history never sees a feed without its vehicles; batch_at tells
    vehicle_layer_history which corporate + source sequences have changed since its last run.
    Built after int_vehicle_contents, so every content of a recorded feed is typed already.
#}

-- depends_on: {{ ref('int_vehicle_contents') }}

with

feeds as (

    select * from {{ ref('stg_dms__feeds') }}

),

deliveries as (

    select * from {{ ref('int_vehicle_deliveries') }}

),

unrecorded_feeds as (

    select feeds.*

    from feeds
    {%- if is_incremental() %}
    where
        not exists (
            select 1
            from {{ this }} as recorded
            where recorded.load_id = feeds.load_id
        )
    {%- endif %}

),

delivered_feeds as (

    select unrecorded_feeds.*

    from unrecorded_feeds
    where
        unrecorded_feeds.record_count = 0
        or exists (
            select 1
            from deliveries
            where deliveries.load_id = unrecorded_feeds.load_id
        )

),

final as (

    select
        load_id,
        corporate_id,
        source,
        landing_key,
        record_count,
        rejected_count,
        feed_at,
        {{ dbt_batch_at() }} as batch_at

    from delivered_feeds

)

select * from final
