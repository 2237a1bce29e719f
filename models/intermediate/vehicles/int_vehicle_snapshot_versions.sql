{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['layer_id', 'version_number'],
        indexes=[{'columns': ['layer_id', 'version_number'], 'unique': true}, {'columns': ['built_at']}],
        dist='layer_id',
    )
}}

{#- The versions of the layers of snapshot sources: how a run builds them is in _vehicles__models.yml. -#}

with

sequence_modes as (

    select
        corporate_id,
        source,
        case
            when count(nullif(continued_after_feed_number, 0)) = count(*) then min(continued_after_feed_number)
        end as continued_after_feed_number
    from {{ ref('int_vehicle_sequence_changes') }}
    where {{ is_after_watermark('batch_at', 'built_at') }}
    group by corporate_id, source

),

new_feeds as (

    -- the feeds this run folds in: the new feeds of a continued sequence, every feed of a rebuilt one
    select
        feeds.*,
        sequence_modes.continued_after_feed_number

    from {{ ref('int_vehicle_feed_sequences') }} as feeds
    inner join sequence_modes
        on feeds.corporate_id = sequence_modes.corporate_id and feeds.source = sequence_modes.source
    where feeds.feed_number > coalesce(sequence_modes.continued_after_feed_number, 0)

),

new_listings as (

    -- the new feeds' listings: the day's million rows, narrow (the raw table's index carries them)
    select
        deliveries.layer_id,
        deliveries.corporate_id,
        deliveries.source,
        deliveries.external_source_id,
        deliveries.content_hash,
        deliveries.load_id,
        deliveries.record_index,
        new_feeds.feed_number

    from new_feeds
    inner join {{ ref('stg_dms__vehicle_deliveries') }} as deliveries
        on new_feeds.load_id = deliveries.load_id

),

previous_listings as (

    -- what a new feed of a continued sequence lists if nothing changed: the feed before it (the current versions)
    select
        new_feeds.load_id,
        deliveries.layer_id,
        deliveries.corporate_id,
        deliveries.source,
        deliveries.external_source_id,
        deliveries.content_hash
    from new_feeds
    inner join {{ ref('stg_dms__vehicle_deliveries') }} as deliveries
        on new_feeds.previous_load_id = deliveries.load_id
    where new_feeds.continued_after_feed_number is not null

),

changed_layers as (

    -- the layers listed otherwise than in the feed before (by stock id): a new or changed content, a listing missing
    select distinct
        coalesce(new_listings.layer_id, previous_listings.layer_id) as layer_id,
        coalesce(new_listings.corporate_id, previous_listings.corporate_id) as corporate_id,
        coalesce(new_listings.source, previous_listings.source) as source

    from new_listings
    full outer join previous_listings
        on
            new_listings.load_id = previous_listings.load_id
            and new_listings.external_source_id = previous_listings.external_source_id
    where
        new_listings.load_id is null or previous_listings.load_id is null
        or new_listings.content_hash != previous_listings.content_hash

),

streamed_rows as (

    -- the changed layers' listings in the new feeds (a stock id listed twice in a feed: its last record)
    select {{ layer_delivery_columns() | join(', ') }}
    from (
        select
            {{ layer_delivery_select('listed', 'feeds', 'feeds', ['load_id', 'feed_at', 'landing_key']) }},
            row_number() over (
                partition by listed.layer_id, listed.feed_number order by listed.record_index desc
            ) as listing_in_feed
        from new_listings as listed
        inner join new_feeds as feeds on listed.load_id = feeds.load_id
        {%- if is_incremental() %}
        where listed.layer_id in (select changed_layers.layer_id from changed_layers)
        {%- endif %}
    ) as listed
    where listing_in_feed = 1
    {%- if is_incremental() %}
    union all
    -- the current versions of the continued sequences' changed layers, one row standing for the whole run so far
    -- (joined in this order: PostgreSQL would otherwise look every changed layer up once per sequence)
    select {{ layer_delivery_select('built', 'last_feeds', 'built', ['first_load_id', 'valid_from', 'landing_key']) }}
    from changed_layers
    inner join sequence_modes
        on changed_layers.corporate_id = sequence_modes.corporate_id and changed_layers.source = sequence_modes.source
    inner join {{ ref('int_vehicle_feed_sequences') }} as last_feeds
        on
            sequence_modes.corporate_id = last_feeds.corporate_id
            and sequence_modes.source = last_feeds.source
            and sequence_modes.continued_after_feed_number = last_feeds.feed_number
    inner join {{ this }} as built on changed_layers.layer_id = built.layer_id
    where built.valid_to is null
    {%- endif %}

),

versions as (
    {{ fold_layer_versions('(' ~ number_layer_versions(
        'streamed_rows', 'feed_number', ['feed_number', 'content_hash'],
        'previous_feed_number = feed_number - 1 and previous_content_hash = content_hash',
        'next_feed_number = feed_number + 1 and next_content_hash = content_hash',
    ) ~ ') as numbered_rows', current_names_last_delivery=false) }}
),

final as (
    {{ number_after_closed_versions('versions', 'sequence_modes') }}
)

select * from final
