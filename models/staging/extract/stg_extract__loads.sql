with

source as (

    select * from {{ source('extract', 'load_ledger') }}

),

renamed as (

    select
        ----------  ids
        load_id,

        ----------  strings
        domain,
        landing_uri,
        landing_key,
        sha256,
        status,
        error,
        warnings,
        layout,

        ----------  numerics
        size_bytes,
        rows_loaded,
        rows_rejected,

        ----------  timestamps
        feed_at,
        started_at,
        finished_at

    from source

)

select * from renamed
