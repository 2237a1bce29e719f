"""The dashboard's pages run in Streamlit's AppTest (its script runner, no browser) against the sample
warehouse, reading as bi_reader; every number a page shows is the mart's."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pandas as pd
import pytest
from conftest import SampleWarehouse
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest
from support import PROJECT_ROOT, query

from dashboard import queries
from dashboard.connection import BI_READER, BI_READER_LOCAL_PASSWORD, DashboardSettings
from dashboard.market_data import format_number

APP = PROJECT_ROOT / "dashboard" / "app.py"
TIMEOUT = 60  # seconds per script run: generous for a loaded CI machine
VIN = "WVWZZZCD3LW204518"  # the sample vehicle two DMS deliver (conflicting fields, images)


@pytest.fixture
def marts(sample_warehouse: SampleWarehouse, monkeypatch: pytest.MonkeyPatch) -> SampleWarehouse:
    """The sample warehouse, with the dashboard's DASHBOARD_PG* variables pointing at it."""
    for name, value in sample_warehouse.dashboard_env().items():
        monkeypatch.setenv(name, value)
    return sample_warehouse


def run_page(module: str, **query_params: str) -> AppTest:
    page = AppTest.from_string(f"from dashboard import {module}\n{module}.render()", default_timeout=TIMEOUT)
    page.query_params.update(query_params)
    return checked(page.run())


def checked(page: AppTest) -> AppTest:
    assert not page.exception, [error.value for error in page.exception]
    assert not page.error, [error.value for error in page.error]
    return page


TABLES = {  # the page's tables, told apart by columns only they have
    "market_days": {"price", "is_price_filled"},
    "feed_health_table": {"stream_id", "status"},
    "feed_health_daily_table": {"day", "files_loaded"},
    "vehicle_results": {"vehicle_id", "layer_count"},
    "vehicle_lineage": {"field_name", "load_id"},
    "vehicle_conflicts": {"field_name", "is_winner"},
    "vehicle_images": {"url", "preview"},
    "vehicle_layers": {"layer_id", "first_seen_at"},
    "vehicle_layer_history": {"layer_id", "valid_from"},
}


def frame(page: AppTest, table: str) -> pd.DataFrame:
    found = [element.value for element in page.dataframe if TABLES[table] <= set(element.value.columns)]
    assert len(found) == 1, f"{len(found)} tables of {table} on the page"
    return found[0]


def built(marts: SampleWarehouse, table: str, column: str) -> bool:
    """Whether marts.<table>.<column> exists (the models of the feed health work may not be built yet)."""
    sql = (
        "select 1 from information_schema.columns where table_schema = 'marts' and table_name = %s and column_name = %s"
    )
    return bool(query(marts.address, sql, (table, column)))


def test_settings_default_to_bi_reader_on_the_embedded_warehouse() -> None:
    local = DashboardSettings.from_env({"EMBEDDED_PG_PORT": "1", "PGUSER": "loader", "PGHOST": "elsewhere"})
    assert (local.user, local.password, local.host, local.dbname) == (
        BI_READER,
        BI_READER_LOCAL_PASSWORD,
        "127.0.0.1",
        "warehouse",
    )  # the loader's PG* variables are not the dashboard's
    remote = DashboardSettings.from_env({"DASHBOARD_PGHOST": "redshift.example", "DASHBOARD_PGPORT": "5439"})
    assert (remote.user, remote.password, remote.port) == (BI_READER, None, 5439)


def test_the_app_opens_on_market_data_reading_as_bi_reader(marts: SampleWarehouse) -> None:
    app = checked(AppTest.from_file(str(APP), default_timeout=TIMEOUT).run())
    assert [title.value for title in app.title] == ["Market data"]
    user = marts.dashboard_env()["DASHBOARD_PGUSER"]
    assert [caption.value for caption in app.sidebar.caption] == [
        f"Reading the marts as {user}@{marts.address.host}:{marts.address.port}/{marts.address.dbname}"
    ]
    if user != BI_READER:
        pytest.xfail("the server has no bi_reader role yet: the pages were read as the superuser")


def test_market_data_shows_each_tickers_latest_price_averages_and_filled_days(marts: SampleWarehouse) -> None:
    tickers = [row[0] for row in query(marts.address, "select distinct ticker from market_data.crypto_daily")]
    assert sorted(tickers) == ["BTC", "ETH", "XMR"]
    for ticker in tickers:
        page = run_page("market_data", ticker=ticker)
        assert page.selectbox(key="ticker").value == ticker
        latest = query(
            marts.address,
            "select date, price, price_ma_7, price_ma_14, price_ma_30 from market_data.crypto_daily"
            " where ticker = %s and price is not null order by date desc limit 1",
            (ticker,),
        )[0]
        shown = {metric.label: metric.value for metric in page.metric}
        assert shown[f"Price on {latest[0]:%Y-%m-%d}"] == format_number(latest[1])
        assert [shown[f"{window}-day average"] for window in (7, 14, 30)] == [format_number(v) for v in latest[2:]]

        days = frame(page, "market_days")  # the daily rows: every column of the mart, oldest first
        mart = query(
            marts.address,
            "select date, price, is_price_filled from market_data.crypto_daily where ticker = %s order by date",
            (ticker,),
        )
        shown_days = days[["date", "price", "is_price_filled"]].itertuples(index=False)
        assert [(d, None if pd.isna(p) else round(p, 6), f) for d, p, f in shown_days] == [
            (d, None if p is None else round(float(p), 6), f) for d, p, f in mart
        ]
        filled_days = [d for d, _, f in mart if f]
        assert f"{len(mart)} days, {len(filled_days)} with a filled price" in page.caption[-1].value
        # the chart: price and one line per moving average, the filled days as their own marked layer
        layers = chart_layers(page)
        assert set(layers["line"]["series"]) == {"price", "7-day average", "14-day average", "30-day average"}
        assert sorted(layers["point"]["date"]) == filled_days
        assert (
            layers["line-trend"]["trend_interpolated"].notna().sum()
            == query(
                marts.address,
                "select count(trend_interpolated) from market_data.crypto_daily where ticker = %s",
                (ticker,),
            )[0][0]
        )


def test_market_data_date_range_moves_the_latest_figures(marts: SampleWarehouse) -> None:
    page = run_page("market_data", ticker="BTC")
    first_day, last_day = query(
        marts.address, "select min(date), max(date) from market_data.crypto_daily where ticker = 'BTC'"
    )[0]
    start, end = first_day + timedelta(days=10), first_day + timedelta(days=40)
    page = checked(page.date_input(key="dates_BTC").set_value((start, end)).run())
    latest = query(
        marts.address,
        "select date, price, price_ma_30 from market_data.crypto_daily where ticker = 'BTC'"
        " and date between %s and %s and price is not null order by date desc limit 1",
        (start, end),
    )[0]
    shown = {metric.label: metric.value for metric in page.metric}
    assert shown[f"Price on {latest[0]:%Y-%m-%d}"] == format_number(latest[1])
    assert shown["30-day average"] == format_number(latest[2])
    assert page.subheader[0].value.startswith(f"BTC, {start:%Y-%m-%d} to {end:%Y-%m-%d}")
    assert last_day > end


def chart_layers(page: AppTest) -> dict[str, pd.DataFrame]:
    """The market chart's data per mark: line (price and averages), point (filled days), line-trend, circle."""
    chart = page.get("vega_lite_chart")[0].proto
    data = {dataset.name: convert_arrow_bytes_to_pandas_df(dataset.data.data) for dataset in chart.datasets}
    layers: dict[str, pd.DataFrame] = {}
    for group in json.loads(chart.spec)["layer"]:
        for layer in group["layer"]:
            mark = layer["mark"]["type"] + ("-trend" if "strokeDash" in layer["mark"] else "")
            layers[mark] = data[layer["data"]["name"]]
    return layers


def test_feed_health_shows_every_streams_status_and_its_days(marts: SampleWarehouse) -> None:
    page = run_page("feed_health")
    if not built(marts, "feed_health", "stream_id"):
        assert "Feed health is not built yet" in page.info[0].value
        pytest.xfail("marts.feed_health is not built yet (the feed health models)")
    rank = {status: index for index, status in enumerate(queries.STATUS_ORDER)}
    mart = query(marts.address, "select stream_id, status, hours_since_last_feed from marts.feed_health")
    mart.sort(key=lambda row: (rank.get(row[1], len(rank)), row[0]))
    table = frame(page, "feed_health_table")
    assert [tuple(row) for row in table[["stream_id", "status"]].itertuples(index=False)] == [row[:2] for row in mart]
    assert table["hours_since_last_feed"].round(6).tolist() == [round(float(row[2]), 6) for row in mart]
    counts = {metric.label: int(metric.value) for metric in page.metric}
    assert counts == {status: sum(row[1] == status for row in mart) for status in queries.STATUS_ORDER}

    for stream_id, status, _ in (mart[0], mart[-1]):  # the worst stream (the default) and the best
        page = checked(page.selectbox(key="stream").select(stream_id).run())
        assert page.text[0].value.startswith(f"{stream_id} ({status})")
        daily = query(
            marts.address,
            "select day, files_loaded, files_rejected, files_held, records_loaded, records_rejected"
            " from marts.feed_health_daily where stream_id = %s order by day",
            (stream_id,),
        )
        if not daily:
            assert page.info[-1].value == f"{stream_id} has no file in the daily history."
            continue
        shown = frame(page, "feed_health_daily_table")
        columns = ["day", "files_loaded", "files_rejected", "files_held", "records_loaded", "records_rejected"]
        assert [tuple(row) for row in shown[columns].itertuples(index=False)] == daily
        assert len(page.get("vega_lite_chart")) == 2  # files per day, records per day


def test_the_held_sample_feed_makes_its_stream_fail(marts: SampleWarehouse) -> None:
    if not built(marts, "feed_health", "stream_id"):
        pytest.xfail("marts.feed_health is not built yet (the feed health models)")
    page = run_page("feed_health")
    table = frame(page, "feed_health_table")
    held = table[(table["source"] == "DMS_A") & (table["corporate_id"] == "101")]
    assert held["last_file_status"].tolist() == ["held"]
    assert held["status"].tolist() == ["failing"]


def test_vehicle_catalogue_shows_a_vehicles_fields_lineage_conflicts_images_and_layers(marts: SampleWarehouse) -> None:
    page = run_page("vehicle_catalogue", vin=VIN.lower()[3:12])  # any case, any part of it
    assert frame(page, "vehicle_results")["vehicle_id"].tolist() == [VIN]
    assert page.subheader[0].value == "Volkswagen Golf 1.5 TSI 130 CV Life"
    assert page.caption[2].value == f"VIN {VIN}"
    vehicle = query(marts.address, "select layer_count, is_available from marts.vehicle where vehicle_id = %s", (VIN,))
    shown = {metric.label: metric.value for metric in page.metric}
    assert (int(shown["Layers"]), shown["Available"]) == (vehicle[0][0], "yes" if vehicle[0][1] else "no")

    lineage = query(
        marts.address,
        "select field_name, value, source, corporate_id, external_source_id, load_id from marts.vehicle_field_lineage"
        " where vehicle_id = %s order by field_name",
        (VIN,),
    )
    columns = ["field_name", "value", "source", "corporate_id", "external_source_id", "load_id"]
    assert [tuple(row) for row in frame(page, "vehicle_lineage")[columns].itertuples(index=False)] == lineage
    assert {row[2] for row in lineage} == {"DMS_A", "MOBILEDE"}  # fields from both of its DMS

    conflicts = query(
        marts.address,
        "select field_name, value, is_winner, source from marts.vehicle_conflict where vehicle_id = %s"
        " order by field_name, is_winner desc, source, corporate_id",
        (VIN,),
    )
    assert conflicts, "the sample's two DMS disagree on this vehicle"
    shown_conflicts = frame(page, "vehicle_conflicts")[["field_name", "value", "is_winner", "source"]]
    assert [tuple(row) for row in shown_conflicts.itertuples(index=False)] == conflicts
    assert page.tabs[1].label == f"Conflicts ({len(conflicts)})"

    images_sql = "select url from marts.vehicle_image where vehicle_id = %s order by position"
    urls = [row[0] for row in query(marts.address, images_sql, (VIN,))]
    images = frame(page, "vehicle_images")
    assert images["url"].tolist() == urls and images["preview"].tolist() == urls

    if not built(marts, "vehicle_layer", "vehicle_id"):
        assert "need marts.vehicle_layer.vehicle_id" in page.info[-1].value
        pytest.xfail("marts.vehicle_layer.vehicle_id is not built yet")
    layers = query(
        marts.address,
        "select layer_id, corporate_id, source, is_available from marts.vehicle_layer where vehicle_id = %s"
        " order by corporate_id, source, external_source_id",
        (VIN,),
    )
    assert len(layers) == vehicle[0][0]
    shown_layers = frame(page, "vehicle_layers")[["layer_id", "corporate_id", "source", "is_available"]]
    assert [tuple(row) for row in shown_layers.itertuples(index=False)] == layers
    history = query(
        marts.address,
        "select layer_id, version_number, content_hash from marts.vehicle_layer_history"
        " where layer_id = any(%s) order by corporate_id, source, external_source_id, version_number",
        ([row[0] for row in layers],),
    )
    shown_history = frame(page, "vehicle_layer_history")[["layer_id", "version_number", "content_hash"]]
    assert [tuple(row) for row in shown_history.itertuples(index=False)] == history


def test_vehicle_search_by_make_model_and_dealer(marts: SampleWarehouse) -> None:
    page = run_page("vehicle_catalogue")
    everything = query(marts.address, "select vehicle_id from marts.vehicle order by make, model, vehicle_id")
    assert frame(page, "vehicle_results")["vehicle_id"].tolist() == [row[0] for row in everything]

    no_vin = query(marts.address, "select vehicle_id, make, model from marts.vehicle where vin is null limit 1")[0]
    page = checked(page.text_input(key="vin").input(no_vin[0]).run())  # a vehicle without a VIN, by its id
    assert frame(page, "vehicle_results")["vehicle_id"].tolist() == [no_vin[0]]
    assert page.subheader[0].value.startswith(f"{no_vin[1]} {no_vin[2]}")
    assert page.caption[2].value == f"No valid VIN: the vehicle is its layer ({no_vin[0]})"

    page.text_input(key="vin").input("")
    page = checked(page.selectbox(key="make").select("Fiat").run())
    fiat = query(marts.address, "select vehicle_id from marts.vehicle where make = 'Fiat' order by model, vehicle_id")
    assert frame(page, "vehicle_results")["vehicle_id"].tolist() == [row[0] for row in fiat]

    page.selectbox(key="make").select("")
    page = checked(page.text_input(key="model").input("renegade").run())
    renegade = query(marts.address, "select vehicle_id from marts.vehicle where model = 'Renegade' order by vehicle_id")
    assert frame(page, "vehicle_results")["vehicle_id"].tolist() == [row[0] for row in renegade]
    assert len(renegade) == 2

    page.text_input(key="model").input("")
    page = checked(page.selectbox(key="corporate").select("102").run())
    if not built(marts, "vehicle_layer", "vehicle_id"):
        assert "searching by dealer needs marts.vehicle_layer.vehicle_id" in page.info[0].value
        pytest.xfail("marts.vehicle_layer.vehicle_id is not built yet")
    dealer = query(
        marts.address,
        "select vehicle_id from marts.vehicle where vehicle_id in"
        " (select vehicle_id from marts.vehicle_layer where corporate_id = '102') order by make, model, vehicle_id",
    )
    assert frame(page, "vehicle_results")["vehicle_id"].tolist() == [row[0] for row in dealer]
    assert VIN in [row[0] for row in dealer]


def test_the_dbt_exposure_lists_what_the_dashboard_reads(marts: SampleWarehouse) -> None:
    """dashboard/queries.py reads marts and market_data only, and every relation it reads is a dependency of
    the exposure dealer_dashboard (what `dbt docs` shows), and nothing else is."""
    source = (PROJECT_ROOT / "dashboard" / "queries.py").read_text()
    read = set(re.findall(r"[\" ](?:from|join) (\w+)\.(\w+)", source))  # in SQL strings, not imports
    assert {schema for schema, _ in read} == {"marts", "market_data"}
    manifest = json.loads((marts.workdir / "target" / "manifest.json").read_text())
    exposure = manifest["exposures"]["exposure.dealer_warehouse.dealer_dashboard"]
    assert exposure["type"] == "application" and exposure["url"] == "http://127.0.0.1:8501"
    nodes = [manifest["nodes"][node] for node in exposure["depends_on"]["nodes"]]
    assert {(node["schema"], node["alias"]) for node in nodes} == read
