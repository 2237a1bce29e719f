with

checked_rows as (

    select * from {{ ref('int_unificado_rows_checked') }}
    where rejection_reason is null

),

ranked as (

    -- duplicates share (id, muestra, resultado); partitions treat nulls as equal
    select
        *,
        row_number() over (
            partition by id, muestra, resultado
            order by fecha_copia desc, load_id desc, line_number desc
        ) as copy_rank

    from checked_rows

),

final as (

    select
        cast(chrom as varchar(20)) as chrom,
        cast(pos as varchar(20)) as pos,
        cast(id as varchar(50)) as id,
        cast(ref as varchar(30)) as ref,
        cast(alt as varchar(20)) as alt,
        cast(qual as varchar(30)) as qual,
        cast(filter as varchar(10)) as filter,
        cast(info as varchar(700)) as info,
        cast(format as varchar(100)) as format,
        cast(muestra as varchar(20)) as muestra,
        cast(valor as varchar(100)) as valor,
        cast(origen as varchar(900)) as origen,
        cast(fecha_copia as timestamp) as fecha_copia,
        cast(resultado as varchar(20)) as resultado

    from ranked
    where copy_rank = 1

)

select * from final
