"""Page: one ticker's price, moving averages and interpolated Google Trends interest over a date range
(market_data.crypto_daily), the days whose price was carried forward marked."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import queries
from dashboard.connection import DashboardSettings

TITLE = "Market data"
FILLED_COLOR = "#d62728"
TREND_COLOR = "#7f7f7f"
PRICE_COLOR = "#1f4e99"
AVERAGE_COLORS = ("#2ca02c", "#ff9f1c", "#9467bd", "#17becf", "#8c564b")  # one per window, then repeated


def render() -> None:
    st.title(TITLE)
    st.caption(
        "market_data.crypto_daily: one row per ticker and calendar day; moving averages over calendar days; "
        "the Google Trends interest interpolated linearly between its observations."
    )
    settings = DashboardSettings.from_env()
    tickers = queries.tickers(settings)
    if not tickers:
        st.info("No market data yet: land price files under crypto/ticker=<TICKER>/, run python -m extract, dbt build.")
        return
    ticker = st.selectbox("Ticker", tickers, key="ticker", bind="query-params")  # ?ticker=ETH opens that one
    first_day, last_day = queries.ticker_dates(settings, ticker)
    first_day, last_day = _date_range(ticker, first_day, last_day)
    days = queries.ticker_days(settings, ticker, first_day, last_day)
    averages = queries.moving_average_columns(days)
    series = days["trend_series"].dropna()
    st.subheader(
        f"{ticker}, {first_day:%Y-%m-%d} to {last_day:%Y-%m-%d}"
        + (f" · Google Trends: {series.iloc[0]}" if not series.empty else " · no Google Trends file")
    )
    _latest_figures(days, averages)
    st.altair_chart(_chart(days, averages), width="stretch")
    filled, unpriced = int(days["is_price_filled"].sum()), int(days["price"].isna().sum())
    st.caption(
        f"{len(days)} days, {filled} with a filled price (red diamonds: no price that day, the last valid one "
        f"carried forward), {unpriced} without a price (the ticker's strategy drops them, or the last price is too "
        "old). Trend: observed values as dots, interpolated as a dashed line (right axis)."
    )
    with st.expander("Daily rows"):
        st.dataframe(days, hide_index=True)


def _date_range(ticker: str, first_day: date, last_day: date) -> tuple[date, date]:
    chosen = st.date_input(
        "Dates",
        value=(first_day, last_day),
        min_value=first_day,
        max_value=last_day,
        key=f"dates_{ticker}",  # a new ticker starts with its own whole range
    )
    if isinstance(chosen, tuple) and len(chosen) == 2:
        return chosen[0], chosen[1]
    return first_day, last_day  # while only the start of a range is picked


def _latest_figures(days: pd.DataFrame, averages: list[str]) -> None:
    priced = days.dropna(subset=["price"])
    if priced.empty:
        st.info("No price in this range.")
        return
    latest = priced.iloc[-1]
    columns = st.columns(2 + len(averages))
    columns[0].metric(f"Price on {latest['date']:%Y-%m-%d}", format_number(latest["price"]))
    for column, name in zip(columns[1:], averages, strict=False):
        column.metric(f"{name.removeprefix('price_ma_')}-day average", format_number(latest[name]))
    trend = latest["trend_interpolated"]
    columns[-1].metric("Trend (interpolated)", "–" if pd.isna(trend) else format_number(trend))


def format_number(value: float) -> str:
    """How the page shows prices and averages: thousands separators, two decimals."""
    return f"{value:,.2f}"


def _chart(days: pd.DataFrame, averages: list[str]) -> alt.LayerChart:
    labels = {"price": "price", **{name: f"{name.removeprefix('price_ma_')}-day average" for name in averages}}
    colors = [PRICE_COLOR, *(AVERAGE_COLORS[index % len(AVERAGE_COLORS)] for index in range(len(averages)))]
    long = days.melt(id_vars=["date"], value_vars=list(labels), var_name="series", value_name="value")
    long["series"] = long["series"].map(labels)
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%b %d"))
    prices = (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=x,
            y=alt.Y("value:Q", title="price", scale=alt.Scale(zero=False)),
            color=alt.Color(
                "series:N",
                title=None,
                sort=list(labels.values()),
                scale=alt.Scale(domain=list(labels.values()), range=colors),
            ),
            tooltip=["date:T", "series:N", alt.Tooltip("value:Q", format=",.2f")],
        )
    )
    filled = (
        alt.Chart(days[days["is_price_filled"]])
        .mark_point(shape="diamond", size=90, filled=True, color=FILLED_COLOR)
        .encode(x=x, y="price:Q", tooltip=["date:T", alt.Tooltip("price:Q", format=",.2f", title="filled price")])
    )
    trend_line = (
        alt.Chart(days)
        .mark_line(strokeDash=[5, 3], color=TREND_COLOR)
        .encode(x=x, y=alt.Y("trend_interpolated:Q", title="Google Trends (0-100)", scale=alt.Scale(domain=[0, 100])))
    )
    trend_points = (
        alt.Chart(days.dropna(subset=["trend"]))
        .mark_circle(size=40, color=TREND_COLOR)
        .encode(x=x, y=alt.Y("trend:Q", scale=alt.Scale(domain=[0, 100])), tooltip=["date:T", "trend:Q"])
    )
    return alt.layer(prices + filled, trend_line + trend_points).resolve_scale(y="independent").properties(height=420)
