{#-
    Fails on every combination of `columns` (a list) that occurs more than once. batch_column,
    batch_key, batch_from: the rows it checks (macros/tests/tested_rows.sql); without them, every row.
    With batch_key, the latest batch's keys are checked against their rows of every batch.
-#}
{% test unique_combination_of_columns(model, columns, batch_column=none, batch_key=none, batch_from=none) %}

with

combinations as (

    select
        {{ columns | join(', ') }},
        count(*) as occurrences

    from {{ tested_rows(model, batch_column, batch_key, batch_from) }}
    group by {{ columns | join(', ') }}

),

final as (

    select * from combinations
    where occurrences > 1

)

select * from final

{% endtest %}
