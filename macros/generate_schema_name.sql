{#
    Models land in schemas named exactly as configured (staging, intermediate, marts, snapshots, ...)
    on every target, not "<target schema>_<name>". The var schema_prefix isolates a personal set.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ var('schema_prefix', '') ~ target.schema | trim }}
    {%- else -%}
        {{ var('schema_prefix', '') ~ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
