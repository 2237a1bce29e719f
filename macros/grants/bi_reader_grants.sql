{#
    Who may read what dbt builds. dbt_project.yml grants select on every relation of marts and market_data
    (models: marts: +grants) to the var bi_reader_role (default bi_reader, the login `python -m extract
    warehouse roles` creates; '' builds without grants). These macros do the rest, from the relations'
    own grants config, so the var is read in one place:

    - check_grantees(): on-run-start. A build whose grants name a role or user that does not exist stops
      before building anything, with one sentence saying what to do.
    - grant_schema_usage(results): on-run-end. USAGE on the schema of every relation the run built and
      granted select on, to the same grantees: a relation's grant is no use without it, and Redshift has
      no default privileges on schemas.
    - grant_select_sql(relation, grantees): for relations dbt does not know, e.g. the per-ticker views
      (macros/market_data/crypto_ticker_views.sql).

    Grantees are written as dbt's grants config takes them: a name (a PostgreSQL role, a Redshift user),
    or on Redshift "group x" / "role x" (also dbt-redshift's "group:x" / "role:x" / "user:x").
#}

{# A grantee as GRANT takes it. #}
{% macro grantee_sql(grantee) -%}
    {%- set kind, name = grantee_parts(grantee) -%}
    {{- return(name if kind == 'user' else kind ~ ' ' ~ name) -}}
{%- endmacro %}

{# (kind, name) of a grantee, kind one of user, group, role (a PostgreSQL role is a 'user' here). #}
{% macro grantee_parts(grantee) -%}
    {%- set text = grantee | trim -%}
    {%- for kind in ['user', 'group', 'role'] -%}
        {%- for separator in [':', ' '] if (text | lower).startswith(kind ~ separator) -%}
            {{- return((kind, text[kind | length + 1:] | trim)) -}}
        {%- endfor -%}
    {%- endfor -%}
    {{- return(('user', text)) -}}
{%- endmacro %}

{% macro grant_select_sql(relation, grantees) -%}
    {%- set formatted = [] -%}
    {%- for grantee in grantees -%}
        {%- do formatted.append(grantee_sql(grantee)) -%}
    {%- endfor -%}
    {{- return('grant select on ' ~ relation ~ ' to ' ~ formatted | join(', ') if formatted else '') -}}
{%- endmacro %}

{# One statement per schema: usage maps a schema to its grantees. #}
{% macro schema_usage_sql(usage) -%}
    {%- set statements = [] -%}
    {%- for schema in usage | sort if usage[schema] -%}
        {%- set formatted = [] -%}
        {%- for grantee in usage[schema] -%}
            {%- do formatted.append(grantee_sql(grantee)) -%}
        {%- endfor -%}
        {%- do statements.append('grant usage on schema ' ~ schema ~ ' to ' ~ formatted | join(', ')) -%}
    {%- endfor -%}
    {{- return(statements | join(';\n')) -}}
{%- endmacro %}

{% macro grant_schema_usage(results) -%}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set usage = {} -%}
    {%- for result in results if result.status == 'success' and result.node.resource_type in ('model', 'seed', 'snapshot') -%}
        {%- set grantees = (result.node.config.grants or {}).get('select') or [] -%}
        {%- if grantees -%}
            {%- set known = usage.setdefault(result.node.schema, []) -%}
            {%- for grantee in grantees if grantee not in known -%}
                {%- do known.append(grantee) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(schema_usage_sql(usage)) -}}
{%- endmacro %}

{% macro check_grantees() -%}
    {#- only what builds relations grants; compile, docs generate and test grant nothing -#}
    {%- if not execute or flags.WHICH not in ('build', 'run', 'seed', 'snapshot', 'retry') -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set grantees = [] -%}
    {%- for unique_id in selected_resources -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- for names in ((node.config.grants or {}).values() if node else []) -%}
            {%- for name in names if name not in grantees -%}
                {%- do grantees.append(name) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set missing = [] -%}
    {%- for grantee in grantees -%}
        {%- set kind, name = grantee_parts(grantee) -%}
        {%- if run_query(grantee_exists_sql(kind, name)).columns[0].values()[0] == 0 -%}
            {%- do missing.append(grantee) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "dbt grants the BI relations to " ~ missing | join(', ') ~ " (var bi_reader_role), which does not exist in "
            ~ "database " ~ target.database ~ ": run `python -m extract warehouse roles` once as its superuser (with "
            ~ "--target prod on Redshift), or build without grants: --vars '{bi_reader_role: \"\"}'."
        ) }}
    {%- endif -%}
    {{- return('') -}}
{%- endmacro %}

{# A query counting the grantees of that kind and name (0 or 1). #}
{% macro grantee_exists_sql(kind, name) -%}
    {{- return(adapter.dispatch('grantee_exists_sql', 'dealer_warehouse')(kind, name)) -}}
{%- endmacro %}

{# PostgreSQL: users and groups are roles. #}
{% macro default__grantee_exists_sql(kind, name) -%}
    select count(*) from pg_catalog.pg_roles where rolname = '{{ name | replace("'", "''") }}'
{%- endmacro %}

{% macro redshift__grantee_exists_sql(kind, name) -%}
    {%- set literal = "'" ~ name | replace("'", "''") ~ "'" -%}
    {%- if kind == 'role' -%}
        select count(*) from svv_roles where role_name = {{ literal }}
    {%- elif kind == 'group' -%}
        select count(*) from pg_catalog.pg_group where groname = {{ literal }}
    {%- else -%}
        select count(*) from pg_catalog.pg_user where usename = {{ literal }}
    {%- endif -%}
{%- endmacro %}
