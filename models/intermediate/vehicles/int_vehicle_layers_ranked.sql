{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='layer_id',
        indexes=[
            {'columns': ['layer_id'], 'unique': true},
            {'columns': ['vehicle_id']},
            {'columns': ['batch_at']},
            {'columns': ['moved_from_vehicle_id']},
        ],
        sort=['vehicle_id'],
        dist='vehicle_id',
        pre_hook=["{% if is_incremental() %}{{ touched_rows_settings() }}{% endif %}"],
    )
}}

{#-
    Every layer's latest state (int_vehicle_layer_states) ranked among its vehicle's layers: the source's
    priority first (source_priority seed, 0 when absent), then the layer's last change (valid_from of its
    latest version: re-sending unchanged content is not a write), then the load that wrote it. Rank 1 is
    the winning layer for images and optionals; fields are ranked one by one (int_vehicle_field_winners).

    An incremental run re-ranks only the vehicles touched since its last run: those of the layers whose
    state changed (under their new and their previous vehicle id) or whose source's priority the seed
    changed. Every layer of a touched vehicle is rewritten with this run's batch_at, which is how the marts
    after it find their work.
-#}

with

layer_states as (

    select * from {{ ref('int_vehicle_layer_states') }}

),

source_priority as (

    select * from {{ ref('source_priority') }}

),

{%- if is_incremental() %}

changed_layer_states as (

    -- a CTE of its own, so that layer_states is read once and its index on vehicle_id serves the touched
    -- vehicles (PostgreSQL materializes a CTE read twice: every layer state, written out and sorted)
    select
        changed.vehicle_id,
        changed.moved_from_vehicle_id
    from {{ ref('int_vehicle_layer_states') }} as changed
    where {{ is_after_watermark('changed.built_at', 'batch_at') }}

),

touched_vehicles as (

    select changed_layer_states.vehicle_id from changed_layer_states

    union

    select changed_layer_states.moved_from_vehicle_id from changed_layer_states
    where changed_layer_states.moved_from_vehicle_id is not null

    union

    -- the vehicles of the layers whose source priority the seed changed
    select ranked.vehicle_id

    from {{ this }} as ranked
    left join source_priority
        on ranked.source = upper(source_priority.source)
    where coalesce(source_priority.priority, 0) <> ranked.source_priority

),

{%- endif %}

prioritised_layers as (

    select
        {%- for column in layer_state_columns() %}
        layer_states.{{ column }},
        {%- endfor %}
        coalesce(source_priority.priority, 0) as source_priority

    from layer_states
    left join source_priority
        on layer_states.source = upper(source_priority.source)
    {%- if is_incremental() %}
    where layer_states.vehicle_id in (select touched_vehicles.vehicle_id from touched_vehicles)
    {%- endif %}

),

final as (

    select
        prioritised_layers.*,
        row_number() over (
            partition by prioritised_layers.vehicle_id
            order by
                prioritised_layers.source_priority desc,
                prioritised_layers.updated_at desc,
                prioritised_layers.first_load_id desc,
                prioritised_layers.layer_id asc
        ) as layer_rank,
        count(*) over (partition by prioritised_layers.vehicle_id) as vehicle_layer_count,
        {{ dbt_batch_at() }} as batch_at

    from prioritised_layers

)

select * from final
