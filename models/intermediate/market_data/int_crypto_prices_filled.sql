{#-
    The price of every ticker on every day of its spine after its missing-price strategy:
    ffill carries the last valid price forward for at most fill_limit_days days (calendar days, whether
    the day was missing from the file or marked -1); drop leaves the day's price null.
-#}
with

days as (

    select * from {{ ref('int_crypto_days_spined') }}

),

prices as (

    select * from {{ ref('stg_crypto__prices') }}

),

tickers as (

    select * from {{ ref('int_crypto_tickers_configured') }}

),

ranked_prices as (

    -- one price per ticker and day: a valid one before a missing one, then the first line of the file
    select
        ticker,
        price_date,
        price,
        row_number() over (
            partition by ticker, price_date
            order by case when price is null then 1 else 0 end, line_number
        ) as day_rank

    from prices
    where price_date is not null

),

observed as (

    select
        days.ticker,
        days.calendar_date,
        cast(ranked_prices.price as numeric(28, 10)) as price_observed

    from days
    left join ranked_prices
        on
            days.ticker = ranked_prices.ticker
            and days.calendar_date = ranked_prices.price_date
            and ranked_prices.day_rank = 1

),

grouped as (

    -- each valid price starts a group that runs until the next valid price
    select
        *,
        count(price_observed) over (
            partition by ticker order by calendar_date rows between unbounded preceding and current row
        ) as valid_price_group

    from observed

),

carried as (

    select
        *,
        max(price_observed) over (partition by ticker, valid_price_group) as last_valid_price,
        max(case when price_observed is not null then calendar_date end) over (
            partition by ticker, valid_price_group
        ) as last_valid_price_date

    from grouped

),

filled as (

    select
        carried.ticker,
        carried.calendar_date,
        carried.price_observed,
        tickers.missing_price_strategy,
        tickers.fill_limit_days,
        carried.price_observed is null
        and tickers.missing_price_strategy = 'ffill'
        and carried.last_valid_price_date is not null
        and {{ days_between('carried.last_valid_price_date', 'carried.calendar_date') }}
        <= tickers.fill_limit_days as is_price_filled,
        carried.last_valid_price

    from carried
    inner join tickers
        on carried.ticker = tickers.ticker

),

final as (

    select
        ticker,
        calendar_date,
        price_observed,
        is_price_filled,
        missing_price_strategy,
        fill_limit_days,
        cast(case when is_price_filled then last_valid_price else price_observed end as numeric(28, 10)) as price

    from filled

)

select * from final
