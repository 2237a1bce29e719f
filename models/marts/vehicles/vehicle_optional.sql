{{ config(materialized='view') }}

{#-
    The optionals (equipment) of every vehicle, from its winning layer (rank 1 in
    int_vehicle_layers_ranked): the optionals of that layer's latest version. A view: the optionals are
    stored once per content (int_vehicle_content_optionals).
-#}

with

ranked_layers as (

    select * from {{ ref('int_vehicle_layers_ranked') }}

),

content_optionals as (

    select * from {{ ref('int_vehicle_content_optionals') }}

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
        content_optionals.position,
        content_optionals.code,
        content_optionals.description,
        content_optionals.is_standard,
        content_optionals.category,
        winning_layers.batch_at

    from winning_layers
    inner join content_optionals
        on
            winning_layers.layer_id = content_optionals.layer_id
            and winning_layers.content_hash = content_optionals.content_hash

)

select * from final
