{{ config(materialized='view') }}

{#-
    One row per layer (a corporate's vehicle in one DMS): its latest version, when it was first and
    last delivered, and whether the latest full snapshot of its corporate + source still lists it.
    A view over int_vehicle_layers_ranked: an available layer's last delivery is its sequence's latest
    feed, so a daily feed that changes nothing rewrites nothing.
-#}

with

ranked_layers as (

    select * from {{ ref('int_vehicle_layers_ranked') }}

),

feeds as (

    select * from {{ ref('int_vehicle_feeds') }}

),

sequence_feeds as (

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

    select * from sequence_feeds
    where recency = 1

),

layer_deliveries as (

    select
        ranked_layers.*,
        coalesce(ranked_layers.last_load_id, latest_feeds.load_id) as last_delivery_load_id

    from ranked_layers
    left join latest_feeds
        on
            ranked_layers.corporate_id = latest_feeds.corporate_id
            and ranked_layers.source = latest_feeds.source

),

final as (

    select
        ----------  ids
        layer_deliveries.layer_id,
        layer_deliveries.vehicle_id,
        layer_deliveries.corporate_id,
        layer_deliveries.source,
        layer_deliveries.external_source_id,
        layer_deliveries.last_delivery_load_id as load_id,
        layer_deliveries.version_number,
        layer_deliveries.content_hash,

        ----------  the catalogue's fields (macros/vehicles/catalogue_fields.sql)
        {%- for field in vehicle_fields() %}
        layer_deliveries.{{ field.name }},
        {%- endfor %}

        ----------  strings
        last_deliveries.landing_key,

        ----------  timestamps
        last_deliveries.feed_at,
        layer_deliveries.first_seen_at,
        last_deliveries.feed_at as last_seen_at,
        layer_deliveries.updated_at,
        layer_deliveries.removed_at,

        ----------  booleans
        layer_deliveries.is_available,

        ----------  the dbt run that last rebuilt the layer's row (int_vehicle_layers_ranked)
        layer_deliveries.batch_at

    from layer_deliveries
    inner join feeds as last_deliveries
        on layer_deliveries.last_delivery_load_id = last_deliveries.load_id

)

select * from final
