{#
    Session settings every model needs on its warehouse, run as a pre-hook. Redshift: the raw records'
    JSON keys are mixed case (Public/Brand), which SUPER navigation only matches with case-sensitive
    identifiers. PostgreSQL needs nothing (the hook renders empty and dbt skips it).
#}
{% macro session_settings() -%}
    {{ return(adapter.dispatch('session_settings', 'dealer_warehouse')()) }}
{%- endmacro %}

{% macro default__session_settings() -%}
{%- endmacro %}

{% macro redshift__session_settings() -%}
    set enable_case_sensitive_identifier to true
{%- endmacro %}

{#
    Planner settings for a model that looks up one raw record per row, each a different one: the typed
    contents and the list models (images, optionals). PostgreSQL's planner cannot tell from a CTE that
    every lookup key is new and puts a cache (Memoize) in front of the index lookups and of each unnested
    list: a million misses, each record copied into the cache first. Measured on the million records of
    the benchmark: the images 44 s with the cache, 31 s without; the optionals 31 s and 23 s; the
    contents' select from empty 26.7 and 25.8 s with it, 22.6 s without. `set local` ends with the
    model's transaction. Redshift has no Memoize: nothing.
#}
{% macro unique_lookup_settings() -%}
    {{ return(adapter.dispatch('unique_lookup_settings', 'dealer_warehouse')()) }}
{%- endmacro %}

{% macro default__unique_lookup_settings() -%}
    set local enable_memoize = off
{%- endmacro %}

{% macro redshift__unique_lookup_settings() -%}
{%- endmacro %}

{#
    Planner settings for an incremental run that rewrites the few rows a batch touched, found through an
    index: int_vehicle_layers_ranked's touched vehicles. PostgreSQL estimates a watermark filter at a third
    of the table and the touched set at millions, so it sorts every layer state (a 400 MB sort on disk)
    to merge them with the forty thousand of a day; with hash and merge joins off it looks each up by
    index. Measured on the benchmark's day 2 (EXPLAIN ANALYZE, 1M layers): 6.0 s, 3.5 s with the layer
    states read once, 0.9 s with these settings. A full refresh joins nothing big and is not affected;
    `set local` ends with the model's transaction. Redshift has no index lookups to choose: nothing.
#}
{% macro touched_rows_settings() -%}
    {{ return(adapter.dispatch('touched_rows_settings', 'dealer_warehouse')()) }}
{%- endmacro %}

{% macro default__touched_rows_settings() -%}
    set local enable_hashjoin = off; set local enable_mergejoin = off
{%- endmacro %}

{% macro redshift__touched_rows_settings() -%}
{%- endmacro %}
