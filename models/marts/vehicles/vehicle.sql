{#-
    One row per vehicle: the VIN when valid, else one layer's own key. Each field is the winning value
    of int_vehicle_field_winners, typed back (a vehicle with one layer takes them from that layer, which
    is what its lineage says); availability and dates summarise the vehicle's layers.
-#}

with

field_winners as (

    select * from {{ ref('int_vehicle_field_winners') }}

),

ranked_layers as (

    {{ ranked_layers_to_rebuild() }}

),

vehicle_layers as (

    select
        vehicle_id,
        bool_or(is_available) as is_available,
        min(first_seen_at) as first_seen_at,
        coalesce(
            max(case when is_available then updated_at end),
            max(updated_at)
        ) as updated_at,
        -- when the last available layer went away; null while any layer is available
        case when not bool_or(is_available) then max(removed_at) end as removed_at,
        count(*) as layer_count

    from ranked_layers
    group by vehicle_id

),

shared_vehicles as (

    select vehicle_id from vehicle_layers
    where layer_count > 1

),

pivoted_fields as (

    -- a vehicle with two or more layers: its winning values, field by field
    select
        field_winners.vehicle_id,
        {{ pivot_vehicle_fields('field_winners.field_name', 'field_winners.value', '_value') }}

    from field_winners
    inner join shared_vehicles
        on field_winners.vehicle_id = shared_vehicles.vehicle_id
    group by field_winners.vehicle_id

),

winning_fields as (

    select
        {%- for field in vehicle_resolved_fields() %}
        cast({{ field.name }}_value as {{ field.type }}) as {{ field.name }},
        {%- endfor %}
        vehicle_id

    from pivoted_fields

    union all

    -- a vehicle with one layer takes every value from it (what its lineage says, without the pivot)
    select
        {%- for field in vehicle_resolved_fields() %}
        cast({{ field.name }} as {{ field.type }}) as {{ field.name }},
        {%- endfor %}
        vehicle_id

    from ranked_layers
    where vehicle_layer_count = 1

),

final as (

    select
        ----------  ids
        vehicle_layers.vehicle_id,

        ----------  the winning values
        {%- for field in vehicle_resolved_fields() %}
        winning_fields.{{ field.name }},
        {%- endfor %}

        ----------  booleans
        vehicle_layers.is_available,

        ----------  timestamps
        vehicle_layers.first_seen_at,
        vehicle_layers.updated_at,
        vehicle_layers.removed_at,

        ----------  layers
        cast(vehicle_layers.layer_count as integer) as layer_count,

        ----------  the dbt run that last rebuilt the row
        {{ dbt_batch_at() }} as batch_at

    from vehicle_layers
    left join winning_fields
        on vehicle_layers.vehicle_id = winning_fields.vehicle_id

)

select * from final
