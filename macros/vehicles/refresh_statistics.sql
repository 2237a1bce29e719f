{#
    Post-hook of the incremental vehicle tables: fresh planner statistics right after a build, so the
    next model's joins are planned on the real row counts (PostgreSQL does not analyze a table dbt has
    just filled). Redshift analyzes on its own (automatic analyze): nothing to do there.
#}
{% macro refresh_statistics(relation) %}
{{ return(adapter.dispatch('refresh_statistics', 'dealer_warehouse')(relation)) }}
{% endmacro %}

{% macro default__refresh_statistics(relation) %}
{{ return('analyze ' ~ relation) }}
{% endmacro %}

{% macro redshift__refresh_statistics(relation) %}
{{ return('') }}
{% endmacro %}
