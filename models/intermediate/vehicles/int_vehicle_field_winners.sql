{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        indexes=[{'columns': ['vehicle_id']}, {'columns': ['batch_at']}],
        pre_hook=['{{ delete_rows_of_touched_vehicles(this) }}'],
        dist='vehicle_id',
        sort=['vehicle_id'],
    )
}}

{#-
    For every vehicle with two or more layers and every catalogue field, the winning value and where it
    comes from: among the vehicle's layers holding a value for the field, the source with the highest
    priority, then the layer that wrote this value last (int_vehicle_field_writes: an unchanged
    re-delivery is not a new write), then load order. The origin columns name the delivery that brought
    the layer's current version (its first feed), so they change only when the layer does. A vehicle with
    one layer needs no ranking: vehicle_field_lineage takes its values from that layer. An incremental run
    rewrites the vehicles re-ranked since its last run.
-#}

{%- set carried_columns = [
    'vehicle_id', 'layer_id', 'source', 'corporate_id', 'external_source_id',
    'first_load_id', 'landing_key', 'layer_rank', 'source_priority', 'updated_at',
] %}

with

ranked_layers as (

    {{ ranked_layers_to_rebuild() }}

),

field_writes as (

    select * from {{ ref('int_vehicle_field_writes') }}

),

shared_layers as (

    select * from ranked_layers
    where vehicle_layer_count > 1

),

shared_layer_fields as (
    {{ unpivot_vehicle_fields('shared_layers', carried_columns) }}
),

ranked_fields as (

    -- field-level last writer wins: priority first, then when the layer wrote this value, then load order
    select
        shared_layer_fields.*,
        row_number() over (
            partition by shared_layer_fields.vehicle_id, shared_layer_fields.field_name
            order by
                shared_layer_fields.source_priority desc,
                coalesce(field_writes.written_at, shared_layer_fields.updated_at) desc,
                coalesce(field_writes.written_load_id, shared_layer_fields.first_load_id) desc,
                shared_layer_fields.layer_rank asc
        ) as field_rank

    from shared_layer_fields
    left join field_writes
        on
            shared_layer_fields.layer_id = field_writes.layer_id
            and shared_layer_fields.field_name = field_writes.field_name

),

final as (

    select
        {{ vehicle_lineage_columns() | join(',\n        ') }},
        {{ dbt_batch_at() }} as batch_at

    from ranked_fields
    where field_rank = 1

)

select * from final
