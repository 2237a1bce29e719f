{#-
    What vehicle_snapshot compares on each build: the vehicles the latest build rewrote (vehicle rows of
    its batch_at), plus one row for every vehicle left without layers (its VIN corrected away), with
    no values, is_available false and layer_count 0. A vehicle the build did not touch cannot have
    changed, so the snapshot does not compare the million others; with
    `--vars '{snapshot_all_vehicles: true}'` it compares every vehicle (after a failed snapshot).
-#}

with

vehicles as (

    select * from {{ ref('vehicle') }}

),

ranked_layers as (

    select * from {{ ref('int_vehicle_layers_ranked') }}

),

rewritten_vehicles as (

    select * from vehicles
    {%- if not var('snapshot_all_vehicles', false) %}
    where batch_at = (select max(latest.batch_at) from vehicles as latest)
    {%- endif %}

),

vehicles_left_empty as (

    select distinct ranked_layers.moved_from_vehicle_id as vehicle_id

    from ranked_layers
    where
        ranked_layers.moved_from_vehicle_id is not null
        and not exists (
            select 1
            from vehicles
            where vehicles.vehicle_id = ranked_layers.moved_from_vehicle_id
        )

),

final as (

    select
        {%- for field in vehicle_resolved_fields() %}
        {{ field.name }},
        {%- endfor %}
        is_available,
        first_seen_at,
        updated_at,
        layer_count,
        batch_at,
        vehicle_id

    from rewritten_vehicles

    union all

    select
        {%- for field in vehicle_resolved_fields() %}
        cast(null as {{ field.type }}) as {{ field.name }},
        {%- endfor %}
        false as is_available,
        cast(null as timestamp with time zone) as first_seen_at,
        cast(null as timestamp with time zone) as updated_at,
        0 as layer_count,
        {{ dbt_batch_at() }} as batch_at,
        vehicle_id

    from vehicles_left_empty

)

select * from final
