{#
    Text -> typed values, never failing a build on a bad value: what does not match the expected
    shape becomes null. The regular-expression guard and to_date / to_timestamp work on PostgreSQL
    and Redshift alike; dispatch lets a warehouse override them.
#}

{# number: 12345.00 | italian_number: 21.900 (thousands) or 5,3 (decimal) #}
{% macro parse_number(text_expression, style='number') -%}
    {{ return(adapter.dispatch('parse_number', 'dealer_warehouse')(text_expression, style)) }}
{%- endmacro %}

{% macro default__parse_number(text_expression, style='number') -%}
    {%- if style == 'italian_number' -%}
        {%- set cleaned = "replace(replace(trim(" ~ text_expression ~ "), '.', ''), ',', '.')" -%}
    {%- else -%}
        {%- set cleaned = "replace(trim(" ~ text_expression ~ "), ',', '')" -%}
    {%- endif -%}
    (case when {{ cleaned }} ~ '^-?[0-9]+([.][0-9]+)?$' then cast({{ cleaned }} as numeric(18, 4)) end)
{%- endmacro %}

{# Dates: 'YYYY-MM-DD', 'YYYY-MM' and 'MM/YYYY' (month precision becomes the 1st), 'DD-MM-YYYY HH:MM'. #}
{% macro parse_date(text_expression, date_format) -%}
    {{ return(adapter.dispatch('parse_date', 'dealer_warehouse')(text_expression, date_format)) }}
{%- endmacro %}

{% macro default__parse_date(text_expression, date_format) -%}
    {%- set value = "trim(" ~ text_expression ~ ")" -%}
    {%- if date_format == 'YYYY-MM-DD' -%}
    (case when {{ value }} ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])' then to_date(substring({{ value }}, 1, 10), 'YYYY-MM-DD') end)
    {%- elif date_format == 'YYYY-MM' -%}
    (case when {{ value }} ~ '^[0-9]{4}-(0?[1-9]|1[0-2])$' then to_date({{ value }} || '-01', 'YYYY-MM-DD') end)
    {%- elif date_format == 'MM/YYYY' -%}
    (case when {{ value }} ~ '^(0?[1-9]|1[0-2])/[0-9]{4}$' then to_date('01/' || {{ value }}, 'DD/MM/YYYY') end)
    {%- elif date_format == 'DD-MM-YYYY HH:MM' -%}
    (case when {{ value }} ~ '^(0[1-9]|[12][0-9]|3[01])-(0[1-9]|1[0-2])-[0-9]{4}' then to_date(substring({{ value }}, 1, 10), 'DD-MM-YYYY') end)
    {%- else -%}
    {{ exceptions.raise_compiler_error("parse_date: unknown format " ~ date_format) }}
    {%- endif -%}
{%- endmacro %}
