{#-
    A layer of a snapshot source is available exactly when the latest applied feed of its corporate +
    source (greatest feed_at, then load id; applied: the ledger says loaded or released) has a record
    with its stock id. Derived from the raw feeds as staged (stg_dms__feeds: the ledger's applied feeds)
    and their deliveries, not from the models' logic, nor from the ledger source itself (that would put
    this test in every build selecting the load audit). Fails on every layer of vehicle_layer whose
    is_available disagrees, and on every stock id of a latest feed that has no layer at all. Events
    sources (feed_mode: events) are left out: a feed that does not mention an ad leaves it as it is.

    Scope: every layer, on every run (also one with nothing new), against the feeds the build has
    folded in: those int_vehicle_feeds has recorded (its load ids only). A feed the extractor commits
    while the build runs waits for the next build, in the catalogue and in this test, so a build that
    runs beside an extract stays green. It reads the records of each sequence's latest feed only,
    through the raw table's (load_id, record_index) index, which carries their stock ids.

    It tests vehicle_layer, its only ref: the feeds and deliveries it reads are named, not ref'd (they are
    upstream of vehicle_layer, so built before it), else `dbt build --select +vehicle_image` would run it
    (dbt selects a test when any of its parents is selected) against a vehicle_layer that build did not
    rebuild, or that does not exist yet.
-#}

with

recorded_feeds as (

    -- the load ids this build has folded in (nothing else of int_vehicle_feeds is read)
    select load_id from {{ model_relation('int_vehicle_feeds') }}

),

applied_feeds as (

    -- the raw feeds the ledger says loaded or released (staging: no vehicle model's logic)
    select * from {{ model_relation('stg_dms__feeds') }}
    where load_id in (select recorded_feeds.load_id from recorded_feeds)

),

layers as (

    select * from {{ ref('vehicle_layer') }}

),

sequenced_feeds as (

    select
        applied_feeds.load_id,
        applied_feeds.corporate_id,
        applied_feeds.source,
        row_number() over (
            partition by applied_feeds.corporate_id, applied_feeds.source
            order by applied_feeds.feed_at desc, applied_feeds.load_id desc
        ) as recency

    from applied_feeds
    where {{ dms_feed_mode_is('applied_feeds.source', 'snapshot') }}

),

latest_feeds as (

    select * from sequenced_feeds
    where recency = 1

),

latest_stock as (

    select distinct
        deliveries.corporate_id,
        deliveries.source,
        deliveries.external_source_id

    from latest_feeds
    inner join {{ model_relation('stg_dms__vehicle_deliveries') }} as deliveries
        on latest_feeds.load_id = deliveries.load_id

),

snapshot_layers as (

    select * from layers
    where {{ dms_feed_mode_is('layers.source', 'snapshot') }}

),

final as (

    select
        snapshot_layers.layer_id,
        snapshot_layers.is_available,
        coalesce(snapshot_layers.corporate_id, latest_stock.corporate_id) as corporate_id,
        coalesce(snapshot_layers.source, latest_stock.source) as source,
        coalesce(snapshot_layers.external_source_id, latest_stock.external_source_id) as external_source_id,
        latest_stock.external_source_id is not null as is_in_latest_feed

    from snapshot_layers
    full outer join latest_stock
        on
            snapshot_layers.corporate_id = latest_stock.corporate_id
            and snapshot_layers.source = latest_stock.source
            and snapshot_layers.external_source_id = latest_stock.external_source_id
    where
        snapshot_layers.layer_id is null
        or snapshot_layers.is_available != (latest_stock.external_source_id is not null)

)

select * from final
