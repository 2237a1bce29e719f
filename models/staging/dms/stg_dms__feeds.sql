with

source as (

    select * from {{ source('dms', 'vehicle_feeds') }}

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

    from source

)

select * from renamed
