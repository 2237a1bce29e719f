{#
    Post-hook of the incremental vehicle tables: planner statistics for a table that has none yet (a
    first or full-refresh build), so the next model's joins are planned on the real row counts
    (PostgreSQL does not analyze a table dbt has just filled). An incremental run adds a small share
    of rows: it analyzes the run's stamp only (batch_at, built_at; a snapshot's dbt_updated_at), which is
    what the models and tests after it filter on. Without it PostgreSQL takes this run's stamp, newer than its statistics know,
    for one row, and nests loops that rerun a subquery per row: on the benchmark's day 2 each test of
    vehicle_layer's batch took 2.7 s against 0.1 s once int_vehicle_layers_ranked was analyzed. One
    column costs about 0.2 s at a million rows (the whole table 0.6 s: the sample's pages dominate).
    Redshift analyzes on its own (automatic analyze): nothing to do there. Set for models/*/vehicles in
    dbt_project.yml (a view there has no statistics of its own: nothing to do) and on vehicle_snapshot.
#}
{% macro refresh_statistics(relation) %}
{{ return(adapter.dispatch('refresh_statistics', 'dealer_warehouse')(relation)) }}
{% endmacro %}

{% macro default__refresh_statistics(relation) %}
{%- if config.get('materialized') not in ('table', 'incremental', 'snapshot') -%}
{{ return('') }}
{%- endif -%}
{%- set statement -%}
do $$
declare
    stamps text;
begin
    if not exists (
        select 1 from pg_stats
        where schemaname = '{{ relation.schema }}' and tablename = '{{ relation.identifier }}'
    ) then
        analyze {{ relation }};
    else
        select string_agg(quote_ident(column_name), ', ') into stamps
        from information_schema.columns
        where
            table_schema = '{{ relation.schema }}' and table_name = '{{ relation.identifier }}'
            and column_name in ('batch_at', 'built_at', 'dbt_updated_at');
        if stamps is not null then
            execute 'analyze {{ relation }} (' || stamps || ')';
        end if;
    end if;
end
$$
{%- endset -%}
{{ return(statement) }}
{% endmacro %}

{% macro redshift__refresh_statistics(relation) %}
{{ return('') }}
{% endmacro %}
