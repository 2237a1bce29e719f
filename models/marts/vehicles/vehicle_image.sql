{{ config(materialized='view') }}

{#-
    The images of every vehicle, from its winning layer (rank 1 in int_vehicle_layers_ranked): the
    images of that layer's latest version, as delivered in the feed that first carried the version. A view:
    the images are stored once per content (int_vehicle_content_images); a vehicle's are found through its
    ranked layers' vehicle_id index.
-#}

with

ranked_layers as (

    select * from {{ ref('int_vehicle_layers_ranked') }}

),

content_images as (

    select * from {{ ref('int_vehicle_content_images') }}

),

winning_layers as (

    select * from ranked_layers
    where layer_rank = 1

),

final as (

    select
        winning_layers.vehicle_id,
        winning_layers.source,
        winning_layers.corporate_id,
        winning_layers.external_source_id,
        content_images.position,
        content_images.url,
        winning_layers.batch_at

    from winning_layers
    inner join content_images
        on
            winning_layers.layer_id = content_images.layer_id
            and winning_layers.content_hash = content_images.content_hash

)

select * from final
