{#-
    One light row per vehicle record as delivered, every DMS: who delivered which stock id with which
    content, without reading the record's JSON (the extractor wrote the stock id and the record's hash
    beside it). The history and the content models find what changed from these columns alone.
-#}

with

source as (

    select * from {{ source('dms', 'vehicle_records') }}

),

renamed as (

    select
        ----------  ids
        {{ layer_key('corporate_id', 'dms', 'stock_id') }} as layer_id,
        load_id,
        corporate_id,
        dms as source,
        stock_id as external_source_id,

        ----------  strings
        record_hash as content_hash,

        ----------  numerics
        record_index,

        ----------  timestamps
        feed_at

    from source

)

select * from renamed
