{#-
    The trend of every ticker on every day of its price spine: the value of its chosen series on its own
    date, and a daily value interpolated linearly in calendar days between consecutive observations, whatever
    their spacing (days, weeks, months: exact on the observation dates, null before the first and after the
    last). Observations outside the price span still bracket the days inside it.
-#}
with

days as (

    select * from {{ ref('int_crypto_days_spined') }}

),

trends as (

    select * from {{ ref('int_crypto_trends_selected') }}

),

ranked_trends as (

    -- one value per ticker and period: the first line of the file (the extractor rejects repeated periods)
    select
        ticker,
        trend_date,
        trend,
        trend_series,
        row_number() over (partition by ticker, trend_date order by line_number) as date_rank

    from trends
    where trend_date is not null and trend is not null

),

observations as (

    select
        ticker,
        trend_date,
        trend,
        trend_series

    from ranked_trends
    where date_rank = 1

),

timeline as (

    -- the price days and the observation dates of each ticker, in one series
    select
        observations.trend,
        observations.trend_series,
        coalesce(days.ticker, observations.ticker) as ticker,
        coalesce(days.calendar_date, observations.trend_date) as calendar_date,
        days.calendar_date is not null as is_price_day

    from days
    full outer join observations
        on
            days.ticker = observations.ticker
            and days.calendar_date = observations.trend_date

),

grouped as (

    -- a day shares its previous_group with the last observation on or before it,
    -- and its next_group with the first observation on or after it
    select
        *,
        count(trend) over (
            partition by ticker order by calendar_date rows between unbounded preceding and current row
        ) as previous_group,
        count(trend) over (
            partition by ticker order by calendar_date desc rows between unbounded preceding and current row
        ) as next_group,
        max(trend_series) over (partition by ticker) as ticker_trend_series

    from timeline

),

bracketed as (

    select
        *,
        max(trend) over (partition by ticker, previous_group) as previous_trend,
        max(case when trend is not null then calendar_date end) over (
            partition by ticker, previous_group
        ) as previous_trend_date,
        max(trend) over (partition by ticker, next_group) as next_trend,
        max(case when trend is not null then calendar_date end) over (
            partition by ticker, next_group
        ) as next_trend_date

    from grouped

),

final as (

    select
        ticker,
        calendar_date,
        trend,
        ticker_trend_series as trend_series,
        cast(case
            when trend is not null then trend
            when previous_trend_date is null or next_trend_date is null then null
            else
                previous_trend
                + (next_trend - previous_trend)
                * cast({{ days_between('previous_trend_date', 'calendar_date') }} as numeric(18, 6))
                / cast({{ days_between('previous_trend_date', 'next_trend_date') }} as numeric(18, 6))
        end as numeric(12, 6)) as trend_interpolated

    from bracketed
    where is_price_day

)

select * from final
