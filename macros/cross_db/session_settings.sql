{#
    Session settings every model needs on its warehouse, run as a pre-hook. Redshift: the raw records'
    JSON keys are mixed case (Public/Brand), which SUPER navigation only matches with case-sensitive
    identifiers. PostgreSQL needs nothing (the hook renders empty and dbt skips it).
#}
{% macro session_settings() -%}
    {{ return(adapter.dispatch('session_settings', 'dealer_warehouse')()) }}
{%- endmacro %}

{% macro default__session_settings() -%}
{%- endmacro %}

{% macro redshift__session_settings() -%}
    set enable_case_sensitive_identifier to true
{%- endmacro %}
