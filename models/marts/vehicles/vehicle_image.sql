{#-
    The images of every vehicle, from its winning layer (rank 1 in int_vehicle_layers_ranked): the
    images of that layer's latest version, as delivered in the feed that first carried the version.
-#}

with

ranked_layers as (

    {{ ranked_layers_to_rebuild() }}

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
        {{ dbt_batch_at() }} as batch_at

    from winning_layers
    inner join content_images
        on
            winning_layers.layer_id = content_images.layer_id
            and winning_layers.content_hash = content_images.content_hash

)

select * from final
