{#
    JSON access for the raw records: jsonb on PostgreSQL, SUPER on Redshift.
    A path is a list of keys, e.g. ['Public', 'Brand'] or ['options', 'extra', '@code'].
    Redshift needs enable_case_sensitive_identifier for mixed-case keys (see redshift_session_settings).
#}

{# The text at a path: a string element, or the "#text" of an element that has attributes or children. #}
{% macro json_text(json_column, path) -%}
    {{ return(adapter.dispatch('json_text', 'dealer_warehouse')(json_column, path)) }}
{%- endmacro %}

{% macro default__json_text(json_column, path) -%}
    {%- if path | length == 0 -%}
    (case when jsonb_typeof({{ json_column }}) = 'object' then {{ json_column }} ->> '#text' else {{ json_column }} #>> '{}' end)
    {%- elif path[-1].startswith('@') -%}
    ({{ json_column }} #>> {{ pg_json_path(path) }})
    {%- else -%}
    (case
        when jsonb_typeof({{ json_column }} #> {{ pg_json_path(path) }}) = 'object'
            then {{ json_column }} #>> {{ pg_json_path(path + ['#text']) }}
        else {{ json_column }} #>> {{ pg_json_path(path) }}
    end)
    {%- endif -%}
{%- endmacro %}

{% macro redshift__json_text(json_column, path) -%}
    {%- set value = redshift_json_path(json_column, path) -%}
    {%- if path | length > 0 and path[-1].startswith('@') -%}
    ({{ value }}::varchar)
    {%- else -%}
    (case when is_object({{ value }}) then {{ redshift_json_path(json_column, path + ['#text']) }}::varchar else {{ value }}::varchar end)
    {%- endif -%}
{%- endmacro %}

{# The JSON value at a path (an object, an array or a string), still JSON. #}
{% macro json_value(json_column, path) -%}
    {{ return(adapter.dispatch('json_value', 'dealer_warehouse')(json_column, path)) }}
{%- endmacro %}

{% macro default__json_value(json_column, path) -%}
    ({{ json_column }} #> {{ pg_json_path(path) }})
{%- endmacro %}

{% macro redshift__json_value(json_column, path) -%}
    {{ redshift_json_path(json_column, path) }}
{%- endmacro %}

{# JSON serialised to text (for hashing and display). #}
{% macro json_to_text(json_expression) -%}
    {{ return(adapter.dispatch('json_to_text', 'dealer_warehouse')(json_expression)) }}
{%- endmacro %}

{% macro default__json_to_text(json_expression) -%}
    cast({{ json_expression }} as text)
{%- endmacro %}

{% macro redshift__json_to_text(json_expression) -%}
    json_serialize({{ json_expression }})
{%- endmacro %}

{#
    FROM-clause fragment unnesting a JSON array, one row per element with its 1-based position:
    `from t {{ unnest_json_array('t.items', 'item', 'item_position') }}` gives item.value and item_position.
#}
{% macro unnest_json_array(array_expression, element_alias, position_alias) -%}
    {{ return(adapter.dispatch('unnest_json_array', 'dealer_warehouse')(array_expression, element_alias, position_alias)) }}
{%- endmacro %}

{% macro default__unnest_json_array(array_expression, element_alias, position_alias) -%}
    cross join lateral jsonb_array_elements(
        case when jsonb_typeof({{ array_expression }}) = 'array' then {{ array_expression }} else '[]'::jsonb end
    ) with ordinality as {{ element_alias }} (value, {{ position_alias }})
{%- endmacro %}

{% macro redshift__unnest_json_array(array_expression, element_alias, position_alias) -%}
    , {{ array_expression }} as {{ element_alias }}_value at {{ position_alias }}_zero_based
{%- endmacro %}

{# The element of an unnest_json_array, and its position (1-based). #}
{% macro unnested_element(element_alias) -%}
    {{ return(adapter.dispatch('unnested_element', 'dealer_warehouse')(element_alias)) }}
{%- endmacro %}

{% macro default__unnested_element(element_alias) -%}
    {{ element_alias }}.value
{%- endmacro %}

{% macro redshift__unnested_element(element_alias) -%}
    {{ element_alias }}_value
{%- endmacro %}

{% macro unnested_position(position_alias) -%}
    {{ return(adapter.dispatch('unnested_position', 'dealer_warehouse')(position_alias)) }}
{%- endmacro %}

{% macro default__unnested_position(position_alias) -%}
    cast({{ position_alias }} as integer)
{%- endmacro %}

{% macro redshift__unnested_position(position_alias) -%}
    ({{ position_alias }}_zero_based + 1)
{%- endmacro %}

{#
    A JSON column read once per row, for a select that reads many paths of it:
    `from t {{ json_read_once_join('t.record', 'once') }}` then `{{ json_read_once('t.record', 'once') }}`
    wherever a path of it is read. PostgreSQL keeps a jsonb value over about 2 kB compressed and
    decompresses it again for every `#>` or `#>>` on it: typing a record of 30 paths decompressed it 30
    times (GestionaleAuto and mobile.de records: 150 us a record, 6 us once). On PostgreSQL a lateral
    subquery hands the value decompressed once (`#> '{}'` returns the whole value, detoasted) to every
    path; `offset 0` keeps the planner from copying the expression into each of them. Redshift's SUPER has
    no such cost: the column itself.
#}
{% macro json_read_once_join(json_column, alias) -%}
    {{ return(adapter.dispatch('json_read_once_join', 'dealer_warehouse')(json_column, alias)) }}
{%- endmacro %}

{% macro default__json_read_once_join(json_column, alias) -%}
    cross join lateral (select {{ json_column }} #> '{}' as document offset 0) as {{ alias }}
{%- endmacro %}

{% macro redshift__json_read_once_join(json_column, alias) -%}
{%- endmacro %}

{% macro json_read_once(json_column, alias) -%}
    {{ return(adapter.dispatch('json_read_once', 'dealer_warehouse')(json_column, alias)) }}
{%- endmacro %}

{% macro default__json_read_once(json_column, alias) -%}
    {{ alias }}.document
{%- endmacro %}

{% macro redshift__json_read_once(json_column, alias) -%}
    {{ json_column }}
{%- endmacro %}

{# Path helpers (not dispatched: each belongs to one warehouse). #}
{% macro pg_json_path(path) -%}
    '{ {%- for key in path -%} "{{ key | replace('"', '\\"') }}"{{ "," if not loop.last }} {%- endfor -%} }'
{%- endmacro %}

{% macro redshift_json_path(json_column, path) -%}
    {{ json_column }}{% for key in path %}."{{ key }}"{% endfor %}
{%- endmacro %}
