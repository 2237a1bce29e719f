{#
    The incremental vehicle models find their work by one rule: the rows an upstream model stamped (its
    batch_at, or built_at) after the newest stamp this model holds. watermark() is that newest stamp
    (this model's by default, or `relation`'s; the epoch when it is empty), and is_after_watermark() the
    predicate, true for every row on a full build. A run that writes nothing leaves the watermark where it
    was: the next run repeats that work, replacing the same rows (idempotent).

    When the build runs, the stamp is read first and written into the SQL as a literal: the planner then
    knows from the stamp column's statistics that a few thousand rows are new, and reaches them through
    the column's index (a scalar subquery would leave it guessing a third of the table, and scanning all
    of it). The node reads it just before it runs, and only the node itself writes its table, so the
    literal is the value the subquery would find. When nothing runs (parse, docs) or the relation is a
    unit test's fixture, it stays a subquery; `make redshift-check`, which has no warehouse to ask, checks the
    literal form with a stamp of its own.
#}
{% macro watermark(column='batch_at', relation=none) -%}
{%- set source_relation = relation if relation is not none else this -%}
{%- if execute and model.resource_type in ('model', 'snapshot') -%}
{%- if redshift_check_branch() is none -%}
{%- set newest = run_query(
    'select cast(max(' ~ column ~ ') as varchar) from ' ~ source_relation
).columns[0].values()[0] -%}
{%- else -%}
{#- make redshift-check compiles without a warehouse: a stamp stands in for the one it would read -#}
{%- set newest = '2000-01-01 00:00:00' -%}
{%- endif -%}
{%- if newest is none -%}
{{ dbt_batch_epoch() }}
{%- else -%}
cast('{{ newest }}' as timestamp)
{%- endif -%}
{%- else -%}
(
            select coalesce(max(built.{{ column }}), {{ dbt_batch_epoch() }})
            from {{ source_relation }} as built
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
