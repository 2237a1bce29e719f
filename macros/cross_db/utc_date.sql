{#
    utc_date(timestamp_expression): the calendar day, in UTC, of a timestamp with time zone, whatever the
    session's time zone (PostgreSQL casts in the session's zone; a server's default is often local).
#}
{% macro utc_date(timestamp_expression) -%}
    {{ return(adapter.dispatch('utc_date', 'dealer_warehouse')(timestamp_expression)) }}
{%- endmacro %}

{% macro default__utc_date(timestamp_expression) -%}
    cast(({{ timestamp_expression }} at time zone 'UTC') as date)
{%- endmacro %}

{% macro redshift__utc_date(timestamp_expression) -%}
    cast(convert_timezone('UTC', {{ timestamp_expression }}) as date)
{%- endmacro %}
