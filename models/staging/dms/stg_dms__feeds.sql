{#-
    The vehicle feeds dbt applies, one row each: the extractor's ledger says loaded, or released (held,
    then applied by hand). A held feed (it looked like a broken export: no records, or a snapshot that
    would make most of a dealer's stock unavailable) and a superseded one land in raw but stay out of
    the catalogue (extract/held_feeds.py). Every vehicle model reads deliveries through the feeds of
    int_vehicle_feeds, which come from here, so this filter is the only one needed.
-#}

with

source as (

    select * from {{ source('dms', 'vehicle_feeds') }}

),

load_ledger as (

    select * from {{ source('extract', 'load_ledger') }}

),

applied_feeds as (

    select source.*

    from source
    where
        exists (
            select 1
            from load_ledger
            where
                load_ledger.load_id = source.load_id
                and load_ledger.status in ('loaded', 'released')
        )

),

renamed as (

    select
        ----------  ids
        load_id,
        corporate_id,
        dms as source,

        ----------  strings
        landing_key,

        ----------  numerics
        record_count,
        rejected_count,

        ----------  timestamps
        feed_at

    from applied_feeds

)

select * from renamed
