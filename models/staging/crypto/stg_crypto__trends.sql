{#-
    Google Trends values of the latest trend file of each ticker, every series, typed. A period is a day
    (YYYY-MM-DD: a day, or the first day of a week) or a month (YYYY-MM: its first day). "<1" (interest
    above zero but below one) becomes crypto_trend_below_one_value(): 0.5 unless the var
    crypto_trend_below_one says otherwise, a value in [0, 1).
-#}
with

source as (

    select * from {{ source('crypto', 'crypto_rows') }}
    where file_kind = 'trend'

),

latest_files as (

    -- a newer trend file of a ticker replaces the older one: keep the rows of the ticker's latest file
    select * from source
    where load_id in ({{ latest_crypto_files('source') }})

),

parsed as (

    select
        *,
        -- files landed before several series were kept had one series
        coalesce(series_position, 1) as position_in_file,
        coalesce(trim(value_text) = '<1', false) as is_trend_below_one,
        case
            when trim(value_text) = '<1' then cast({{ crypto_trend_below_one_value() }} as numeric(9, 4))
            else cast({{ parse_decimal('value_text', 'number') }} as numeric(9, 4))
        end as trend,
        coalesce(
            {{ parse_date('observed_on_text', 'YYYY-MM-DD') }},
            {{ parse_date('observed_on_text', 'YYYY-MM') }}
        ) as trend_date

    from latest_files

),

renamed as (

    select
        ----------  ids
        load_id,
        ticker,

        ----------  strings
        landing_key,
        date_label as period_label,
        value_label as search_term,
        observed_on_text,
        value_text as trend_text,

        ----------  numerics
        line_number,
        position_in_file as series_position,
        trend,

        ----------  booleans
        is_trend_below_one,

        ----------  dates
        trend_date

    from parsed

)

select * from renamed
