{#
    Post-hook of a dbt snapshot on PostgreSQL: dbt looks its current rows up by the unique key and
    closes them by dbt_scd_id, and the tests read the latest run's rows by dbt_updated_at; without
    indexes each of those is a scan of the whole history (minutes for a small batch against a
    million-row snapshot: the planner loops over its temporary table). Redshift has no indexes.
#}
{% macro snapshot_indexes(relation, unique_key) %}
{{ return(adapter.dispatch('snapshot_indexes', 'dealer_warehouse')(relation, unique_key)) }}
{% endmacro %}

{% macro default__snapshot_indexes(relation, unique_key) %}
{%- set statements = [] -%}
{%- for column in [unique_key, 'dbt_scd_id', 'dbt_updated_at'] -%}
    {%- do statements.append('create index if not exists ' ~ relation.identifier ~ '__' ~ column ~ ' on ' ~ relation ~ ' (' ~ column ~ ')') -%}
{%- endfor -%}
{{ return(statements | join(';\n')) }}
{% endmacro %}

{% macro redshift__snapshot_indexes(relation, unique_key) %}
{{ return('') }}
{% endmacro %}
