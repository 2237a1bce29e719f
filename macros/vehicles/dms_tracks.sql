{#
    The DMS track files (tracks/<dms>.sql) are macros named track__<dms>; these helpers find them
    at parse time, so models can loop over every DMS and ref its staging model.
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

{# The catalogue columns a DMS staging model produces, in order. #}
{% macro dms_vehicle_columns() -%}
    {{ return([
        'external_source_id', 'dealer_code', 'vin', 'make', 'model', 'version', 'list_price',
        'promotional_price', 'registration_date', 'mileage', 'fuel', 'gearbox', 'color',
        'make_code', 'model_code', 'version_code',
    ]) }}
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

{# Typed value of a column from its text, following the track's parsing hint and vocabulary. #}
{% macro dms_typed_column(track, column, text_expression) -%}
    {%- set hint = (track.parse or {}).get(column, 'text') -%}
    {%- set vocabulary = (track.vocabularies or {}).get(column) -%}
    {%- if column in ('list_price', 'promotional_price') -%}
    cast({{ parse_number(text_expression, 'italian_number' if hint == 'italian_number' else 'number') }} as numeric(12, 2))
    {%- elif column == 'mileage' -%}
    cast(round({{ parse_number(text_expression, 'italian_number' if hint == 'italian_number' else 'number') }}) as integer)
    {%- elif column == 'registration_date' -%}
    {{ parse_date(text_expression, hint if hint != 'text' else 'YYYY-MM-DD') }}
    {%- elif column == 'vin' -%}
    (case
        when upper(replace({{ text_expression }}, ' ', '')) ~ '^[A-HJ-NPR-Z0-9]{17}$'
            then upper(replace({{ text_expression }}, ' ', ''))
    end)
    {%- elif column == 'make' -%}
    upper(trim({{ text_expression }}))
    {%- elif vocabulary -%}
    (case upper(trim({{ text_expression }}))
        {%- for value, canonical in vocabulary.items() %}
        when '{{ value | upper | replace("'", "''") }}' then '{{ canonical }}'
        {%- endfor %}
        else upper(trim({{ text_expression }}))
    end)
    {%- else -%}
    trim({{ text_expression }})
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
    where dms = '{{ track.dms | upper }}'

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
    select
        ----------  ids
        load_id,
        corporate_id,
        source,
        external_source_id,  {#- the extractor read it with the track's paths #}
        {{ dms_typed_column(track, 'vin', 'vin_text') }} as vin,
        vin_text as vin_as_delivered,

        ----------  strings
        landing_key,
        {%- for column in ['dealer_code', 'make', 'model', 'version', 'fuel', 'gearbox', 'color', 'make_code', 'model_code', 'version_code'] %}
        {{ dms_typed_column(track, column, column ~ '_text') }} as {{ column }},
        {%- endfor %}

        ----------  numerics
        record_index,
        {{ dms_typed_column(track, 'list_price', 'list_price_text') }} as list_price,
        {{ dms_typed_column(track, 'promotional_price', 'promotional_price_text') }} as promotional_price,
        {{ dms_typed_column(track, 'mileage', 'mileage_text') }} as mileage,

        ----------  dates
        {{ dms_typed_column(track, 'registration_date', 'registration_date_text') }} as registration_date,

        ----------  timestamps
        feed_at,

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
            record,
            {%- for column in dms_vehicle_columns() if column != 'external_source_id' %}
            {{ first_non_empty_text('record', dms_paths_for(track, column)) }} as {{ column }}_text{{ "," if not loop.last }}
            {%- endfor %}
        from {{ relation }}
        where source = '{{ track.dms | upper }}'
    ) as extracted
{%- endmacro %}
