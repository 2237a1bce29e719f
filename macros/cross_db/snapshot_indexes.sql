{#
    Post-hook of a dbt snapshot on PostgreSQL: dbt looks its current rows up by the unique key and
    closes them by dbt_scd_id, the tests read the latest run's rows by dbt_updated_at, and the
    snapshot's own watermark reads the newest `stamp_column` (batch_at: macros/vehicles/watermark.sql);
    without indexes each of those is a scan of the whole history (minutes for a small batch against a
    million-row snapshot: the planner loops over its temporary table; 0.35 s for the watermark at a
    million vehicles). Redshift has no indexes.
#}
{% macro snapshot_indexes(relation, unique_key, stamp_column=none) %}
{{ return(adapter.dispatch('snapshot_indexes', 'dealer_warehouse')(relation, unique_key, stamp_column)) }}
{% endmacro %}

{% macro default__snapshot_indexes(relation, unique_key, stamp_column) %}
{%- set statements = [] -%}
{%- for column in [unique_key, 'dbt_scd_id', 'dbt_updated_at', stamp_column] if column is not none -%}
    {%- do statements.append('create index if not exists ' ~ relation.identifier ~ '__' ~ column ~ ' on ' ~ relation ~ ' (' ~ column ~ ')') -%}
{%- endfor -%}
{{ return(statements | join(';\n')) }}
{% endmacro %}

{% macro redshift__snapshot_indexes(relation, unique_key, stamp_column) %}
{{ return('') }}
{% endmacro %}
