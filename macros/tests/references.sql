{#-
    dbt's relationships test with a scope: fails on every value of `column_name` (nulls aside) that no
    row of `to` holds in `field`. batch_column, batch_key, batch_from: the rows of `model` it checks
    (macros/tests/tested_rows.sql); `to` is looked up by the values found.
-#}
{% test references(model, column_name, to, field, batch_column=none, batch_key=none, batch_from=none) %}

with

child as (

    select {{ column_name }} as from_field
    from {{ tested_rows(model, batch_column, batch_key, batch_from) }}
    where {{ column_name }} is not null

),

parent as (

    select {{ field }} as to_field
    from {{ to }}

),

final as (

    select child.from_field

    from child
    left join parent
        on child.from_field = parent.to_field
    where parent.to_field is null

)

select * from final

{% endtest %}
