{#-
    Fails on every row whose validity range [valid_from, valid_to) overlaps the next row of the same
    partition (ordered by valid_from), or ends before it starts. A null valid_to is open-ended.
    partition_by: a column or a list of columns. batch_column, batch_key, batch_from: the rows it
    checks (macros/tests/tested_rows.sql); on a history, batch_key is the partition's key, so the
    versions the latest batch wrote are checked against the key's earlier ones.
-#}
{% test no_overlapping_ranges(model, partition_by, valid_from, valid_to, batch_column=none, batch_key=none, batch_from=none) %}

{%- set partition_columns = [partition_by] if partition_by is string else partition_by %}

with

ranges as (

    select
        {{ partition_columns | join(', ') }},
        {{ valid_from }} as range_from,
        {{ valid_to }} as range_to,
        lead({{ valid_from }}) over (
            partition by {{ partition_columns | join(', ') }}
            order by {{ valid_from }}
        ) as next_range_from

    from {{ tested_rows(model, batch_column, batch_key, batch_from) }}

),

final as (

    select * from ranges
    where
        range_to < range_from
        or (next_range_from is not null and (range_to is null or range_to > next_range_from))

)

select * from final

{% endtest %}
