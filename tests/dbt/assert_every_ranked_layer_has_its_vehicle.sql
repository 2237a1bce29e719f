{#-
    Every vehicle_id of int_vehicle_layers_ranked has its row in vehicle: the vehicle_id that
    vehicle_layer, vehicle_image, vehicle_optional and vehicle_field_lineage show is one BI finds in
    vehicle. Fails on every such vehicle_id that vehicle lacks. Scope: the layers the latest batch
    re-ranked (macros/tests/tested_rows.sql), the vehicles vehicle rebuilt from them. The ranked layers
    are named, not ref'd: vehicle is built from them, and a ref would make this test a child of
    int_vehicle_layers_ranked too, run before vehicle exists by a build that selects the ranked layers
    only (dbt selects a test when any of its parents is selected).
-#}

with

ranked_layers as (

    select distinct vehicle_id
    from {{ tested_rows(model_relation('int_vehicle_layers_ranked'), 'batch_at') }}

),

vehicles as (

    select * from {{ ref('vehicle') }}

),

final as (

    select ranked_layers.vehicle_id

    from ranked_layers
    left join vehicles
        on ranked_layers.vehicle_id = vehicles.vehicle_id
    where vehicles.vehicle_id is null

)

select * from final
