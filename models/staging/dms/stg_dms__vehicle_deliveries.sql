{#-
    One row per vehicle record as delivered, every DMS: who delivered which stock id with which
    content (the extractor wrote the stock id and the record's hash beside its JSON), and the record.
    The history finds what changed from the light columns alone; the content models read `record` of
    the few records that bring a new content. The delete records of events feeds are not vehicles:
    they are in stg_dms__vehicle_deletes.

    A single select, not import CTEs: PostgreSQL does not push a join's keys into an inlined CTE, and
    the content models join a few thousand (load_id, record_index) pairs to millions of raw rows
    through this view, which must reach the raw table's index (measured: 0.1 s instead of a 36 s scan).
    That index (raw.vehicle_records_deliveries) also carries every column here but `landing_key`,
    `feed_at` and `record`, so what reads a day's deliveries without them reads the index alone.

    Records of held and superseded feeds are here too (no join to the ledger, for the same reason):
    every model that reads this view joins it to the applied feeds of int_vehicle_feeds (directly, or
    through the first_load_id of int_vehicle_contents), so they never reach the catalogue.
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
    record_hash as content_hash,

    ----------  numerics
    record_index,

    ----------  timestamps
    feed_at,

    ----------  the record's JSON
    record

from {{ source('dms', 'vehicle_records') }}
where not is_delete
