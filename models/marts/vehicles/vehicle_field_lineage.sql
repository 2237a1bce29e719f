{{ config(materialized='view') }}

{#-
    For every vehicle and catalogue field, the winning value and where it comes from. A vehicle with one
    layer takes every value from it (unpivoted here, on read: about 85% of vehicles, never written twice);
    a vehicle with two or more layers takes the winners of int_vehicle_field_winners. A field no layer
    fills has no row.
-#}

{%- set carried_columns = [
    'vehicle_id', 'layer_id', 'source', 'corporate_id', 'external_source_id', 'first_load_id', 'landing_key',
    'updated_at', 'batch_at',
] %}

with

field_winners as (

    select * from {{ ref('int_vehicle_field_winners') }}

),

single_layer_fields as (
    {#- it reads the table itself: a filter on the view (a vehicle, a batch) reaches its indexes -#}
    {{ unpivot_vehicle_fields(
        'single_layers', carried_columns, ref('int_vehicle_layers_ranked'), 'single_layers.vehicle_layer_count = 1'
    ) }}
),

final as (

    select
        {{ vehicle_lineage_columns() | join(',\n        ') }},
        batch_at

    from single_layer_fields

    union all

    select
        {%- for column in vehicle_lineage_columns() %}
        {{ column.split(' as ')[-1] }},
        {%- endfor %}
        batch_at

    from field_winners

)

select * from final
