{% snapshot vehicle_snapshot %}

{#-
    The change history of `vehicle`. A SQL snapshot, not a YAML one, because its compared columns come from
    the catalogue's field list (vehicle_snapshot_compared_columns): every column but batch_at, so a vehicle
    rebuilt with the same values is not a change. Each build compares the vehicles rewritten since the
    newest batch the snapshot holds (a vehicle the builds did not touch cannot have changed, so the million
    others are not compared; a build whose snapshot was skipped is caught up by the next), plus one row for
    every vehicle left without layers (its VIN corrected away): no values, is_available false, layer_count
    0. With `--vars '{snapshot_all_vehicles: true}'` it compares every vehicle.
    Redshift: on the slice of its vehicle and in its order, like the vehicle marts (dbt-postgres ignores it).
-#}

{{
    config(
        schema='snapshots',
        unique_key='vehicle_id',
        strategy='check',
        check_cols=vehicle_snapshot_compared_columns(),
        post_hook=["{{ snapshot_indexes(this, 'vehicle_id', 'batch_at') }}", "{{ refresh_statistics(this) }}"],
        hard_deletes='ignore',
        dist='vehicle_id',
        sort=['vehicle_id', 'dbt_valid_from'],
    )
}}

{%- set snapshotted = none -%}
{%- if execute and not var('snapshot_all_vehicles', false) -%}
    {%- set snapshotted = existing_relation(this.database, this.schema, this.identifier) -%}
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
    {%- if snapshotted is not none %}
    where batch_at > {{ watermark('batch_at', snapshotted) }}
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

{% endsnapshot %}
