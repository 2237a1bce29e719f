{#
    One select per DMS and per entry of its track's `lists.<list_name>`: the list's elements unnested
    from the records of `<records><dms>` (one relation per DMS, named with the prefix `records`, with
    layer_id, content_hash, source and record: the records that brought new contents), with the
    requested fields. Joined with `union all`. Columns: layer_id, content_hash, list_entry, entry_position, variant_rank (1 unless
    the entry picks among size variants), then the fields.
#}
{% macro dms_list_selects(list_name, fields, records) -%}
    {%- set selects = [] -%}
    {%- for dms in dms_track_names() -%}
        {%- set track = dms_track(dms) -%}
        {%- set entries = (track.lists or {}).get(list_name) or [] -%}
        {%- set entries = [entries] if entries is mapping else entries -%}
        {%- for entry in entries -%}
            {%- do selects.append(dms_list_select(dms, loop.index, entry, fields, records)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if selects | length == 0 -%}
        {%- set empty_fields = [] -%}
        {%- for field in fields -%}{%- do empty_fields.append('cast(null as varchar) as ' ~ field) -%}{%- endfor -%}
        {%- do selects.append('select cast(null as varchar) as layer_id, cast(null as varchar) as content_hash, 0 as list_entry, 0 as entry_position, 1 as variant_rank, ' ~ empty_fields | join(', ') ~ ' where 1 = 0') -%}
    {%- endif -%}
    {{ return(selects | join('\n    union all\n    ')) }}
{%- endmacro %}

{#
    One entry of a list. `path` is the list's element; with `items`, each element of `path` is a repeated
    parent holding several items (equipment/group/element), and `parent_fields` read the parent (the
    group's @name as the optional's category). An item's position counts parents first (parent position
    x 10,000 + its own). With `variants`, each element holds size variants ranked by `order`.
#}
{% macro dms_list_select(dms, entry_index, entry, fields, records) -%}
    {%- set variants = entry.get('variants') -%}
    {%- set items = entry.get('items') -%}
    {%- set field_specs = (variants.fields if variants else entry.fields) or {} -%}
    {%- set parent_specs = entry.get('parent_fields') or {} -%}
    {%- set element = unnested_element('variant') if variants else unnested_element('element') -%}
    {%- set listed = 'item' if items else 'element' -%}
    select
        vehicles.layer_id,
        vehicles.content_hash,
        {{ entry_index }} as list_entry,
        {% if items -%}
        {{ unnested_position('element_position') }} * 10000 + {{ unnested_position('item_position') }} as entry_position,
        {%- else -%}
        {{ unnested_position('element_position') }} as entry_position,
        {%- endif %}
        {% if variants -%}
        coalesce(case {{ json_text(element, dms_path(variants.rank_by)) }}
            {%- for size in variants.order %}
            when '{{ size }}' then {{ loop.index }}
            {%- endfor %}
        end, 999) as variant_rank,
        {%- else -%}
        1 as variant_rank,
        {%- endif %}
        {%- for field in fields %}
        {%- if field in parent_specs %}
        {{ dms_list_field(unnested_element('element'), parent_specs.get(field)) }} as {{ field }}{{ "," if not loop.last }}
        {%- else %}
        {{ dms_list_field(unnested_element(listed) if not variants else element, field_specs.get(field)) }} as {{ field }}{{ "," if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from {{ records ~ dms }} as vehicles
    {{ unnest_json_array(json_value('vehicles.record', dms_path(entry.path)), 'element', 'element_position') }}
    {%- if items %}
    {{ unnest_json_array(json_value(unnested_element('element'), dms_path(items)), 'item', 'item_position') }}
    {%- endif %}
    {%- if variants %}
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
