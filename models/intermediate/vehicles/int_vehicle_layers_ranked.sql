{{
    config(
        post_hook='{{ refresh_statistics(this) }}',
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
    )
}}

{#-
    Every layer's latest state (its latest version in vehicle_layer_history), assigned to its vehicle
    (the VIN when valid, else a key of its own) and ranked among that vehicle's layers: the source's
    priority first (source_priority seed, 0 when absent), then the layer's last change (valid_from of
    its latest version: re-sending unchanged content is not a write), then the load that wrote it.
    Rank 1 is the winning layer for images and optionals; fields are ranked one by one
    (vehicle_field_lineage).

    An incremental run re-ranks only the vehicles touched since its last run: those of the layers
    whose history was rebuilt or whose source's priority the seed changed, under their new and their
    previous vehicle id. Every layer of a touched
    vehicle is rewritten with this run's batch_at, which is how the marts after it find their work.
-#}

{%- set state_columns = [
    'layer_id', 'corporate_id', 'source', 'external_source_id', 'first_load_id', 'last_load_id',
    'version_number', 'content_hash', 'landing_key', 'first_seen_at', 'last_seen_at',
    'updated_at', 'removed_at', 'is_available', 'vehicle_id',
] + vehicle_fields() | map(attribute='name') | list %}

with

history as (

    select * from {{ ref('vehicle_layer_history') }}

),

source_priority as (

    select * from {{ ref('source_priority') }}

),

{%- if is_incremental() %}

rebuilt_layers as (

    -- layers whose history changed since the last run, and layers whose source priority the seed changed
    select history.layer_id

    from history
    where
        history.built_at > (
            select coalesce(max(ranked.batch_at), {{ dbt_batch_epoch() }})
            from {{ this }} as ranked
        )

    union

    select ranked.layer_id

    from {{ this }} as ranked
    left join source_priority
        on ranked.source = upper(source_priority.source)
    where coalesce(source_priority.priority, 0) <> ranked.source_priority

),

{%- endif %}

rebuilt_versions as (

    select
        history.*,
        row_number() over (
            partition by history.layer_id
            order by history.valid_from desc, history.first_load_id desc
        ) as recency,
        min(history.valid_from) over (partition by history.layer_id) as first_seen_at

    from history
    {%- if is_incremental() %}
    where history.layer_id in (select rebuilt_layers.layer_id from rebuilt_layers)
    {%- endif %}

),

rebuilt_states as (

    select
        layer_id,
        corporate_id,
        source,
        external_source_id,
        first_load_id,
        last_load_id,
        version_number,
        content_hash,
        {%- for field in vehicle_fields() %}
        {{ field.name }},
        {%- endfor %}
        landing_key,
        first_seen_at,
        last_seen_at,
        valid_from as updated_at,
        valid_to as removed_at,
        valid_to is null as is_available,
        coalesce(vin, 'layer:' || layer_id) as vehicle_id

    from rebuilt_versions
    where recency = 1

),

{%- if is_incremental() %}

previous_assignments as (

    select
        ranked.layer_id,
        ranked.vehicle_id,
        ranked.moved_from_vehicle_id

    from {{ this }} as ranked
    where ranked.layer_id in (select rebuilt_layers.layer_id from rebuilt_layers)

),

touched_vehicles as (

    select vehicle_id from rebuilt_states
    union
    select vehicle_id from previous_assignments

),

layer_states as (

    -- the untouched layers of touched vehicles as they are, the rebuilt ones in their new state
    select
        ranked.{{ state_columns | join(',\n        ranked.') }},
        ranked.moved_from_vehicle_id

    from {{ this }} as ranked
    where
        ranked.vehicle_id in (select touched_vehicles.vehicle_id from touched_vehicles)
        and ranked.layer_id not in (select rebuilt_layers.layer_id from rebuilt_layers)

    union all

    select
        rebuilt_states.{{ state_columns | join(',\n        rebuilt_states.') }},
        -- the last vehicle the layer left (kept until it leaves another): the marts drop that vehicle
        -- when it has no layer left
        case
            when previous_assignments.vehicle_id <> rebuilt_states.vehicle_id
                then previous_assignments.vehicle_id
            else previous_assignments.moved_from_vehicle_id
        end as moved_from_vehicle_id

    from rebuilt_states
    left join previous_assignments
        on rebuilt_states.layer_id = previous_assignments.layer_id

),

{%- else %}

layer_states as (

    select
        *,
        cast(null as varchar) as moved_from_vehicle_id

    from rebuilt_states

),

{%- endif %}

prioritised_layers as (

    select
        layer_states.*,
        coalesce(source_priority.priority, 0) as source_priority

    from layer_states
    left join source_priority
        on layer_states.source = upper(source_priority.source)

),

final as (

    select
        *,
        row_number() over (
            partition by vehicle_id
            order by source_priority desc, updated_at desc, first_load_id desc, layer_id asc
        ) as layer_rank,
        count(*) over (partition by vehicle_id) as vehicle_layer_count,
        {{ dbt_batch_at() }} as batch_at

    from prioritised_layers

)

select * from final
