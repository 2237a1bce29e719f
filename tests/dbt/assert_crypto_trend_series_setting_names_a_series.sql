{#-
    The crypto_tickers seed's trend_series must name a series of the ticker's latest Google Trends file
    (its position, 1 = the first, or its name as in the file's header): else the ticker would silently
    lose its trend. Fails with one row per ticker whose setting names none: correct the seed (then
    `dbt seed --select crypto_tickers`) or deliver the file with that series.
-#}

with

trends as (

    select * from {{ ref('stg_crypto__trends') }}

),

selected as (

    select * from {{ ref('int_crypto_trends_selected') }}

),

settings as (

    select * from {{ ref('crypto_tickers') }}

),

tickers_with_trends as (

    select distinct
        ticker,
        landing_key

    from trends

),

tickers_chosen as (

    select distinct ticker from selected

),

final as (

    select
        tickers_with_trends.ticker,
        tickers_with_trends.landing_key,
        settings.trend_series as trend_series_setting

    from tickers_with_trends
    left join tickers_chosen
        on tickers_with_trends.ticker = tickers_chosen.ticker
    left join settings
        on tickers_with_trends.ticker = upper(trim(settings.ticker))
    where tickers_chosen.ticker is null

)

select * from final
