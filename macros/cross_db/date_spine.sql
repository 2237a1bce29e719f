{#
    Date spines without generate_series (absent on Redshift's compute nodes) and without a calendar table.

    day_offsets(max_days): a FROM-clause subquery of the integers 0 .. max_days - 1 in column `day_offset`,
    built by cross joining digit lists (10^k rows for the k digits max_days needs).

    date_spine(bounds, key_column, start_column, end_column, date_column): a select of one row per key and
    day from its start to its end date (both included), no gaps, from a relation or CTE `bounds` holding one
    row per key. `max_days` bounds the longest span (default 100,000 days, about 270 years).
#}

{% macro day_offsets(max_days=100000) -%}
    {{ return(adapter.dispatch('day_offsets', 'dealer_warehouse')(max_days)) }}
{%- endmacro %}

{% macro default__day_offsets(max_days=100000) -%}
    {%- set digit_count = [(max_days - 1) | string | length, 1] | max -%}
    (
        select
            {% for position in range(digit_count) -%}
            digits_{{ position }}.digit * {{ 10 ** position }}{{ ' +' if not loop.last }}
            {% endfor -%}
            as day_offset
        from
            {% for position in range(digit_count) -%}
            (
                select 0 as digit union all select 1 union all select 2 union all select 3 union all select 4
                union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
            ) as digits_{{ position }}{{ ' cross join' if not loop.last }}
            {% endfor %}
    )
{%- endmacro %}

{% macro date_spine(bounds, key_column, start_column, end_column, date_column='calendar_date', max_days=100000) -%}
    select
        spine_bounds.{{ key_column }},
        {{ add_days('spine_bounds.' ~ start_column, 'spine_offsets.day_offset') }} as {{ date_column }}
    from {{ bounds }} as spine_bounds
    inner join {{ day_offsets(max_days) }} as spine_offsets
        on spine_offsets.day_offset <= {{ days_between('spine_bounds.' ~ start_column, 'spine_bounds.' ~ end_column) }}
{%- endmacro %}
