{#
    on-run-start (dbt_project.yml): a build whose raw tables do not exist yet (a warehouse where
    `python -m extract` never ran) stops before building anything, with one sentence naming the
    missing tables and what to do, instead of one "relation does not exist" error per model.
    Only the sources the selected nodes read are checked (a `--select +unificado` build needs only
    the lab tables), in one query on the warehouse's catalog; nothing is queried when none is read.
#}
{% macro check_raw_tables() -%}
    {#- compile and docs generate render this hook too: they read no raw rows, so they check nothing -#}
    {%- if not execute or flags.WHICH not in ('build', 'run', 'test', 'snapshot', 'retry') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set needed = {} -%}
    {%- for unique_id in selected_resources -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- for parent_id in (node.depends_on.nodes if node else []) if parent_id in graph.sources -%}
            {%- set source_node = graph.sources[parent_id] -%}
            {%- set key = (source_node.schema ~ '.' ~ source_node.identifier) | lower -%}
            {%- do needed.update({key: source_node}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if needed | length == 0 -%}{{ return('') }}{%- endif -%}

    {%- set schemas = [] -%}
    {%- for source_node in needed.values() if (source_node.schema | lower) not in schemas -%}
        {%- do schemas.append(source_node.schema | lower) -%}
    {%- endfor -%}
    {%- set existing_query -%}
        select lower(table_schema) || '.' || lower(table_name)
        from {{ adapter.dispatch('tables_catalog', 'dealer_warehouse')() }}
        where lower(table_schema) in ('{{ schemas | join("', '") }}')
    {%- endset -%}
    {%- set existing = run_query(existing_query).columns[0].values() -%}
    {%- set missing = needed.keys() | reject('in', existing) | sort -%}
    {%- if missing | length > 0 -%}
        {{ exceptions.raise_compiler_error(
            "The raw tables " ~ missing | join(', ') ~ " do not exist in database " ~ target.database
            ~ ": " ~ adapter.dispatch('raw_tables_remedy', 'dealer_warehouse')() ~ ", then run dbt again."
        ) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

{# The catalog view listing the relations (tables and views) of the current database. #}
{% macro default__tables_catalog() -%}
    information_schema.tables
{%- endmacro %}

{# Redshift: svv_tables lists local and external (Spectrum) tables alike. #}
{% macro redshift__tables_catalog() -%}
    svv_tables
{%- endmacro %}

{# What creates the raw tables on this warehouse. #}
{% macro default__raw_tables_remedy() -%}
    run `python -m extract` once to create them (an empty landing zone is enough)
{%- endmacro %}

{% macro redshift__raw_tables_remedy() -%}
    create them and load them from the S3 landing zone as the README's "Production: S3 and Redshift" says
{%- endmacro %}
