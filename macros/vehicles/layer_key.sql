{# The stable key of one layer: a corporate's vehicle in one DMS (md5 of its three parts). #}
{% macro layer_key(corporate_id, source, external_source_id) -%}
    md5(
        coalesce(cast({{ corporate_id }} as varchar), '') || '|'
        || coalesce(cast({{ source }} as varchar), '') || '|'
        || coalesce(cast({{ external_source_id }} as varchar), '')
    )
{%- endmacro %}
