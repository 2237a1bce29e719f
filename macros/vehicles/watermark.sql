{#
    The incremental vehicle models find their work by one rule: the rows an upstream model stamped (its
    batch_at, or built_at) after the newest stamp this model holds. watermark() is that newest stamp, as a
    scalar subquery over `relation` (this model by default; the epoch when it is empty), and
    is_after_watermark() the predicate, true for every row on a full build. A run that writes nothing
    leaves the watermark where it was: the next run repeats that work, replacing the same rows
    (idempotent).
#}
{% macro watermark(column='batch_at', relation=none) -%}
(
            select coalesce(max(built.{{ column }}), {{ dbt_batch_epoch() }})
            from {{ relation if relation is not none else this }} as built
        )
{%- endmacro %}

{% macro is_after_watermark(batch_column='batch_at', built_column='built_at', relation=none) -%}
{%- if is_incremental() or relation is not none -%}
{{ batch_column }} > {{ watermark(built_column, relation) }}
{%- else -%}
true
{%- endif -%}
{%- endmacro %}
