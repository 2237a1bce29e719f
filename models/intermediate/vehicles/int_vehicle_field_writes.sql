{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='layer_id',
        indexes=[{'columns': ['layer_id']}, {'columns': ['batch_at']}],
        sort=['layer_id'],
        dist='layer_id',
    )
}}

{#-
    When each layer of a shared vehicle wrote the value it holds now, field by field: the valid_from of
    the first version of the trailing run of versions holding that value (an unchanged re-delivery is
    not a new write). Only layers with two or more versions: the model's description says why.
-#}

with

ranked_layers as (

    {{ ranked_layers_to_rebuild() }}

),

versions as (

    select * from {{ ref('int_vehicle_layer_versions') }}

),

contents as (

    select * from {{ ref('int_vehicle_contents') }}

),

shared_layers as (

    select layer_id

    from ranked_layers
    where vehicle_layer_count > 1 and version_number > 1

),

shared_versions as (

    -- each version with its content's fields
    select
        versions.layer_id,
        versions.version_number,
        versions.valid_from,
        versions.first_load_id,
        contents.{{ vehicle_resolved_fields() | map(attribute='name') | join(',\n        contents.') }}

    from versions
    inner join shared_layers
        on versions.layer_id = shared_layers.layer_id
    left join contents
        on versions.layer_id = contents.layer_id and versions.content_hash = contents.content_hash

),

field_versions as (

    {% for field in vehicle_resolved_fields() -%}
    select
        layer_id,
        version_number,
        valid_from,
        first_load_id,
        '{{ field.name }}' as field_name,
        cast({{ field.name }} as {{ vehicle_field_value_type() }}) as value
    from shared_versions
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

),

value_changes as (

    select
        *,
        case
            when
                lag(value) over (partition by layer_id, field_name order by version_number) = value
                or (
                    value is null
                    and lag(value) over (partition by layer_id, field_name order by version_number) is null
                    and version_number > 1
                )
                then 0
            else 1
        end as starts_run

    from field_versions

),

value_runs as (

    select
        *,
        sum(starts_run) over (
            partition by layer_id, field_name
            order by version_number
            rows between unbounded preceding and current row
        ) as run_number,
        max(version_number) over (partition by layer_id, field_name) as latest_version_number

    from value_changes

),

current_runs as (

    select
        layer_id,
        field_name,
        run_number

    from value_runs
    where version_number = latest_version_number and value is not null

),

final as (

    select
        value_runs.layer_id,
        value_runs.field_name,
        min(value_runs.valid_from) as written_at,
        min(value_runs.first_load_id) as written_load_id,
        {{ dbt_batch_at() }} as batch_at

    from value_runs
    inner join current_runs
        on
            value_runs.layer_id = current_runs.layer_id
            and value_runs.field_name = current_runs.field_name
            and value_runs.run_number = current_runs.run_number
    group by value_runs.layer_id, value_runs.field_name

)

select * from final
