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
        source.fecha_copia as fecha_copia_text,

        ----------  numerics
        source.line_number,

        ----------  timestamps
        -- a row that carries FECHA_COPIA (an export of the old Unificado table) keeps it; a weekly file's
        -- rows leave it empty and are stamped with the load's start
        {{ parse_timestamp('source.fecha_copia') }} as delivered_fecha_copia,
        coalesce(
            {{ parse_timestamp('source.fecha_copia') }},
            cast(loads.started_at as timestamp)
        ) as fecha_copia

    from source
    inner join loads
        on source.load_id = loads.load_id

)

select * from renamed
