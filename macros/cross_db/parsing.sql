{#
    Text -> typed values, never failing a build on a bad value: what does not match the expected
    shape becomes null. The regular-expression guard and to_date / to_timestamp work on PostgreSQL
    and Redshift alike; dispatch lets a warehouse override them.
#}

{# number: 12345.00 | italian_number: 21.900 (thousands) or 5,3 (decimal) #}
{% macro parse_number(text_expression, style='number', shape=none) -%}
    {{ return(adapter.dispatch('parse_number', 'dealer_warehouse')(text_expression, style, shape)) }}
{%- endmacro %}

{# shape: the catalogue's number pattern, when the caller has the list at hand (else read here) #}
{% macro default__parse_number(text_expression, style='number', shape=none) -%}
    {%- if style == 'italian_number' -%}
        {%- set cleaned = "replace(replace(trim(" ~ text_expression ~ "), '.', ''), ',', '.')" -%}
    {%- else -%}
        {%- set cleaned = "replace(trim(" ~ text_expression ~ "), ',', '')" -%}
    {%- endif -%}
    (case when {{ cleaned }} ~ '{{ shape or catalogue_fields().hint_patterns.number }}' then cast({{ cleaned }} as numeric(18, 4)) end)
{%- endmacro %}

{#
    Dates, by the track's hint: 'YYYY-MM-DD', 'YYYY-MM' and 'MM/YYYY' (month precision: the 1st),
    'YYYY' (year precision: January 1st), 'DD-MM-YYYY HH:MM', 'ISO 8601' (a date or a date-time with an
    offset: the date as written). The shape each must have is the catalogue's hint_patterns, which the
    extractor's per-file counts use too (macros/vehicles/catalogue_fields.sql).
#}
{% macro parse_date(text_expression, date_format, shape=none) -%}
    {{ return(adapter.dispatch('parse_date', 'dealer_warehouse')(text_expression, date_format, shape)) }}
{%- endmacro %}

{# shape: the catalogue's pattern of the format, when the caller has the list at hand (else read here) #}
{% macro default__parse_date(text_expression, date_format, shape=none) -%}
    {%- set value = "trim(" ~ text_expression ~ ")" -%}
    {%- set shape = shape or catalogue_fields().hint_patterns.get(date_format) -%}
    {%- if date_format in ('YYYY-MM-DD', 'ISO 8601') -%}
        {%- set typed = "to_date(substring(" ~ value ~ ", 1, 10), 'YYYY-MM-DD')" -%}
    {%- elif date_format == 'YYYY-MM' -%}
        {%- set typed = "to_date(" ~ value ~ " || '-01', 'YYYY-MM-DD')" -%}
    {%- elif date_format == 'MM/YYYY' -%}
        {%- set typed = "to_date('01/' || " ~ value ~ ", 'DD/MM/YYYY')" -%}
    {%- elif date_format == 'YYYY' -%}
        {%- set typed = "to_date(" ~ value ~ " || '-01-01', 'YYYY-MM-DD')" -%}
    {%- elif date_format == 'DD-MM-YYYY HH:MM' -%}
        {%- set typed = "to_date(substring(" ~ value ~ ", 1, 10), 'DD-MM-YYYY')" -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("parse_date: unknown format " ~ date_format) }}
    {%- endif -%}
    (case when {{ value }} ~ '{{ shape }}' then {{ typed }} end)
{%- endmacro %}

{#
    A date-time as the old Unificado table wrote FECHA_COPIA: 'YYYY-MM-DD HH:MM:SS.fff' (seconds and
    fraction optional, 'T' accepted), or a date alone; null for anything else.
#}
{% macro parse_timestamp(text_expression) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'dealer_warehouse')(text_expression)) }}
{%- endmacro %}

{% macro default__parse_timestamp(text_expression) -%}
    {%- set value = "trim(" ~ text_expression ~ ")" -%}
    (case
        when {{ value }} ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,6})?)?)?$'
            then cast(replace({{ value }}, 'T', ' ') as timestamp)
    end)
{%- endmacro %}
