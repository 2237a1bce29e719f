{#-
    Daily prices of the latest price file of each ticker, typed. The header's language decides how the
    file is read: a date column labelled "Data" (it.investing.com) means day-first dates (31.10.2026 or
    31/10/2026) and Italian numbers (65.619,5); anything else is the English export, month-first dates
    (10/31/2026) and US numbers (65,619.5). -1 and empty mean a missing price.
-#}
with

source as (

    select * from {{ source('crypto', 'crypto_rows') }}
    where file_kind = 'price'

),

latest_files as (

    -- a newer price file of a ticker replaces the older one: keep the rows of the ticker's latest load
    select
        *,
        max(load_id) over (partition by ticker) as latest_load_id,
        case when lower(trim(date_label)) = 'data' then 'it' else 'en' end as file_language

    from source

),

parsed as (

    select
        *,
        case
            when file_language = 'it' then {{ parse_decimal('value_text', 'italian_number') }}
            else {{ parse_decimal('value_text', 'number') }}
        end as price_number,
        case
            when file_language = 'it' then {{ parse_ordered_date('observed_on_text', 'DMY') }}
            else {{ parse_ordered_date('observed_on_text', 'MDY') }}
        end as price_date

    from latest_files
    where load_id = latest_load_id

),

cleaned as (

    select
        *,
        -- -1 is the export's missing price; empty or unreadable text is missing too
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
        file_language,
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
