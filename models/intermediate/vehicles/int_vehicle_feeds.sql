{{
    config(
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
    with the dbt run that recorded it (batch_at). It is the first model of the vehicle chain: the
    contents, images and optionals of the feeds recorded since their last run are typed next, and
    vehicle_layer_history folds in the corporate + source sequences with feeds recorded since its last
    run. A feed the extractor commits while dbt runs waits for the next run: nothing downstream reads
    a feed that is not recorded here. Only applied feeds come (stg_dms__feeds): a held feed is recorded
    by the first run after its release, and when it sorts before feeds already built (by feed time),
    vehicle_layer_history rebuilds that corporate + source sequence as for any late feed.
#}

with

feeds as (

    select * from {{ ref('stg_dms__feeds') }}

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

    from unrecorded_feeds

)

select * from final
