{#-
    One row per layer (a corporate's vehicle in one DMS): its latest version from the history, when it
    was first and last delivered, and whether the latest full snapshot of its corporate + source
    still lists it.
-#}

with

layer_history as (

    select * from {{ ref('vehicle_layer_history') }}

),

feeds as (

    select * from {{ ref('int_vehicle_feeds') }}

),

ranked_versions as (

    select
        *,
        row_number() over (
            partition by layer_id
            order by valid_from desc, first_load_id desc
        ) as recency,
        min(valid_from) over (partition by layer_id) as first_seen_at

    from layer_history

),

latest_versions as (

    select * from ranked_versions
    where recency = 1

),

final as (

    select
        ----------  ids
        latest_versions.layer_id,
        latest_versions.corporate_id,
        latest_versions.source,
        latest_versions.external_source_id,
        latest_versions.last_load_id as load_id,
        latest_versions.version_number,
        latest_versions.content_hash,

        ----------  strings
        latest_versions.vin,
        latest_versions.dealer_code,
        latest_versions.make,
        latest_versions.model,
        latest_versions.version,
        latest_versions.fuel,
        latest_versions.gearbox,
        latest_versions.color,
        latest_versions.make_code,
        latest_versions.model_code,
        latest_versions.version_code,
        latest_feeds.landing_key,

        ----------  numerics
        latest_versions.list_price,
        latest_versions.promotional_price,
        latest_versions.mileage,

        ----------  dates
        latest_versions.registration_date,

        ----------  timestamps
        latest_versions.last_seen_at as feed_at,
        latest_versions.first_seen_at,
        latest_versions.last_seen_at,
        latest_versions.valid_from as updated_at,
        latest_versions.valid_to as removed_at,

        ----------  booleans
        latest_versions.valid_to is null as is_available

    from latest_versions
    inner join feeds as latest_feeds
        on latest_versions.last_load_id = latest_feeds.load_id

)

select * from final
