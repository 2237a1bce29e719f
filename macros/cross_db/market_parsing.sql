{#
    Text -> typed values for market data files, never failing a build on a bad value: what does not match
    the expected shape becomes null (see parsing.sql for the catalogue's formats).
#}

{#
    A decimal number with thousands separators, exact (numeric, never float), at a scale that keeps the
    decimals of small prices (parse_number in parsing.sql stops at 4):
    style 'number' reads US numbers ("65,619.5"), 'italian_number' Italian ones ("65.619,5").
#}
{% macro parse_decimal(text_expression, style='number', precision=28, scale=10) -%}
    {{ return(adapter.dispatch('parse_decimal', 'dealer_warehouse')(text_expression, style, precision, scale)) }}
{%- endmacro %}

{% macro default__parse_decimal(text_expression, style='number', precision=28, scale=10) -%}
    {%- if style == 'italian_number' -%}
        {%- set cleaned = "replace(replace(replace(trim(" ~ text_expression ~ "), ' ', ''), '.', ''), ',', '.')" -%}
    {%- elif style == 'number' -%}
        {%- set cleaned = "replace(replace(trim(" ~ text_expression ~ "), ' ', ''), ',', '')" -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("parse_decimal: style must be number or italian_number, not " ~ style) }}
    {%- endif -%}
    (case
        when {{ cleaned }} ~ '^[-+]?[0-9]+([.][0-9]*)?$'
            then cast({{ cleaned }} as numeric({{ precision }}, {{ scale }}))
    end)
{%- endmacro %}

{#
    A calendar date written with numbers in the given field order:
    'MDY' reads 10/31/2026 (Investing.com, English); 'DMY' reads 31.10.2026, 31/10/2026 or 31-10-2026
    (Investing.com, Italian). Either also reads the older English export form "Oct 31, 2026".
#}
{% macro parse_ordered_date(text_expression, field_order) -%}
    {{ return(adapter.dispatch('parse_ordered_date', 'dealer_warehouse')(text_expression, field_order)) }}
{%- endmacro %}

{% macro default__parse_ordered_date(text_expression, field_order) -%}
    {%- set value = "replace(replace(trim(" ~ text_expression ~ "), '.', '/'), '-', '/')" -%}
    {%- set day = '(0?[1-9]|[12][0-9]|3[01])' -%}
    {%- set month = '(0?[1-9]|1[0-2])' -%}
    {%- if field_order == 'MDY' -%}
        {%- set pattern = '^' ~ month ~ '/' ~ day ~ '/[0-9]{4}$' -%}
        {%- set date_format = 'MM/DD/YYYY' -%}
    {%- elif field_order == 'DMY' -%}
        {%- set pattern = '^' ~ day ~ '/' ~ month ~ '/[0-9]{4}$' -%}
        {%- set date_format = 'DD/MM/YYYY' -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("parse_ordered_date: field_order must be 'MDY' or 'DMY', not " ~ field_order) }}
    {%- endif -%}
    (case
        when {{ value }} ~ '{{ pattern }}' then to_date({{ value }}, '{{ date_format }}')
        when trim({{ text_expression }}) ~ '^[A-Za-z]{3} {{ day }}, [0-9]{4}$'
            then to_date(trim({{ text_expression }}), 'Mon DD, YYYY')
    end)
{%- endmacro %}
