"""The dashboard's entry point: `streamlit run dashboard/app.py` (`make dashboard`). One page per module;
each page's address is the app's URL followed by its url_path: the first page is the default one, at the root
(Streamlit gives the default page no other address)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from dashboard import feed_health, market_data, vehicle_catalogue
from dashboard.connection import DashboardSettings, WarehouseError


@dataclass(frozen=True)
class PageSpec:
    render: Callable[[], None]
    title: str
    url_path: str
    icon: str


PAGES = (
    PageSpec(market_data.render, market_data.TITLE, "", ":material/show_chart:"),
    PageSpec(feed_health.render, feed_health.TITLE, "feed-health", ":material/monitor_heart:"),
    PageSpec(vehicle_catalogue.render, vehicle_catalogue.TITLE, "vehicle-catalogue", ":material/directions_car:"),
)


def main() -> None:
    st.set_page_config(page_title="Dealer warehouse", page_icon=":material/warehouse:", layout="wide")
    page = st.navigation(
        [
            st.Page(spec.render, title=spec.title, url_path=spec.url_path, icon=spec.icon, default=index == 0)
            for index, spec in enumerate(PAGES)
        ]
    )
    try:
        settings = DashboardSettings.from_env()
        st.sidebar.caption(f"Reading the marts as {settings.describe()}")
        page.run()
    except WarehouseError as exc:
        st.error(str(exc))


if __name__ == "__main__":
    main()
