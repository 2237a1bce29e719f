{#- One row per vehicle record of every DMS feed, in the catalogue's columns: every DMS's records typed
    as its track file says, stacked. The DMS are found when the model compiles (dms_track_names()), and
    it refs stg_dms__vehicle_deliveries alone, not each stg_<dms>__vehicles: its dependencies stay the
    same whichever track files exist, so dbt's partial parsing never needs to re-parse it when a DMS
    is added or removed. -#}
{%- set columns = [
    'load_id', 'corporate_id', 'source', 'external_source_id', 'landing_key', 'record_index', 'feed_at',
    'vin_as_delivered',
] + vehicle_fields() | map(attribute='name') | list + ['content_hash'] -%}

with

{% for dms in dms_track_names() -%}
{{ dms }}_records as (

    -- one import per DMS, each read once, so PostgreSQL inlines it and keeps the source filter
    select * from {{ ref('stg_dms__vehicle_deliveries') }}
    where
        source = '{{ dms_track(dms).dms | upper }}'
        and load_id in (select applied.load_id from {{ ref('stg_dms__feeds') }} as applied)  -- not held

),

{{ dms }}_vehicles as (

    {{ dms_typed_vehicles(dms_track(dms), dms ~ '_records') }}

),

{% endfor -%}

unioned as (

    {% for dms in dms_track_names() -%}
    select
        {{ columns | join(',\n        ') }}
    from {{ dms }}_vehicles
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

),

final as (

    select
        {{ layer_key('corporate_id', 'source', 'external_source_id') }} as layer_id,
        {{ columns | join(',\n        ') }}

    from unioned

)

select * from final
