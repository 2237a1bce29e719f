{#-
    Daily prices of the latest price file of each ticker, typed. Each row carries how its file reads
    (date_order, decimal_mark), decided by the extractor from the whole file's content and checked on
    every line (docs/market_data.md). Rows landed before the extractor decided it have no layout: their
    header's language decides, as it did then (a date column labelled "Data" is day-first with a decimal
    comma, any other month-first with a decimal point). -1 and empty mean a missing price.
-#}
with

source as (

    select * from {{ source('crypto', 'crypto_rows') }}
    where file_kind = 'price'

),

latest_files as (

    -- a newer price file of a ticker replaces the older one: keep the rows of the ticker's latest file
    select
        *,
        lower(trim(date_label)) = 'data' as is_italian_header

    from source
    where load_id in ({{ latest_crypto_files('source') }})

),

layouts as (

    select
        *,
        coalesce(date_order, case when is_italian_header then 'DMY' else 'MDY' end) as file_date_order,
        coalesce(decimal_mark, case when is_italian_header then ',' else '.' end) as file_decimal_mark

    from latest_files

),

parsed as (

    select
        *,
        case
            when file_decimal_mark = ',' then {{ parse_decimal('value_text', 'italian_number') }}
            else {{ parse_decimal('value_text', 'number') }}
        end as price_number,
        {{ parse_price_date('observed_on_text', 'file_date_order') }} as price_date

    from layouts

),

cleaned as (

    select
        *,
        -- -1 is the export's missing price; empty text is missing too
        cast(case when price_number <> -1 then price_number end as numeric(28, 10)) as price

    from parsed

),

renamed as (

    select
        ----------  ids
        load_id,
        ticker,

        ----------  strings
        landing_key,
        file_date_order as date_order,
        file_decimal_mark as decimal_mark,
        observed_on_text,
        value_text as price_text,

        ----------  numerics
        line_number,
        price,

        ----------  dates
        price_date

    from cleaned

)

select * from renamed
