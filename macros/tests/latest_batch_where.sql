{#
    Data tests of the big incremental vehicle tables check the rows the latest dbt run wrote, not the
    whole table. `where: latest_batch` (set for models/*/vehicles in dbt_project.yml) keeps the rows
    whose batch_at (or built_at) is this invocation's in `dbt build` (a build with nothing new tests
    nothing), else the table's latest; `latest_batch(<column>, <key>)` keeps every row
    of the keys that have a row with the latest <column> (the snapshot: a vehicle's whole history when
    the latest run changed it). The incremental models replace whole vehicles or layers by key, so the
    rows they did not write are the ones an earlier build tested already.
    `dbt test --vars '{test_all_rows: true}'` tests every row. Any other `where` works as in dbt.
#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where') or '' -%}
    {%- if where.startswith('latest_batch') -%}
        {%- if var('test_all_rows', false) or not execute -%}
            {{ return(relation) }}
        {%- endif -%}
        {%- set arguments = where[12:].strip().strip('()').split(',') | map('trim') | reject('equalto', '') | list -%}
        {%- if arguments | length > 0 -%}
            {%- set batch_column = arguments[0] -%}
        {%- else -%}
            {%- if redshift_check_branch() is none -%}
                {%- set column_names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
            {%- else -%}
                {#- make redshift-check has no warehouse to ask: the columns the model documents -#}
                {%- set column_names = documented_columns(relation) -%}
            {%- endif -%}
            {%- set batch_column = 'batch_at' if 'batch_at' in column_names else ('built_at' if 'built_at' in column_names) -%}
        {%- endif -%}
        {%- if not batch_column -%}
            {{ return(relation) }}
        {%- endif -%}
        {%- if arguments | length == 0 and flags.WHICH == 'build' -%}
            {#- in `dbt build`: the rows this very build wrote (none when it had nothing to do) -#}
            {%- set latest = dbt_batch_at() | trim -%}
        {%- else -%}
            {%- set latest = '(select max(' ~ batch_column ~ ') from ' ~ relation ~ ')' -%}
        {%- endif -%}
        {%- if arguments | length > 1 -%}
            {%- set key = arguments[1] -%}
            {%- set filtered -%}
                (select * from {{ relation }} where {{ key }} in (select {{ key }} from {{ relation }} where {{ batch_column }} = {{ latest }})) dbt_subquery
            {%- endset -%}
        {%- else -%}
            {%- set filtered -%}
                (select * from {{ relation }} where {{ batch_column }} = {{ latest }}) dbt_subquery
            {%- endset -%}
        {%- endif -%}
        {{ return(filtered) }}
    {%- elif where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
