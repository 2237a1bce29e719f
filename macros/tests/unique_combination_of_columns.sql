{#- Fails on every combination of `columns` (a list) that occurs more than once. -#}
{% test unique_combination_of_columns(model, columns) %}

with

combinations as (

    select
        {{ columns | join(', ') }},
        count(*) as occurrences

    from {{ model }}
    group by {{ columns | join(', ') }}

),

final as (

    select * from combinations
    where occurrences > 1

)

select * from final

{% endtest %}
