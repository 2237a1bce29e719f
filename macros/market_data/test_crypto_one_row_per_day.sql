{#
    Generic test: exactly one row per key and calendar day from the key's first to its last day.
    Returns one row per key with duplicates or gaps.
#}
{% test crypto_one_row_per_day(model, date_column, key_column='ticker') %}

with

per_key as (

    select
        {{ key_column }} as key_value,
        count(*) as row_count,
        count(distinct {{ date_column }}) as day_count,
        min({{ date_column }}) as first_day,
        max({{ date_column }}) as last_day

    from {{ model }}
    group by {{ key_column }}

),

spans as (

    select
        *,
        {{ days_between('first_day', 'last_day') }} + 1 as expected_day_count

    from per_key

)

select * from spans
where row_count <> day_count or day_count <> expected_day_count

{% endtest %}
