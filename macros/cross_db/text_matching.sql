{#
    Text helpers whose result must not depend on the database's locale or collation.

    unicode_upper: upper case for matching (vocabularies). PostgreSQL's upper() follows the collation:
    under the C locale (the default of many servers) it leaves every non-ASCII letter as it is, so
    `Бензин` would never match `БЕНЗИН`. The PostgreSQL version upper-cases under the built-in collation
    `pg_c_utf8` (PostgreSQL 17 and later; the embedded warehouse runs 18): Unicode's simple case mapping,
    one letter for one, the same whatever the database's locale, and as fast as a plain upper(). (The
    translate() over a map of 400 letters it replaces cost 5 us a value: a quarter of typing a record.)
    Redshift's upper() is Unicode-aware on its own. Both sides of a comparison go through it, so a key
    and a feed value always agree.

    regex_capture: the first capture group of a regular expression, or null when it does not match.
#}

{#
    A literal upper-cased in the template as unicode_upper does it in SQL (each letter to its one-letter
    upper case; a letter whose upper case is longer, like ß, stays), so a vocabulary key is compared as a
    plain string: `case unicode_upper(x) when 'БЕНЗИН'` instead of upper-casing every key in SQL.
#}
{% macro unicode_upper_literal(text) -%}
    {%- set upper_cased = [] -%}
    {%- for character in text -%}
        {%- set upper = character | upper -%}
        {%- do upper_cased.append(upper if upper | length == 1 else character) -%}
    {%- endfor -%}
    {{ return(upper_cased | join('')) }}
{%- endmacro %}

{% macro unicode_upper(text_expression) -%}
    {{ return(adapter.dispatch('unicode_upper', 'dealer_warehouse')(text_expression)) }}
{%- endmacro %}

{% macro default__unicode_upper(text_expression) -%}
    upper({{ text_expression }} collate pg_c_utf8)
{%- endmacro %}

{% macro redshift__unicode_upper(text_expression) -%}
    upper({{ text_expression }})
{%- endmacro %}

{% macro regex_capture(text_expression, pattern) -%}
    {{ return(adapter.dispatch('regex_capture', 'dealer_warehouse')(text_expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_capture(text_expression, pattern) -%}
    nullif(trim(substring({{ text_expression }} from '{{ pattern | replace("'", "''") }}')), '')
{%- endmacro %}

{% macro redshift__regex_capture(text_expression, pattern) -%}
    nullif(trim(regexp_substr({{ text_expression }}, '{{ pattern | replace("'", "''") }}', 1, 1, 'e')), '')
{%- endmacro %}
