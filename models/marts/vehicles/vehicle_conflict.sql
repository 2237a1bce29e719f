{#-
    Where the DMS disagree: for every vehicle and field on which its currently available layers hold
    more than one distinct value, one row per available layer holding a value, and whether that value
    is the one vehicle shows (the winner in int_vehicle_field_winners).
    Only vehicles with two or more available layers can disagree, and only their disputed fields are
    unpivoted.
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

flagged_layers as (

    -- per field, whether the vehicle's available layers hold more than one value: the lowest and the
    -- highest of its values as text differ (null is no value). Windows over the vehicle's few layers, so
    -- that only the disputed fields are unpivoted (975,000 rows of 3.6 million at 1M vehicles).
    select
        {%- for field in vehicle_resolved_fields() %}
        {%- set value = 'cast(available_shared_layers.' ~ field.name ~ ' as ' ~ vehicle_field_value_type() ~ ')' %}
        {%- set per_vehicle = ' over (partition by available_shared_layers.vehicle_id)' %}
        min({{ value }}){{ per_vehicle }} <> max({{ value }}){{ per_vehicle }} as {{ field.name }}_is_disputed,
        {%- endfor %}
        available_shared_layers.*

    from available_shared_layers

),

disputed_values as (
    {{ unpivot_vehicle_fields('flagged_layers', carried_columns, field_flag_suffix='_is_disputed') }}
),

field_winners as (

    -- the winners of the vehicles that can disagree
    select * from {{ ref('int_vehicle_field_winners') }}
    where vehicle_id in (select available_shared_layers.vehicle_id from available_shared_layers)

),

final as (

    select
        disputed_values.vehicle_id,
        disputed_values.field_name,
        disputed_values.source,
        disputed_values.corporate_id,
        disputed_values.external_source_id,
        disputed_values.layer_id,
        disputed_values.value,
        coalesce(disputed_values.layer_id = field_winners.layer_id, false) as is_winner,
        {{ dbt_batch_at() }} as batch_at

    from disputed_values
    left join field_winners
        on
            disputed_values.vehicle_id = field_winners.vehicle_id
            and disputed_values.field_name = field_winners.field_name

)

select * from final
