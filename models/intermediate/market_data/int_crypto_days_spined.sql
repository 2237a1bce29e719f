{#- One row per ticker and calendar day, from its first to its last price date: no gaps. -#}
with

tickers as (

    select * from {{ ref('int_crypto_tickers_configured') }}

),

spine as (

    {{ date_spine('tickers', 'ticker', 'first_price_date', 'last_price_date', date_column='calendar_date') }}

)

select * from spine
