{#-
    Fails on every row where one of `columns` is null: the not_null tests of a big table in one scan
    (ten million lineage rows read once instead of once per column).
-#}
{% test not_null_columns(model, columns) %}

select *
from {{ model }}
where
    {%- for column in columns %}
    {{ column }} is null{{ " or" if not loop.last }}
    {%- endfor %}

{% endtest %}
