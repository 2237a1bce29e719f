{#
    dbt's snapshot staging query, handed only the open rows of the keys the snapshot's query returns.

    dbt compares the query's rows with the snapshot's open rows in a CTE it reads twice, which PostgreSQL
    materializes whole: every open row of vehicle_snapshot (a million, about 300 MB at the benchmark's scale)
    to compare the few thousand vehicles a build rewrote. With hard_deletes 'ignore' (vehicle_snapshot's) an
    open row whose key the query does not return is never used: none is inserted, updated or closed for it.
    So the rows dbt compares are the open rows of the queried keys (found through the snapshot's vehicle_id
    index); every other setting (hard deletes need every open row) gets dbt's macro as it is.
    `snapshot_query` is the name dbt's macro (dbt-adapters, pinned with dbt-core ~=1.11.0) gives the query's
    CTE; test_vehicle_incremental and test_vehicle_catalogue check the snapshot's rows build after build.
#}
{% macro snapshot_staging_table(strategy, source_sql, target_relation) -%}
    {%- if strategy.hard_deletes == 'ignore' and strategy.unique_key is string -%}
        {%- set queried_rows -%}
            (
                select * from {{ target_relation }}
                where {{ strategy.unique_key }} in (select {{ strategy.unique_key }} from snapshot_query)
            ) as queried_rows
        {%- endset -%}
        {{ return(default__snapshot_staging_table(strategy, source_sql, queried_rows)) }}
    {%- endif -%}
    {{ return(adapter.dispatch('snapshot_staging_table', 'dbt')(strategy, source_sql, target_relation)) }}
{%- endmacro %}
