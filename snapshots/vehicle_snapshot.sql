{% snapshot vehicle_snapshot %}

{#-
    A SQL snapshot, not a YAML one, because its compared columns come from the catalogue's field list
    (vehicle_snapshot_compared_columns): every column but batch_at, so a vehicle rebuilt with the same
    values is not a change. A vehicle that leaves is a row of int_vehicles_to_snapshot (layer_count 0).
    Redshift: on the slice of its vehicle and in its order, like the vehicle marts (dbt-postgres ignores it).
-#}

{{
    config(
        schema='snapshots',
        unique_key='vehicle_id',
        strategy='check',
        check_cols=vehicle_snapshot_compared_columns(),
        post_hook="{{ snapshot_indexes(this, 'vehicle_id') }}",
        hard_deletes='ignore',
        dist='vehicle_id',
        sort=['vehicle_id', 'dbt_valid_from'],
    )
}}

select * from {{ ref('int_vehicles_to_snapshot') }}

{% endsnapshot %}
