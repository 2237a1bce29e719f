{#
    The rows of a list (`images`, `optionals`) of the contents in the relations `<records><dms>` (one per
    DMS, with layer_id, content_hash, source and record: the records that brought new contents), per the
    entries of each track's `lists.<list_name>`. Columns: layer_id, content_hash, position (1 to n per
    content: entries in track order, elements in document order), then `fields`. With `required`, an
    element without that field counts for nothing, and among an element's size variants the highest
    ranked that has it wins (equal ranks: the first in the document).
    PostgreSQL numbers each record's elements apart (a lateral subquery of a few rows); a global window
    over the ten million elements of a million records sorted them on disk. Redshift has no such
    lateral subquery and numbers them with windows.
#}
{% macro dms_list_rows(list_name, fields, records, required=none) -%}
    {{ return(adapter.dispatch('dms_list_rows', 'dealer_warehouse')(list_name, fields, records, required)) }}
{%- endmacro %}

{% macro default__dms_list_rows(list_name, fields, records, required) -%}
    {%- set selects = [] -%}
    {%- for dms in dms_track_names() -%}
        {%- set entry_selects = [] -%}
        {%- for entry in dms_list_entries(dms, list_name) -%}
            {%- do entry_selects.append(dms_list_select(dms, loop.index, entry, fields, records, required, true)) -%}
        {%- endfor -%}
        {%- if entry_selects -%}
        {%- set record_rows -%}
    select
        vehicles.layer_id,
        vehicles.content_hash,
        listed.position,
        {%- for field in fields %}
        listed.{{ field }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ records ~ dms }} as vehicles
    cross join lateral (
        select
            row_number() over (order by entries.list_entry, entries.entry_position) as position,
            {%- for field in fields %}
            entries.{{ field }}{{ "," if not loop.last }}
            {%- endfor %}
        from (
            {{ entry_selects | join('\n            union all\n            ') }}
        ) as entries
        {%- if required %}
        where entries.{{ required }} is not null
        {%- endif %}
    ) as listed
        {%- endset -%}
        {%- do selects.append(record_rows) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(dms_list_union(selects, fields)) }}
{%- endmacro %}

{% macro redshift__dms_list_rows(list_name, fields, records, required) -%}
    {%- set selects = [] -%}
    {%- set ns = namespace(variants=false) -%}
    {%- for dms in dms_track_names() -%}
        {%- for entry in dms_list_entries(dms, list_name) -%}
            {%- do selects.append(dms_list_select(dms, loop.index, entry, fields, records, required, false)) -%}
            {%- set ns.variants = ns.variants or entry.get('variants') is not none -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not selects -%}
    {{ return(dms_list_union(selects, fields)) }}
    {%- endif -%}
    {%- set numbered -%}
    select
        layer_id,
        content_hash,
        row_number() over (partition by layer_id, content_hash order by list_entry, entry_position) as position,
        {%- for field in fields %}
        {{ field }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select
            *,
            {%- if ns.variants %}
            row_number() over (
                partition by layer_id, content_hash, list_entry, entry_position
                order by variant_rank, variant_position
            ) as variant_choice
            {%- else %}
            1 as variant_choice
            {%- endif %}
        from (
            {{ selects | join('\n            union all\n            ') }}
        ) as list_elements
        {%- if required %}
        where {{ required }} is not null
        {%- endif %}
    ) as chosen
    where variant_choice = 1
    {%- endset -%}
    {{ return(numbered) }}
{%- endmacro %}

{# The entries of a track's `lists.<list_name>` (one mapping or a list of them). #}
{% macro dms_list_entries(dms, list_name) -%}
    {%- set entries = (dms_track(dms).lists or {}).get(list_name) or [] -%}
    {{ return([entries] if entries is mapping else entries) }}
{%- endmacro %}

{# The selects of dms_list_rows joined with `union all`; a select of no rows when no track has the list. #}
{% macro dms_list_union(selects, fields) -%}
    {%- if selects | length == 0 -%}
        {%- set empty_fields = [] -%}
        {%- for field in fields -%}{%- do empty_fields.append('cast(null as varchar) as ' ~ field) -%}{%- endfor -%}
        {%- do selects.append('select cast(null as varchar) as layer_id, cast(null as varchar) as content_hash, cast(0 as bigint) as position, ' ~ empty_fields | join(', ') ~ ' where 1 = 0') -%}
    {%- endif -%}
    {{ return(selects | join('\n    union all\n    ')) }}
{%- endmacro %}

{#
    One entry of a list. `path` is the list's element; with `items`, each element of `path` is a repeated
    parent holding several items (equipment/group/element), and `parent_fields` read the parent (the
    group's @name as the optional's category). An item's position counts parents first (parent position
    x 10,000 + its own). With `variants`, each element holds size variants ranked by `order`.
    `per_record` (PostgreSQL): a select inside dms_list_rows' lateral subquery over one record of
    `<records><dms>` (no key columns; the largest variant picked per element); else a select over all of
    them, every variant a row with its rank, for the windows to choose from.
#}
{% macro dms_list_select(dms, entry_index, entry, fields, records, required, per_record) -%}
    {%- set variants = entry.get('variants') -%}
    {%- set items = entry.get('items') -%}
    {%- set field_specs = (variants.fields if variants else entry.fields) or {} -%}
    {%- set parent_specs = entry.get('parent_fields') or {} -%}
    {%- set listed = 'item' if items else 'element' -%}
    {%- set record = 'listed_record.record' if per_record else 'vehicles.record' -%}
    {%- set variant_rank -%}
        {%- if variants -%}
        coalesce(case {{ json_text(unnested_element('variant'), dms_path(variants.rank_by)) }}
            {%- for size in variants.order %}
            when '{{ size }}' then {{ loop.index }}
            {%- endfor %}
        end, 999)
        {%- endif -%}
    {%- endset -%}
    select
        {%- if not per_record %}
        vehicles.layer_id,
        vehicles.content_hash,
        {%- endif %}
        {{ entry_index }} as list_entry,
        {% if items -%}
        {{ unnested_position('element_position') }} * 10000 + {{ unnested_position('item_position') }} as entry_position,
        {%- else -%}
        {{ unnested_position('element_position') }} as entry_position,
        {%- endif %}
        {%- if not per_record %}
        {{ variant_rank if variants else 1 }} as variant_rank,
        {{ unnested_position('variant_position') if variants else 1 }} as variant_position,
        {%- endif %}
        {%- for field in fields %}
        {%- if field in parent_specs %}
        {{ dms_list_field(unnested_element('element'), parent_specs.get(field)) }} as {{ field }}{{ "," if not loop.last }}
        {%- elif variants and per_record %}
        chosen_variant.{{ field }}{{ "," if not loop.last }}
        {%- else %}
        {{ dms_list_field(unnested_element('variant' if variants else listed), field_specs.get(field)) }} as {{ field }}{{ "," if not loop.last }}
        {%- endif %}
        {%- endfor %}
    {%- if per_record %}
    from (select vehicles.record) as listed_record
    {%- else %}
    from {{ records ~ dms }} as vehicles
    {%- endif %}
    {{ unnest_json_array(json_value(record, dms_path(entry.path)), 'element', 'element_position') }}
    {%- if items %}
    {{ unnest_json_array(json_value(unnested_element('element'), dms_path(items)), 'item', 'item_position') }}
    {%- endif %}
    {%- if variants and per_record %}
    cross join lateral (
        -- the element's largest size variant{{ ' with a ' ~ required if required }}
        select
            {%- for field in fields if field not in parent_specs %}
            {{ dms_list_field(unnested_element('variant'), field_specs.get(field)) }} as {{ field }}{{ "," if not loop.last }}
            {%- endfor %}
        from (select {{ unnested_element(listed) }} as value) as sized
        {{ unnest_json_array(json_value('sized.value', dms_path(variants.path)), 'variant', 'variant_position') }}
        {%- if required %}
        where {{ dms_list_field(unnested_element('variant'), field_specs.get(required)) }} is not null
        {%- endif %}
        order by {{ variant_rank }}, {{ unnested_position('variant_position') }}
        limit 1
    ) as chosen_variant
    {%- elif variants %}
    {{ unnest_json_array(json_value(unnested_element(listed), dms_path(variants.path)), 'variant', 'variant_position') }}
    {%- endif %}
{%- endmacro %}

{# A list field: a path, a list of paths (first non-empty wins), a constant true/false, or absent (null). #}
{% macro dms_list_field(element, spec) -%}
    {%- if spec is none -%}
    cast(null as varchar)
    {%- elif spec is sameas true or spec is sameas false -%}
    {{ 'true' if spec else 'false' }}
    {%- elif spec is string -%}
    {{ first_non_empty_text(element, [spec]) }}
    {%- else -%}
    {{ first_non_empty_text(element, spec) }}
    {%- endif -%}
{%- endmacro %}
