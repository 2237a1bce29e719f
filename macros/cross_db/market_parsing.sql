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
    A price file's date, read in the order the extractor decided for the whole file (date_order_expression:
    a column holding 'DMY', 'MDY' or 'YMD'): numbers with '/', '-' or '.' (31-10-2026, 10/31/2026, 8/1/2010,
    31.10.2026, 2026-10-31), or a month's English, Italian or Spanish name or abbreviation before the day
    ("Oct 31, 2026", "ott 31, 2026") or after it ("31 ottobre 2026", "31-oct-2026", "31 de octubre de 2026").
    The extractor has checked every date of the file against the order; what does not match is null.
#}
{% macro parse_price_date(text_expression, date_order_expression) -%}
    {{ return(adapter.dispatch('parse_price_date', 'dealer_warehouse')(text_expression, date_order_expression)) }}
{%- endmacro %}

{% macro default__parse_price_date(text_expression, date_order_expression) -%}
    {%- set value = "trim(" ~ text_expression ~ ")" -%}
    {%- set numbers = "replace(replace(" ~ value ~ ", '.', '/'), '-', '/')" -%}
    {%- set day = '(0?[1-9]|[12][0-9]|3[01])' -%}
    {%- set month = '(0?[1-9]|1[0-2])' -%}
    (case
        when {{ date_order_expression }} = 'DMY' and {{ numbers }} ~ '^{{ day }}/{{ month }}/[0-9]{4}$'
            then to_date({{ numbers }}, 'DD/MM/YYYY')
        when {{ date_order_expression }} = 'MDY' and {{ numbers }} ~ '^{{ month }}/{{ day }}/[0-9]{4}$'
            then to_date({{ numbers }}, 'MM/DD/YYYY')
        when {{ numbers }} ~ '^[0-9]{4}/{{ month }}/{{ day }}$'
            then to_date({{ numbers }}, 'YYYY/MM/DD')
        when {{ value }} ~ '^[A-Za-z]{3,}[.]? +{{ day }},? +[0-9]{4}$'
            or {{ value }} ~ '^{{ day }}[ ./-]+(de +)?[A-Za-z]{3,}[.]?[ ./-]+(de +)?[0-9]{4}$'
            then to_date(
                {{ regex_capture(value, '([0-9]{4})') }}
                || {{ month_of_name(regex_capture(value, '([A-Za-z]{3,})')) }}
                || lpad({{ regex_capture(value, '([0-9]{1,2})') }}, 2, '0'),
                'YYYYMMDD'
            )
    end)
{%- endmacro %}

{#
    The month ('01' to '12') an English, Italian or Spanish month name or abbreviation names, by its first
    three letters (unique to one month across the three languages: jan/gen/ene, ..., dec/dic); null for any
    other word.
#}
{% macro month_of_name(text_expression) -%}
    {%- set months = [
        ['01', 'jan', 'gen', 'ene'], ['02', 'feb'], ['03', 'mar'], ['04', 'apr', 'abr'],
        ['05', 'may', 'mag'], ['06', 'jun', 'giu'], ['07', 'jul', 'lug'], ['08', 'aug', 'ago'],
        ['09', 'sep', 'set'], ['10', 'oct', 'ott'], ['11', 'nov'], ['12', 'dec', 'dic'],
    ] -%}
    (case left(lower({{ text_expression }}), 3)
        {%- for month in months %}{% for prefix in month[1:] %}
        when '{{ prefix }}' then '{{ month[0] }}'
        {%- endfor %}{% endfor %}
    end)
{%- endmacro %}
