{#
    The incremental vehicle models find their work by one rule: the rows an upstream model stamped (its
    batch_at, or built_at) after the newest stamp this model holds. watermark() is that newest stamp, as a
    scalar subquery over `relation` (this model by default; the epoch when it is empty), and
    is_after_watermark() the predicate, true for every row on a full build. A run that writes nothing
    leaves the watermark where it was: the next run repeats that work, replacing the same rows
    (idempotent).
    When a node runs, the watermark is read first and written into its SQL as a literal: PostgreSQL plans
    `batch_at > (select max(batch_at) ...)` without knowing the value (a third of the table, by its
    default), so every incremental model scanned the whole of its upstream tables, where the literal lets
    it read the rows of the new batch through their batch_at index. A unit test (its `this` is a fixture)
    and `make redshift-check` (no cluster) keep the subquery.
#}
{% macro watermark(column='batch_at', relation=none) -%}
{%- set relation = relation if relation is not none else this -%}
{%- set newest = 'select coalesce(max(built.' ~ column ~ '), ' ~ dbt_batch_epoch() ~ ') from ' ~ relation ~ ' as built' -%}
{%- if execute and model.resource_type != 'unit_test' and redshift_check_branch() is none -%}
{#- read when the node runs (dbt compiles a node just before it runs it), written as a literal -#}
cast('{{ run_query('select cast((' ~ newest ~ ') as varchar(64))').columns[0].values()[0] }}' as timestamp)
{%- else -%}
(
            {{ newest }}
        )
{%- endif -%}
{%- endmacro %}

{% macro is_after_watermark(batch_column='batch_at', built_column='built_at', relation=none) -%}
{%- if is_incremental() or relation is not none -%}
{{ batch_column }} > {{ watermark(built_column, relation) }}
{%- else -%}
true
{%- endif -%}
{%- endmacro %}
