{#-
    Fails on every key with more than one open row (valid_to null). With allow_none false (the
    default, for snapshots that keep deletions as rows) a key with no open row fails too. batch_column,
    batch_key (the key), batch_from: the rows it checks (macros/tests/tested_rows.sql).
-#}
{% test one_open_row_per_key(model, key, valid_to, allow_none=false, batch_column=none, batch_key=none, batch_from=none) %}

{%- set key_columns = [key] if key is string else key %}

with

open_rows as (

    select
        {{ key_columns | join(', ') }},
        sum(case when {{ valid_to }} is null then 1 else 0 end) as open_row_count

    from {{ tested_rows(model, batch_column, batch_key, batch_from) }}
    group by {{ key_columns | join(', ') }}

),

final as (

    select * from open_rows
    where
        open_row_count > 1
        {% if not allow_none %}
            or open_row_count = 0
        {% endif %}

)

select * from final

{% endtest %}
