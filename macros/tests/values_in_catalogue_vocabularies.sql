{#-
    Fails on every value of a code field (fuel, gearbox, body_type, color_family, ...) that is not in
    the field's vocabulary in the catalogue's list (macros/vehicles/catalogue_fields.sql): one scan of
    the model for every code field, and a new code field is tested with no edit here. batch_column,
    batch_key, batch_from: the rows it checks (macros/tests/tested_rows.sql).
-#}
{% test values_in_catalogue_vocabularies(model, batch_column=none, batch_key=none, batch_from=none) %}

{%- set code_fields = vehicle_fields() | selectattr('kind', 'equalto', 'code') | list %}

with

tested as (

    select {{ code_fields | map(attribute='name') | join(', ') }}
    from {{ tested_rows(model, batch_column, batch_key, batch_from) }}

)

{% for field in code_fields %}
select
    '{{ field.name }}' as field_name,
    cast({{ field.name }} as varchar(32)) as value
from tested
where {{ field.name }} not in ('{{ field.vocabulary | join("', '") }}')
{% if not loop.last %}union all{% endif %}
{%- endfor %}

{% endtest %}
