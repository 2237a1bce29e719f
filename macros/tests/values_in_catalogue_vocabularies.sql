{#-
    Fails on every value of a code field (fuel, gearbox, body_type, color_family, ...) that is not in
    the field's vocabulary in the catalogue's list (macros/vehicles/catalogue_fields.sql): one scan of
    the model for every code field, and a new code field is tested with no edit here.
-#}
{% test values_in_catalogue_vocabularies(model) %}

{%- for field in vehicle_fields() if field.kind == 'code' %}
select
    '{{ field.name }}' as field_name,
    cast({{ field.name }} as varchar(32)) as value
from {{ model }}
where {{ field.name }} not in ('{{ field.vocabulary | join("', '") }}')
{% if not loop.last %}union all{% endif %}
{%- endfor %}

{% endtest %}
