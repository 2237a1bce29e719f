{{ config(materialized='view') }}

{#-
    The audit trail BI reads: every version of every layer (int_vehicle_layer_versions) with the catalogue
    fields of its content (int_vehicle_contents, typed once per distinct content).
-#}

with

versions as (

    select * from {{ ref('int_vehicle_layer_versions') }}

),

contents as (

    select * from {{ ref('int_vehicle_contents') }}

),

final as (

    select
        ----------  ids
        versions.layer_id,
        versions.corporate_id,
        versions.source,
        versions.external_source_id,
        versions.first_load_id,
        versions.last_load_id,
        versions.content_hash,

        ----------  validity
        versions.valid_from,
        versions.valid_to,
        versions.last_seen_at,
        versions.landing_key,

        ----------  the version's fields
        contents.vin_as_delivered,
        {%- for field in vehicle_fields() %}
        contents.{{ field.name }},
        {%- endfor %}

        ----------  the dbt run that last (re)built this version
        versions.built_at,

        ----------  numbering and flags
        versions.version_number,
        versions.is_current

    from versions
    left join contents
        on
            versions.layer_id = contents.layer_id
            and versions.content_hash = contents.content_hash

)

select * from final
