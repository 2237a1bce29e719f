with

checked_rows as (

    select * from {{ ref('int_unificado_rows_checked') }}

),

final as (

    select
        load_id,
        landing_key,
        line_number,
        fecha_copia,
        rejection_reason,
        chrom,
        pos,
        id,
        ref,
        alt,
        qual,
        filter,
        info,
        format,
        muestra,
        valor,
        origen,
        resultado

    from checked_rows
    where rejection_reason is not null

)

select * from final
