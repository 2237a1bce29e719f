{#-
    Fails on every row where one of `columns` is null: the not_null tests of a big table in one scan
    (ten million lineage rows read once instead of once per column). batch_column, batch_key,
    batch_from: the rows it checks (macros/tests/tested_rows.sql); without them, every row.
-#}
{% test not_null_columns(model, columns, batch_column=none, batch_key=none, batch_from=none) %}

select *
from {{ tested_rows(model, batch_column, batch_key, batch_from) }}
where
    {%- for column in columns %}
    {{ column }} is null{{ " or" if not loop.last }}
    {%- endfor %}

{% endtest %}
