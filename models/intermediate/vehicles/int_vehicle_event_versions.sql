{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='layer_id',
        indexes=[{'columns': ['layer_id']}, {'columns': ['built_at']}],
        dist='layer_id',
    )
}}

{#-
    The versions of the layers of events sources (a track with feed_mode: events): a feed adds or updates
    the ads it holds, a delete record ends one, absence means nothing. Per layer, its events in (feed_at,
    load_id, record_index) order: an ad whose content differs from the open version starts a version, the
    same content continues it, the next event, a delete or another content, ends it (valid_to: its feed time).
    A run rebuilds every version of the layers that got events since its last run (an added event can split
    versions, never merge them); an open version names its last event's load, since later feeds of its
    sequence need not mention it.
-#}

with

event_feeds as (

    select
        *,
        {{ is_after_watermark('batch_at', 'built_at') }} as is_new

    from {{ ref('int_vehicle_feed_sequences') }}
    where is_event_feed

),

events as (

    -- the ads and the deletes of every events feed
    select
        deliveries.layer_id,
        deliveries.corporate_id,
        deliveries.source,
        deliveries.external_source_id,
        deliveries.content_hash,
        false as is_delete,
        deliveries.record_index,
        deliveries.load_id

    from {{ ref('stg_dms__vehicle_deliveries') }} as deliveries
    where deliveries.load_id in (select event_feeds.load_id from event_feeds)

    union all

    select
        deletes.layer_id,
        deletes.corporate_id,
        deletes.source,
        deletes.external_source_id,
        cast(null as varchar) as content_hash,
        true as is_delete,
        deletes.record_index,
        deletes.load_id

    from {{ ref('stg_dms__vehicle_deletes') }} as deletes
    where deletes.load_id in (select event_feeds.load_id from event_feeds)

),

layer_events as (

    -- every event of the layers that got one in a new feed, in the shape of a delivery row
    select
        events.*,
        event_feeds.feed_at,
        event_feeds.load_id as start_load_id,
        event_feeds.feed_at as start_at,
        event_feeds.landing_key as start_landing_key

    from events
    inner join event_feeds
        on events.load_id = event_feeds.load_id
    where
        events.layer_id in (
            select new_events.layer_id
            from events as new_events
            inner join event_feeds as new_feeds
                on new_events.load_id = new_feeds.load_id
            where new_feeds.is_new
        )

),

numbered_events as (
    {{ number_layer_versions(
        'layer_events', 'feed_at, load_id, record_index', ['content_hash', 'feed_at'],
        'previous_content_hash = content_hash', 'next_content_hash = content_hash', kept='not is_delete',
    ) }}
),

versions as (
    {{ fold_layer_versions('numbered_events', current_names_last_delivery=true) }}
),

final as (

    select
        {{ layer_version_columns() | reject('equalto', 'version_number') | join(',\n        ') }},
        cast(streamed_version_number as integer) as version_number

    from versions

)

select * from final
