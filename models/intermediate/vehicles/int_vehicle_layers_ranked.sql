{{
    config(
        post_hook='{{ refresh_statistics(this) }}',
        materialized='table',
        indexes=[{'columns': ['vehicle_id']}],
        sort=['vehicle_id'],
        dist='vehicle_id',
    )
}}

{#-
    Every layer assigned to its vehicle (the VIN when valid, else a key of its own) and ranked among
    that vehicle's layers: the source's priority first (source_priority seed, 0 when absent), then the
    layer's last change (valid_from of its current version: re-sending unchanged content is not a
    write), then load order. Rank 1 is the winning layer for images and optionals; fields are ranked
    one by one (vehicle_field_lineage).
-#}

with

layers as (

    select * from {{ ref('vehicle_layer') }}

),

source_priority as (

    select * from {{ ref('source_priority') }}

),

prioritised_layers as (

    select
        layers.layer_id,
        layers.corporate_id,
        layers.source,
        layers.external_source_id,
        layers.load_id,
        layers.version_number,
        layers.content_hash,
        layers.vin,
        layers.dealer_code,
        layers.make,
        layers.model,
        layers.version,
        layers.fuel,
        layers.gearbox,
        layers.color,
        layers.make_code,
        layers.model_code,
        layers.version_code,
        layers.landing_key,
        layers.list_price,
        layers.promotional_price,
        layers.mileage,
        layers.registration_date,
        layers.feed_at,
        layers.first_seen_at,
        layers.last_seen_at,
        layers.updated_at,
        layers.removed_at,
        layers.is_available,
        coalesce(layers.vin, 'layer:' || layers.layer_id) as vehicle_id,
        coalesce(source_priority.priority, 0) as source_priority

    from layers
    left join source_priority
        on layers.source = upper(source_priority.source)

),

final as (

    select
        *,
        row_number() over (
            partition by vehicle_id
            order by source_priority desc, updated_at desc, load_id desc, layer_id asc
        ) as layer_rank,
        count(*) over (partition by vehicle_id) as vehicle_layer_count

    from prioritised_layers

)

select * from final
