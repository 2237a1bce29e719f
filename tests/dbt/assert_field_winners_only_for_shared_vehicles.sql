{#-
    int_vehicle_field_winners holds the vehicles with two or more layers only: vehicle_field_lineage
    unpivots a vehicle with one layer from int_vehicle_layers_ranked on read and takes the others'
    rows from here, so a winner of a one-layer vehicle would be a second lineage row for its field.
    Fails on every winner whose vehicle int_vehicle_layers_ranked counts fewer than two layers for (or
    none). Scope: the winners the latest batch rebuilt (macros/tests/tested_rows.sql). The ranked layers
    are named, not ref'd: the winners are built from them, and a ref would make this test a child of
    int_vehicle_layers_ranked too, run by `dbt build --select int_vehicle_layers_ranked` before any
    winner exists (dbt selects a test when any of its parents is selected).
-#}

with

winners as (

    select distinct vehicle_id
    from {{ tested_rows(ref('int_vehicle_field_winners'), 'batch_at') }}

),

ranked_layers as (

    select * from {{ model_relation('int_vehicle_layers_ranked') }}

),

final as (

    select
        winners.vehicle_id,
        max(ranked_layers.vehicle_layer_count) as vehicle_layer_count

    from winners
    left join ranked_layers
        on winners.vehicle_id = ranked_layers.vehicle_id
    group by winners.vehicle_id
    having coalesce(max(ranked_layers.vehicle_layer_count), 0) < 2

)

select * from final
