with

source as (

    select * from {{ source('lab', 'unificado_rows') }}

),

loads as (

    select * from {{ source('extract', 'load_ledger') }}

),

renamed as (

    select
        ----------  ids
        source.load_id,
        source.id,
        source.muestra,

        ----------  strings
        source.landing_key,
        source.chrom,
        source.pos,
        source.ref,
        source.alt,
        source.qual,
        source.filter,
        source.info,
        source.format,
        source.valor,
        source.origen,
        source.resultado,

        ----------  numerics
        source.line_number,

        ----------  timestamps
        -- the file's FECHA_COPIA is ignored: the copy time is when the load started
        loads.started_at as fecha_copia

    from source
    inner join loads
        on source.load_id = loads.load_id

)

select * from renamed
