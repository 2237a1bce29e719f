{#- One row per vehicle record of every DMS feed, in the catalogue's columns: the DMS staging models
    (one per track file, found at parse time) stacked. -#}
{%- set columns = [
    'load_id', 'corporate_id', 'source', 'external_source_id', 'landing_key', 'record_index', 'feed_at',
    'vin', 'vin_as_delivered', 'dealer_code', 'make', 'model', 'version', 'fuel', 'gearbox', 'color',
    'make_code', 'model_code', 'version_code', 'list_price', 'promotional_price', 'mileage',
    'registration_date', 'content_hash',
] -%}

with

{% for dms in dms_track_names() -%}
{{ dms }}_vehicles as (

    select * from {{ ref('stg_' ~ dms ~ '__vehicles') }}

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
