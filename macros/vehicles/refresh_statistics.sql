{#
    Post-hook of the incremental vehicle tables: planner statistics for a table that has none yet (a
    first or full-refresh build), so the next model's joins are planned on the real row counts
    (PostgreSQL does not analyze a table dbt has just filled). An incremental run adds a small share
    of rows and leaves the statistics to autovacuum: analyzing a 10-million-row table costs seconds.
    Redshift analyzes on its own (automatic analyze): nothing to do there. Set for models/*/vehicles in
    dbt_project.yml: a view there has no statistics of its own (nothing to do either).
#}
{% macro refresh_statistics(relation) %}
{{ return(adapter.dispatch('refresh_statistics', 'dealer_warehouse')(relation)) }}
{% endmacro %}

{% macro default__refresh_statistics(relation) %}
{%- if config.get('materialized') not in ('table', 'incremental') -%}
{{ return('') }}
{%- endif -%}
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
