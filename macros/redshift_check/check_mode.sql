{#
    The check mode of `make redshift-check` (extract/redshift_check.py): dbt compiles the project for
    Redshift with no cluster, once per branch of the incremental models, `--vars '{redshift_check_branch:
    full-refresh}'` or `incremental`. Whatever a model or snapshot would ask the warehouse is answered here
    instead, and only then: without the var every macro below is dbt's own call, unchanged.

    is_incremental(): the branch being compiled (macros of the root project take precedence over dbt's,
    so every model and macro calling is_incremental() comes here).
#}
{% macro is_incremental() %}
    {%- set branch = redshift_check_branch() -%}
    {%- if branch is none -%}
        {{ return(dbt.is_incremental()) }}
    {%- endif -%}
    {{ return(execute and branch == 'incremental' and model.config.materialized == 'incremental') }}
{% endmacro %}

{# The branch `make redshift-check` compiles (full-refresh or incremental), none on every real run. #}
{% macro redshift_check_branch() %}
    {%- set branch = var('redshift_check_branch', none) -%}
    {%- if branch is not none and branch not in ('full-refresh', 'incremental') -%}
        {{ exceptions.raise_compiler_error(
            "var redshift_check_branch must be full-refresh or incremental, not '" ~ branch ~ "'"
        ) }}
    {%- endif -%}
    {{ return(branch) }}
{% endmacro %}

{#
    adapter.get_relation(database, schema, identifier): the relation if it exists, else none. In the check
    mode (no warehouse to ask) it exists in the incremental branch and not in the full-refresh one.
#}
{% macro existing_relation(database, schema, identifier) -%}
    {%- set branch = redshift_check_branch() -%}
    {%- if branch is none -%}
        {{ return(adapter.get_relation(database=database, schema=schema, identifier=identifier)) }}
    {%- elif branch == 'incremental' -%}
        {{ return(api.Relation.create(database=database, schema=schema, identifier=identifier, type='table')) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}
