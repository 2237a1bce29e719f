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
{% macro unicode_upper(text_expression) -%}
    {{ return(adapter.dispatch('unicode_upper', 'dealer_warehouse')(text_expression)) }}
{%- endmacro %}

{% macro default__unicode_upper(text_expression) -%}
    upper(translate({{ text_expression }}, 'àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþāăąćĉċčďđēĕėęěĝğġģĥħĩīĭįıĳĵķĺļľŀłńņňŋōŏőœŕŗřśŝşšţťŧũūŭůűųŵŷźżžſαβγδεζηθικλμνξοπρςστυφχψωабвгдежзийклмнопрстуфхцчшщъыьэюяѐёђѓєѕіїјљњћќѝўџѡѣѥѧѩѫѭѯѱѳѵѷѹѻѽѿҁҋҍҏґғҕҗҙқҝҟҡңҥҧҩҫҭүұҳҵҷҹһҽҿӂӄӆӈӊӌӎӏӑӓӕӗәӛӝӟӡӣӥӧөӫӭӯӱӳӵӷӹӻӽ', 'ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮIĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŹŻŽSΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΣΤΥΦΧΨΩАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯЀЁЂЃЄЅІЇЈЉЊЋЌЍЎЏѠѢѤѦѨѪѬѮѰѲѴѶѸѺѼѾҀҊҌҎҐҒҔҖҘҚҜҞҠҢҤҦҨҪҬҮҰҲҴҶҸҺҼҾӁӃӅӇӉӋӍӀӐӒӔӖӘӚӜӞӠӢӤӦӨӪӬӮӰӲӴӶӸӺӼ'))
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
