{#-
    Where the DMS disagree: for every vehicle and field on which its currently available layers hold
    more than one distinct value, one row per available layer holding a value, and whether that value
    is the one vehicle shows (the winner in int_vehicle_field_winners).
    Only vehicles with two or more available layers can disagree, so only they are unpivoted.
-#}

{%- set carried_columns = [
    'vehicle_id', 'layer_id', 'source', 'corporate_id', 'external_source_id', 'is_available', 'layer_rank',
] %}

with

ranked_layers as (

    {{ ranked_layers_to_rebuild() }}

),

available_shared_layers as (

    -- the available layers of vehicles with two or more layers (about a fifth of all): only they can
    -- disagree, and every later step reads these rows, not the million ranked layers
    select * from ranked_layers
    where is_available and vehicle_layer_count > 1

),

shared_vehicles as (

    select vehicle_id

    from available_shared_layers
    group by vehicle_id
    having count(*) > 1

),

field_winners as (

    -- the winners of the vehicles that can disagree
    select * from {{ ref('int_vehicle_field_winners') }}
    where vehicle_id in (select shared_vehicles.vehicle_id from shared_vehicles)

),

shared_vehicle_layers as (

    select available_shared_layers.*

    from available_shared_layers
    inner join shared_vehicles
        on available_shared_layers.vehicle_id = shared_vehicles.vehicle_id

),

layer_values as (
    {{ unpivot_vehicle_fields('shared_vehicle_layers', carried_columns) }}
),


disputed_fields as (

    select
        vehicle_id,
        field_name

    from layer_values
    where is_available
    group by vehicle_id, field_name
    having count(distinct value) > 1

),

final as (

    select
        layer_values.vehicle_id,
        layer_values.field_name,
        layer_values.source,
        layer_values.corporate_id,
        layer_values.external_source_id,
        layer_values.layer_id,
        layer_values.value,
        coalesce(layer_values.layer_id = field_winners.layer_id, false) as is_winner,
        {{ dbt_batch_at() }} as batch_at

    from layer_values
    inner join disputed_fields
        on
            layer_values.vehicle_id = disputed_fields.vehicle_id
            and layer_values.field_name = disputed_fields.field_name
    left join field_winners
        on
            layer_values.vehicle_id = field_winners.vehicle_id
            and layer_values.field_name = field_winners.field_name
    where layer_values.is_available

)

select * from final
