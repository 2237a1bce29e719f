{#-
    Every ticker with a price file: its settings from the crypto_tickers seed, else the project defaults
    (vars crypto_missing_price_strategy and crypto_fill_limit_days), and the span of its price dates.
-#}
with

prices as (

    select * from {{ ref('stg_crypto__prices') }}

),

settings as (

    select * from {{ ref('crypto_tickers') }}

),

price_spans as (

    select
        ticker,
        min(price_date) as first_price_date,
        max(price_date) as last_price_date

    from prices
    where price_date is not null
    group by ticker

),

final as (

    select
        price_spans.ticker,
        settings.name as ticker_name,
        coalesce(
            lower(trim(settings.missing_price_strategy)), '{{ crypto_default_missing_price_strategy() }}'
        ) as missing_price_strategy,
        coalesce(settings.fill_limit_days, {{ crypto_default_fill_limit_days() }}) as fill_limit_days,
        price_spans.first_price_date,
        price_spans.last_price_date

    from price_spans
    left join settings
        on price_spans.ticker = upper(trim(settings.ticker))

)

select * from final
