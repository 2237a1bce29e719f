{# Seconds (with fractions) from start_ts to end_ts. #}
{% macro seconds_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('seconds_between', 'dealer_warehouse')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__seconds_between(start_ts, end_ts) -%}
    extract(epoch from ({{ end_ts }} - {{ start_ts }}))
{%- endmacro %}

{% macro redshift__seconds_between(start_ts, end_ts) -%}
    datediff(millisecond, {{ start_ts }}, {{ end_ts }}) / 1000.0
{%- endmacro %}
