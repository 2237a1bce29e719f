{#
    Text helpers whose result must not depend on the database's locale or collation.

    unicode_upper: upper case for matching (vocabularies). PostgreSQL's upper() follows the database's
    locale: under the C locale (the default of many servers) it leaves every non-ASCII letter as it is,
    so `Бензин` would never match `БЕНЗИН`. The PostgreSQL version maps the lower-case letters of Latin-1,
    Latin Extended-A, Greek and Cyrillic explicitly (translate), then upper() does ASCII: the same result
    under any locale. Redshift's upper() is Unicode-aware on its own. Both sides of a comparison go
    through it, so a key and a feed value always agree.

    regex_capture: the first capture group of a regular expression, or null when it does not match.
#}
{# The lower-case letters unicode_upper maps, and their upper case, position by position. #}
{% macro unicode_case_map() -%}
    {{ return([
        'àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþāăąćĉċčďđēĕėęěĝğġģĥħĩīĭįıĳĵķĺļľŀłńņňŋōŏőœŕŗřśŝşšţťŧũūŭůűųŵŷźżžſαβγδεζηθικλμνξοπρςστυφχψωабвгдежзийклмнопрстуфхцчшщъыьэюяѐёђѓєѕіїјљњћќѝўџѡѣѥѧѩѫѭѯѱѳѵѷѹѻѽѿҁҋҍҏґғҕҗҙқҝҟҡңҥҧҩҫҭүұҳҵҷҹһҽҿӂӄӆӈӊӌӎӏӑӓӕӗәӛӝӟӡӣӥӧөӫӭӯӱӳӵӷӹӻӽ',
        'ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮIĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŹŻŽSΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΣΤΥΦΧΨΩАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯЀЁЂЃЄЅІЇЈЉЊЋЌЍЎЏѠѢѤѦѨѪѬѮѰѲѴѶѸѺѼѾҀҊҌҎҐҒҔҖҘҚҜҞҠҢҤҦҨҪҬҮҰҲҴҶҸҺҼҾӁӃӅӇӉӋӍӀӐӒӔӖӘӚӜӞӠӢӤӦӨӪӬӮӰӲӴӶӸӺӼ',
    ]) }}
{%- endmacro %}

{#
    A literal upper-cased in the template exactly as default__unicode_upper does it in SQL (the map,
    then ASCII letters), so a vocabulary key is compared as a plain string: `case unicode_upper(x) when
    'БЕНЗИН'` instead of repeating the translate for every key.
#}
{% macro unicode_upper_literal(text) -%}
    {%- set lower, upper = unicode_case_map() -%}
    {%- set upper_cased = [] -%}
    {%- for character in text -%}
        {%- set position = lower.find(character) -%}
        {%- if position >= 0 -%}
            {%- do upper_cased.append(upper[position]) -%}
        {%- elif character in 'abcdefghijklmnopqrstuvwxyz' -%}
            {%- do upper_cased.append(character | upper) -%}
        {%- else -%}
            {%- do upper_cased.append(character) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(upper_cased | join('')) }}
{%- endmacro %}

{% macro unicode_upper(text_expression) -%}
    {{ return(adapter.dispatch('unicode_upper', 'dealer_warehouse')(text_expression)) }}
{%- endmacro %}

{% macro default__unicode_upper(text_expression) -%}
    upper(translate({{ text_expression }}, '{{ unicode_case_map()[0] }}', '{{ unicode_case_map()[1] }}'))
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
