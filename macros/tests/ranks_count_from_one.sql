{#-
    Fails on every group (`group_by`, a column) whose ranks (`rank_column`) are not exactly 1, 2, ... n,
    where n is its number of rows and, with `count_column`, the count every row of the group states.
    What makes a ranked relation safe to read by rank: one rank 1 per group (a winner), no tie, no gap,
    and the stated count right. batch_column, batch_key, batch_from: the rows it checks
    (macros/tests/tested_rows.sql).
-#}
{% test ranks_count_from_one(model, group_by, rank_column, count_column=none, batch_column=none, batch_key=none, batch_from=none) %}

with

groups as (

    select
        {{ group_by }},
        count(*) as row_count,
        count(distinct {{ rank_column }}) as rank_count,
        min({{ rank_column }}) as lowest_rank,
        max({{ rank_column }}) as highest_rank
        {%- if count_column is not none %},
        min({{ count_column }}) as least_stated_count,
        max({{ count_column }}) as greatest_stated_count
        {%- endif %}

    from {{ tested_rows(model, batch_column, batch_key, batch_from) }}
    group by {{ group_by }}

),

final as (

    select * from groups
    where
        lowest_rank <> 1
        or highest_rank <> row_count
        or rank_count <> row_count
        {%- if count_column is not none %}
        or least_stated_count <> row_count
        or greatest_stated_count <> row_count
        {%- endif %}

)

select * from final

{% endtest %}
