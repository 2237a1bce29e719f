{#-
    What vehicle_snapshot compares on each build: the `vehicle` rows rewritten since the newest batch
    the snapshot already holds (a vehicle the builds did not touch cannot have changed, so the snapshot
    does not compare the million others; a build whose snapshot was skipped is caught up by the next),
    plus one row for every vehicle left without layers (its VIN corrected away), with no values,
    is_available false and layer_count 0. With `--vars '{snapshot_all_vehicles: true}'` it compares
    every vehicle. The snapshot is looked up by name, not ref(): it is built from this model.
-#}

{%- set snapshot_relation = none -%}
{%- if execute and not var('snapshot_all_vehicles', false) -%}
    {%- set snapshot_relation = existing_relation(
        database=target.database,
        schema=generate_schema_name('snapshots', none) | trim,
        identifier='vehicle_snapshot',
    ) -%}
{%- endif %}

with

vehicles as (

    select * from {{ ref('vehicle') }}

),

ranked_layers as (

    select * from {{ ref('int_vehicle_layers_ranked') }}

),

rewritten_vehicles as (

    select * from vehicles
    {%- if snapshot_relation is not none %}
    where
        batch_at > (
            select coalesce(max(snapshotted.batch_at), {{ dbt_batch_epoch() }})
            from {{ snapshot_relation }} as snapshotted
        )
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
