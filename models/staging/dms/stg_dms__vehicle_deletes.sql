{#-
    One row per delete record of a feed_mode events DMS (its track's deletes.root): the feed that ended
    the ad of a stock id. Only the light columns: a delete's JSON is never typed (vehicle_layer_history
    ends the layer's open version at the delete's feed time).

    A single select, like stg_dms__vehicle_deliveries: the history joins a few feeds' load ids to it,
    which must reach the raw table's (load_id, record_index) index.
-#}

select
    ----------  ids
    {{ layer_key('corporate_id', 'dms', 'stock_id') }} as layer_id,
    load_id,
    corporate_id,
    dms as source,
    stock_id as external_source_id,

    ----------  strings
    landing_key,

    ----------  numerics
    record_index,

    ----------  timestamps
    feed_at

from {{ source('dms', 'vehicle_records') }}
where is_delete
