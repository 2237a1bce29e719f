{#-
    One row per ticker per calendar day, from its first to its last price date: the price after the
    ticker's missing-price strategy, its moving averages over calendar days, and the Google Trends
    series chosen for the ticker (daily, weekly or monthly values, interpolated to days).
    After each build a post-hook keeps one view per ticker (market_data.btc, ...) for the BI.
-#}
{#-
    Redshift: sorted by ticker and date, as every per-ticker view reads it; spread evenly over the slices,
    not by ticker (a handful of tickers would pile onto a handful of slices) and not copied to every node
    (dist all: rewritten on every build, and nothing in the warehouse joins it).
-#}
{{ config(post_hook="{{ refresh_crypto_ticker_views(this) }}", dist='even', sort=['ticker', 'date']) }}
{%- set windows = crypto_moving_average_windows() -%}
with

prices as (

    select * from {{ ref('int_crypto_prices_filled') }}

),

trends as (

    select * from {{ ref('int_crypto_trends_interpolated') }}

),

averaged as (

    -- the spine has exactly one row per day, so N rows are N calendar days; avg skips null prices
    select
        ticker,
        calendar_date,
        price,
        is_price_filled,
        {%- for window in windows %}
        cast(avg(price) over (
            partition by ticker order by calendar_date rows between {{ window - 1 }} preceding and current row
        ) as numeric(28, 10)) as price_ma_{{ window }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}

    from prices

),

final as (

    select
        averaged.ticker,
        -- "date": the column name the BI reads, as in the seed's tables
        averaged.calendar_date as date,  -- noqa: RF04
        averaged.price,
        averaged.is_price_filled,
        {%- for window in windows %}
        averaged.price_ma_{{ window }},
        {%- endfor %}
        trends.trend,
        trends.trend_interpolated,
        trends.trend_series

    from averaged
    left join trends
        on
            averaged.ticker = trends.ticker
            and averaged.calendar_date = trends.calendar_date

)

select * from final
