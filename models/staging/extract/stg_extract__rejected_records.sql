with

source as (

    select * from {{ source('extract', 'rejected_records') }}

),

renamed as (

    select
        ----------  ids
        load_id,

        ----------  strings
        domain,
        landing_key,
        reason,
        content,

        ----------  numerics
        record_index

    from source

)

select * from renamed
