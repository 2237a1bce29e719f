{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='layer_id',
        indexes=[
            {'columns': ['layer_id'], 'unique': true},
            {'columns': ['vehicle_id']},
            {'columns': ['built_at']},
        ],
        dist='layer_id',
    )
}}

{#-
    Every layer's latest state: its latest version with that content's fields, when it was first seen,
    and the vehicle it belongs to (the VIN when valid, else a key of its own). An incremental run rewrites
    the layers whose versions were rebuilt since its last run, stamped with this run's built_at, and
    remembers the last vehicle a layer left (moved_from_vehicle_id, kept until it leaves another), so the
    vehicle a corrected VIN leaves is rebuilt too.
-#}

with

versions as (

    select * from {{ ref('int_vehicle_layer_versions') }}

),

contents as (

    select * from {{ ref('int_vehicle_contents') }}

),

{%- if is_incremental() %}

rebuilt_layers as (

    -- a CTE of its own, so that versions is read once (PostgreSQL materializes a CTE read twice: every
    -- version of every layer written out, to rewrite forty thousand)
    select rebuilt.layer_id
    from {{ ref('int_vehicle_layer_versions') }} as rebuilt
    where {{ is_after_watermark('rebuilt.built_at', 'built_at') }}

),

{%- endif %}

rebuilt_versions as (

    select
        versions.*,
        row_number() over (
            partition by versions.layer_id
            order by versions.valid_from desc, versions.first_load_id desc
        ) as recency,
        min(versions.valid_from) over (partition by versions.layer_id) as first_seen_at

    from versions
    {%- if is_incremental() %}
    where versions.layer_id in (select rebuilt_layers.layer_id from rebuilt_layers)
    {%- endif %}

),

states as (

    select
        latest.{{ ['layer_id', 'corporate_id', 'source', 'external_source_id', 'first_load_id', 'last_load_id',
            'version_number', 'content_hash', 'landing_key', 'first_seen_at', 'last_seen_at'] | join(',\n        latest.') }},
        latest.valid_from as updated_at,
        latest.valid_to as removed_at,
        latest.valid_to is null as is_available,
        coalesce(contents.vin, 'layer:' || latest.layer_id) as vehicle_id,
        contents.{{ vehicle_fields() | map(attribute='name') | join(',\n        contents.') }}

    from rebuilt_versions as latest
    left join contents
        on latest.layer_id = contents.layer_id and latest.content_hash = contents.content_hash
    where latest.recency = 1

),

previous_states as (

    {%- if is_incremental() %}
    select * from {{ this }}
    {%- else %}
    select
        layer_id,
        vehicle_id,
        cast(null as varchar) as moved_from_vehicle_id
    from states
    where false
    {%- endif %}

),

final as (

    select
        states.*,
        case
            when previous_states.vehicle_id <> states.vehicle_id then previous_states.vehicle_id
            else previous_states.moved_from_vehicle_id
        end as moved_from_vehicle_id,
        {{ dbt_batch_at() }} as built_at

    from states
    left join previous_states
        on states.layer_id = previous_states.layer_id

)

select * from final
