{#-
    A layer is available exactly when the latest feed (greatest feed_at, then load id) of its
    corporate + source delivered it: fails on every layer where the two disagree. Snapshot sources
    only: in an events source (feed_mode: events) a feed that does not mention an ad leaves it as it is.
-#}

with

layers as (

    select * from {{ ref('vehicle_layer') }}

),

feeds as (

    select * from {{ ref('int_vehicle_feeds') }}

),

ranked_feeds as (

    select
        corporate_id,
        source,
        load_id,
        row_number() over (
            partition by corporate_id, source
            order by feed_at desc, load_id desc
        ) as recency

    from feeds

),

latest_feeds as (

    select * from ranked_feeds
    where recency = 1

),

final as (

    select
        layers.layer_id,
        layers.load_id,
        layers.is_available,
        latest_feeds.load_id as latest_load_id

    from layers
    inner join latest_feeds
        on
            layers.corporate_id = latest_feeds.corporate_id
            and layers.source = latest_feeds.source
    where
        layers.is_available != (layers.load_id = latest_feeds.load_id)
        and {{ dms_feed_mode_is('layers.source', 'snapshot') }}

)

select * from final
