{#
    Post-hook of the incremental vehicle tables: planner statistics for a table that has none yet (a
    first or full-refresh build), so the next model's joins are planned on the real row counts
    (PostgreSQL does not analyze a table dbt has just filled). An incremental run adds a small share
    of rows and leaves the statistics to autovacuum: analyzing a 10-million-row table costs seconds.
    Redshift analyzes on its own (automatic analyze): nothing to do there.
#}
{% macro refresh_statistics(relation) %}
{{ return(adapter.dispatch('refresh_statistics', 'dealer_warehouse')(relation)) }}
{% endmacro %}

{% macro default__refresh_statistics(relation) %}
{%- set statement -%}
do $$
begin
    if not exists (
        select 1 from pg_stats
        where schemaname = '{{ relation.schema }}' and tablename = '{{ relation.identifier }}'
    ) then
        analyze {{ relation }};
    end if;
end
$$
{%- endset -%}
{{ return(statement) }}
{% endmacro %}

{% macro redshift__refresh_statistics(relation) %}
{{ return('') }}
{% endmacro %}
