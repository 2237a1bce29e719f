{#
    Whole-day arithmetic on dates, the same result on every warehouse:
    add_days(date, n) is a date; days_between(start, end) is an integer (end - start, in days).
#}

{% macro add_days(date_expression, days_expression) -%}
    {{ return(adapter.dispatch('add_days', 'dealer_warehouse')(date_expression, days_expression)) }}
{%- endmacro %}

{% macro default__add_days(date_expression, days_expression) -%}
    cast({{ date_expression }} + cast({{ days_expression }} as integer) as date)
{%- endmacro %}

{% macro redshift__add_days(date_expression, days_expression) -%}
    cast(dateadd(day, cast({{ days_expression }} as integer), {{ date_expression }}) as date)
{%- endmacro %}

{% macro days_between(start_date_expression, end_date_expression) -%}
    {{ return(adapter.dispatch('days_between', 'dealer_warehouse')(start_date_expression, end_date_expression)) }}
{%- endmacro %}

{% macro default__days_between(start_date_expression, end_date_expression) -%}
    (cast({{ end_date_expression }} as date) - cast({{ start_date_expression }} as date))
{%- endmacro %}

{% macro redshift__days_between(start_date_expression, end_date_expression) -%}
    datediff(day, cast({{ start_date_expression }} as date), cast({{ end_date_expression }} as date))
{%- endmacro %}
