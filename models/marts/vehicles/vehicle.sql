{#-
    One row per vehicle: the VIN when valid, else one layer's own key. Each field is the winning value
    of vehicle_field_lineage, typed back; availability and dates summarise the vehicle's layers.
-#}

with

lineage as (

    select * from {{ ref('vehicle_field_lineage') }}

),

ranked_layers as (

    select * from {{ ref('int_vehicle_layers_ranked') }}

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
        count(*) as layer_count

    from ranked_layers
    group by vehicle_id

),

pivoted_fields as (

    select
        vehicle_id,
        {{ pivot_vehicle_fields('field_name', 'value', '_value') }}

    from lineage
    group by vehicle_id

),

final as (

    select
        ----------  ids
        vehicle_layers.vehicle_id,

        ----------  the winning values, typed back
        {%- for field in vehicle_resolved_fields() %}
        cast(pivoted_fields.{{ field.name }}_value as {{ field.type }}) as {{ field.name }},
        {%- endfor %}

        ----------  booleans
        vehicle_layers.is_available,

        ----------  timestamps
        vehicle_layers.first_seen_at,
        vehicle_layers.updated_at,

        ----------  layers
        cast(vehicle_layers.layer_count as integer) as layer_count

    from vehicle_layers
    left join pivoted_fields
        on vehicle_layers.vehicle_id = pivoted_fields.vehicle_id

)

select * from final
