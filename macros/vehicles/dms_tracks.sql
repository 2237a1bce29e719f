{#
    The DMS track files (tracks/<dms>.sql) are macros named track__<dms>; these helpers find them,
    so models can loop over every DMS when they compile. Never ref() a model per name of this list:
    partial parsing does not re-parse such a model when a track file is added or removed, and the
    build stops (docs/architecture.md, "No model refs a list of DMS models").
#}

{% macro dms_track_names() -%}
    {%- set names = [] -%}
    {%- for name in context.keys() | sort if name.startswith('track__') -%}
        {%- do names.append(name[7:]) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{% macro dms_track(name) -%}
    {%- set track_macro = context.get('track__' ~ name | lower) -%}
    {%- if track_macro is none -%}
        {{ exceptions.raise_compiler_error("no track file tracks/" ~ name | lower ~ ".sql (macro track__" ~ name | lower ~ ")") }}
    {%- endif -%}
    {{ return(track_macro()) }}
{%- endmacro %}

{#
    The catalogue's fields (macros/vehicles/catalogue_fields.sql), each with what typing it needs: its
    kind's SQL type as `type` and hints, its vocabulary, and the list's hint patterns and date precisions
    (carried by every field, so a model parses the list once, not once per column).
#}
{% macro vehicle_fields() -%}
    {%- set catalogue = catalogue_fields() -%}
    {%- set fields = [] -%}
    {%- for field in catalogue.fields -%}
        {%- do fields.append({
            'name': field.name, 'kind': field.kind, 'of': field.get('of'), 'vocabulary': field.get('vocabulary') or [],
            'type': catalogue.kinds[field.kind].type, 'hints': catalogue.kinds[field.kind].hints,
            'hint_patterns': catalogue.hint_patterns, 'date_precisions': catalogue.date_precisions,
        }) -%}
    {%- endfor -%}
    {{ return(fields) }}
{%- endmacro %}

{# The columns a track may map onto: the stock id, then every catalogue field but the precisions. #}
{% macro dms_vehicle_columns(fields=none) -%}
    {%- set columns = ['external_source_id'] -%}
    {%- for field in (fields or vehicle_fields()) if field.kind != 'precision' -%}
        {%- do columns.append(field.name) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{# The text of the first non-empty of several paths (a list of 'a/b/@c' strings) of a JSON value. #}
{% macro first_non_empty_text(json_column, xml_paths) -%}
    {%- if xml_paths | length == 0 -%}
    cast(null as varchar)
    {%- else -%}
    coalesce(
        {%- for xml_path in xml_paths %}
        nullif(trim({{ json_text(json_column, dms_path(xml_path)) }}), ''){{ "," if not loop.last }}
        {%- endfor %}
    )
    {%- endif -%}
{%- endmacro %}

{# 'Public/Brand' -> ['Public', 'Brand']; '.' -> [] (the element itself) #}
{% macro dms_path(xml_path) -%}
    {%- set parts = [] -%}
    {%- for part in xml_path.strip('/').split('/') if part not in ('', '.') -%}
        {%- do parts.append(part) -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}

{# XML paths mapped to a column, in track order (several XML fields to one column: first non-empty wins). #}
{% macro dms_paths_for(track, column) -%}
    {%- set paths = [] -%}
    {%- for xml_path, target in track.mappings.items() -%}
        {%- set targets = [target] if target is string else target -%}
        {%- if column in targets -%}{%- do paths.append(xml_path) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(paths) }}
{%- endmacro %}

{# The track's parse hint of a column (or named value), else its kind's default. #}
{% macro dms_hint(track, field) -%}
    {{ return((track.parse or {}).get(field.name, field.hints[0] if field.hints else 'text')) }}
{%- endmacro %}

{# A number from text by the hint ('number' or 'italian_number'), numeric(18, 4). #}
{% macro dms_number(track, field, text_expression) -%}
    {%- set style = 'italian_number' if dms_hint(track, field) == 'italian_number' else 'number' -%}
    {{ parse_number(text_expression, style, field.hint_patterns.number) }}
{%- endmacro %}

{#
    Typed value of a catalogue field from its text, by its kind and the track's hint and vocabulary.
    A value that does not read as the hint says becomes null (the extractor counts them per file).
#}
{% macro dms_typed_column(track, field, text_expression) -%}
    {%- set hint = dms_hint(track, field) -%}
    {%- if field.kind == 'money' -%}
    cast({{ dms_number(track, field, text_expression) }} as {{ field.type }})
    {%- elif field.kind == 'integer' -%}
    cast(round({{ dms_number(track, field, text_expression) }}) as integer)
    {%- elif field.kind == 'date' -%}
    {{ parse_date(text_expression, hint, field.hint_patterns[hint]) }}
    {%- elif field.kind == 'vin' -%}
    (case
        when upper(replace({{ text_expression }}, ' ', '')) ~ '{{ field.hint_patterns.vin }}'
            then upper(replace({{ text_expression }}, ' ', ''))
    end)
    {%- elif field.kind == 'code' -%}
    {%- set vocabulary = (track.vocabularies or {}).get(field.name) or {} -%}
    (case {{ unicode_upper('trim(' ~ text_expression ~ ')') }}
        {%- for value, canonical in vocabulary.items() %}
        when '{{ unicode_upper_literal(value | string) | replace("'", "''") }}' then '{{ canonical }}'
        {%- endfor %}
        {%- for canonical in field.vocabulary %}
        when '{{ canonical }}' then '{{ canonical }}'
        {%- endfor %}
    end)
    {%- else -%}
    cast(nullif(trim({{ text_expression }}), '') as {{ field.type }})
    {%- endif -%}
{%- endmacro %}

{# The precision a date field's hint gives ('DAY', 'MONTH', 'YEAR'), when the date is there. #}
{% macro dms_precision_column(track, field, fields) -%}
    {%- set date_field = (fields | selectattr('name', 'equalto', field.of) | list)[0] -%}
    {%- if dms_paths_for(track, field.of) | length == 0 -%}
    cast(null as {{ field.type }})
    {%- else -%}
    (case
        when {{ dms_typed_column(track, date_field, field.of ~ '_text') }} is not null
            then '{{ field.date_precisions[dms_hint(track, date_field)] }}'
    end)
    {%- endif -%}
{%- endmacro %}

{#
    A derived column (the track's `derive`): its arithmetic over numeric fields and named values, with
    every name replaced by that column's number. Tokens are separated by spaces (checked by the extractor).
#}
{% macro dms_derived_column(track, field, fields) -%}
    {%- set expression = (track.derive or {}).get(field.name) -%}
    {%- set numbers = {} -%}
    {%- for other in fields if other.kind in ('money', 'integer') -%}
        {%- do numbers.update({other.name: dms_number(track, other, other.name ~ '_text')}) -%}
    {%- endfor -%}
    {%- for name in (track.get('values') or {}) -%}
        {%- set value = {'name': name, 'hints': ['number'], 'hint_patterns': field.hint_patterns} -%}
        {%- do numbers.update({name: dms_number(track, value, name ~ '__value_text')}) -%}
    {%- endfor -%}
    {%- set tokens = [] -%}
    {%- for token in expression.split() -%}
        {%- do tokens.append(numbers.get(token, token)) -%}
    {%- endfor -%}
    {%- if field.kind == 'integer' -%}
    cast(round({{ tokens | join(' ') }}) as integer)
    {%- else -%}
    cast({{ tokens | join(' ') }} as {{ field.type }})
    {%- endif -%}
{%- endmacro %}

{# The text of a mapped column or named value: first non-empty path, then the track's pattern if any. #}
{% macro dms_column_text(track, name, paths, json_column='record') -%}
    {%- set pattern = (track.patterns or {}).get(name) -%}
    {%- if pattern -%}
    {{ regex_capture(first_non_empty_text(json_column, paths), pattern) }}
    {%- else -%}
    {{ first_non_empty_text(json_column, paths) }}
    {%- endif -%}
{%- endmacro %}

{#
    The body of a DMS staging model: that DMS's raw records with every catalogue column extracted,
    parsed and mapped to the catalogue vocabulary, as plain SQL generated from its track file.
#}
{% macro dms_vehicle_staging(dms_name) -%}
    {%- set track = dms_track(dms_name) -%}
with

source as (

    select * from {{ source('dms', 'vehicle_records') }}
    where dms = '{{ track.dms | upper }}' and not is_delete  {#- an events feed's deletes are no vehicles #}

),

applied_feeds as (

    -- held and superseded feeds land in raw but are not applied (stg_dms__feeds)
    select load_id from {{ ref('stg_dms__feeds') }}

),

renamed as (

    select
        load_id,
        corporate_id,
        dms as source,
        stock_id as external_source_id,
        landing_key,
        record_index,
        feed_at,
        record_hash as content_hash,
        record

    from source
    where load_id in (select applied_feeds.load_id from applied_feeds)

),

typed as (

    {{ dms_typed_vehicles(track, 'renamed') }}

)

select * from typed
{%- endmacro %}

{#
    One DMS's records of `relation` (columns load_id, corporate_id, source, external_source_id,
    landing_key, record_index, feed_at, content_hash, record: stg_dms__vehicle_deliveries' shape),
    typed as its track file says. The DMS staging model applies it to every raw record; the content
    models to the few records that bring a new content.
#}
{% macro dms_typed_vehicles(track, relation) -%}
    {%- set fields = vehicle_fields() -%}
    {%- set document = json_read_once(relation ~ '.record', 'record_once') -%}
    select
        ----------  ids
        load_id,
        corporate_id,
        source,
        external_source_id,  {#- the extractor read it with the track's paths #}
        landing_key,
        record_index,
        feed_at,
        vin_text as vin_as_delivered,

        ----------  the catalogue's fields (macros/vehicles/catalogue_fields.sql)
        {%- for field in fields %}
        {%- if field.kind == 'precision' %}
        {{ dms_precision_column(track, field, fields) }} as {{ field.name }},
        {%- elif (track.derive or {}).get(field.name) and dms_paths_for(track, field.name) | length > 0 %}
        coalesce({{ dms_typed_column(track, field, field.name ~ '_text') }}, {{ dms_derived_column(track, field, fields) }}) as {{ field.name }},
        {%- elif (track.derive or {}).get(field.name) %}
        {{ dms_derived_column(track, field, fields) }} as {{ field.name }},
        {%- else %}
        {{ dms_typed_column(track, field, field.name ~ '_text') }} as {{ field.name }},
        {%- endif %}
        {%- endfor %}

        ----------  the record as delivered (lists are unnested downstream from it) and its hash
        content_hash,
        record

    from (
        select
            load_id,
            corporate_id,
            source,
            external_source_id,
            landing_key,
            record_index,
            feed_at,
            content_hash,
            {%- for name in (track.get('values') or {}) %}
            {{ dms_column_text(track, name, (track.get('values')[name] if track.get('values')[name] is not string else [track.get('values')[name]]), document) }} as {{ name }}__value_text,
            {%- endfor %}
            {%- for column in dms_vehicle_columns(fields) if column != 'external_source_id' %}
            {{ dms_column_text(track, column, dms_paths_for(track, column), document) }} as {{ column }}_text,
            {%- endfor %}
            record
        from {{ relation }}
        {{ json_read_once_join(relation ~ '.record', 'record_once') }}
        where source = '{{ track.dms | upper }}'
    ) as extracted
{%- endmacro %}
