"""Page: is every feed arriving? The status of every stream (marts.feed_health) and, per stream, its files,
records and rejections per day (marts.feed_health_daily)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import queries
from dashboard.connection import DashboardSettings, NotBuilt

TITLE = "Feed health"
STATUS_COLORS = {"ok": "#2ca02c", "late": "#ff7f0e", "stale": "#d62728", "failing": "#9467bd"}
FILE_SERIES = {"files_loaded": "loaded", "files_rejected": "rejected", "files_held": "held"}
RECORD_SERIES = {"records_loaded": "loaded", "records_rejected": "rejected"}
FIRST_COLUMNS = ["stream_id", "status", "status_reason", "hours_since_last_feed", "expected_every_hours"]
TIME_COLUMNS = ["last_feed_at", "last_file_at", "checked_at"]


def render() -> None:
    st.title(TITLE)
    st.caption(
        "marts.feed_health: one row per stream (a dealer's DMS feed, a ticker's files, the lab file), the time "
        "of its last feed against its expected cadence, and what its files did over the last 7 days. "
        "ok: on time; late: past its cadence (by half of it, by default); stale: far past it (three times it, by "
        "default) or never loaded; failing: its latest file was rejected or is held."
    )
    settings = DashboardSettings.from_env()
    try:
        health = queries.feed_health(settings)
    except NotBuilt as exc:
        st.info(f"Feed health is not built yet ({exc}): build the marts with dbt build.")
        return
    if health.empty:
        st.info("No stream has delivered a file yet.")
        return

    counts = health["status"].value_counts()
    for column, status in zip(st.columns(len(queries.STATUS_ORDER)), reversed(queries.STATUS_ORDER), strict=True):
        column.metric(status, int(counts.get(status, 0)))
    st.dataframe(
        health.style.map(_status_style, subset=["status"]),
        hide_index=True,
        column_order=[*FIRST_COLUMNS, *(name for name in health.columns if name not in FIRST_COLUMNS)],
        column_config={
            "hours_since_last_feed": st.column_config.NumberColumn(format="%.1f"),
            "expected_every_hours": st.column_config.NumberColumn(format="%.0f"),
            **{name: st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm") for name in TIME_COLUMNS},
        },
    )

    st.subheader("Per stream, per day")
    streams = health["stream_id"].tolist()
    # worst first: the default is the stream that most needs a look; ?stream=ticker:BTC opens another
    stream_id = st.selectbox("Stream", streams, key="stream", bind="query-params")
    stream = health.set_index("stream_id").loc[stream_id]
    reason = stream["status_reason"]
    # plain text: a reason holds file names, which Markdown would mangle
    st.text(f"{stream_id} ({stream['status']})" + (f": {reason}" if pd.notna(reason) and reason else ""))
    try:
        daily = queries.feed_health_daily(settings, stream_id)
    except NotBuilt as exc:
        st.info(f"The daily feed health is not built yet ({exc}): build the marts with dbt build.")
        return
    if daily.empty:
        st.info(f"{stream_id} has no file in the daily history.")
        return
    left, right = st.columns(2)
    left.altair_chart(_daily_bars(daily, FILE_SERIES, "files"), width="stretch")
    right.altair_chart(_daily_bars(daily, RECORD_SERIES, "records"), width="stretch")
    with st.expander("Daily numbers"):
        st.dataframe(daily, hide_index=True)


def _status_style(status: str) -> str:
    color = STATUS_COLORS.get(status)
    return f"color: {color}; font-weight: bold" if color else ""


def _daily_bars(daily: pd.DataFrame, series: dict[str, str], unit: str) -> alt.Chart:
    long = daily.melt(id_vars=["day"], value_vars=list(series), var_name="what", value_name=unit)
    long["day"] = pd.to_datetime(long["day"]).dt.strftime("%Y-%m-%d")  # one band per day that had files
    long["what"] = long["what"].map(series)
    colors = {"loaded": "#1f77b4", "rejected": "#d62728", "held": "#ff7f0e"}
    return (
        alt.Chart(long, title=f"{unit.capitalize()} per day")
        .mark_bar(size=max(4, min(40, 400 // len(daily))))  # a few days stay bars, not blocks
        .encode(
            x=alt.X("day:O", title=None, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y(f"{unit}:Q", title=unit, stack=True),
            color=alt.Color(
                "what:N",
                title=None,
                sort=list(series.values()),
                scale=alt.Scale(domain=list(series.values()), range=[colors[name] for name in series.values()]),
            ),
            tooltip=["day:O", "what:N", f"{unit}:Q"],
        )
        .properties(height=280)
    )
