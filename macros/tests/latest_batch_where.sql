{#
    Data tests of the big incremental vehicle tables check the rows the latest dbt run wrote, not the
    whole table: `where: latest_batch` (set for models/*/vehicles in dbt_project.yml) keeps the rows
    whose batch_at (or built_at) is the table's latest. The incremental models replace whole vehicles
    or layers by key, so rows they did not write are the ones an earlier build already tested.
    `dbt test --vars '{test_all_rows: true}'` tests every row. Any other `where` works as in dbt.
#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where == 'latest_batch' -%}
        {%- if var('test_all_rows', false) or not execute -%}
            {{ return(relation) }}
        {%- endif -%}
        {%- set column_names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- set batch_column = 'batch_at' if 'batch_at' in column_names else ('built_at' if 'built_at' in column_names) -%}
        {%- if not batch_column -%}
            {{ return(relation) }}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ batch_column }} = (select max({{ batch_column }}) from {{ relation }})) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- elif where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
