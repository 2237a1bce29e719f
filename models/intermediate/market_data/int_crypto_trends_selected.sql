{#-
    The Google Trends series each ticker uses, out of the series of its latest trend file: the one the
    crypto_tickers seed's trend_series names (its position, 1 = the first, or its name as in the header,
    any letter case; a position wins over a series named like one), else the first. A setting naming no
    series of the file leaves the ticker without trend rows here, and the test
    assert_crypto_trend_series_setting_names_a_series fails the build.
-#}
with

trends as (

    select * from {{ ref('stg_crypto__trends') }}

),

settings as (

    select * from {{ ref('crypto_tickers') }}

),

configured as (

    select
        upper(trim(ticker)) as ticker,
        nullif(trim(trend_series), '') as trend_series_setting

    from settings

),

file_series as (

    select distinct
        ticker,
        series_position,
        search_term

    from trends

),

matched as (

    select
        file_series.ticker,
        file_series.series_position,
        file_series.search_term,
        configured.trend_series_setting,
        case
            when configured.trend_series_setting is null
                then case when file_series.series_position = 1 then 1 end
            when configured.trend_series_setting = cast(file_series.series_position as varchar(10)) then 1
            when lower(file_series.search_term) = lower(configured.trend_series_setting) then 2
        end as match_rank

    from file_series
    left join configured
        on file_series.ticker = configured.ticker

),

chosen as (

    -- one series per ticker: a position before a name, then the first of equal names
    select
        *,
        row_number() over (partition by ticker order by match_rank, series_position) as choice_rank

    from matched
    where match_rank is not null

),

final as (

    select
        trends.load_id,
        trends.ticker,
        trends.landing_key,
        trends.search_term as trend_series,
        chosen.trend_series_setting,
        trends.series_position,
        trends.line_number,
        trends.trend,
        trends.is_trend_below_one,
        trends.trend_date

    from trends
    inner join chosen
        on
            trends.ticker = chosen.ticker
            and trends.series_position = chosen.series_position
            and chosen.choice_rank = 1

)

select * from final
