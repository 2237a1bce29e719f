"""Every statement the dashboard runs. It reads the marts (schemas marts and market_data) only, and the
relations named here are the ones the dbt exposure `dealer_dashboard` depends on
(models/marts/_marts__exposures.yml; tests/python/test_dashboard_pages.py checks the two agree).

Plain SQL that PostgreSQL and Redshift both run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.connection import DashboardSettings, read

SEARCH_LIMIT = 500
STATUS_ORDER = ("failing", "stale", "late", "ok")  # worst first, as the feed health table sorts them

# --- market data -------------------------------------------------------------------------------------


def tickers(settings: DashboardSettings) -> list[str]:
    frame = read(settings, "select distinct ticker from market_data.crypto_daily order by ticker")
    return frame["ticker"].tolist()


def ticker_dates(settings: DashboardSettings, ticker: str) -> tuple[date, date]:
    frame = read(
        settings,
        "select min(date) as first_day, max(date) as last_day from market_data.crypto_daily where ticker = %s",
        (ticker,),
    )
    return frame.at[0, "first_day"], frame.at[0, "last_day"]


def ticker_days(settings: DashboardSettings, ticker: str, first_day: date, last_day: date) -> pd.DataFrame:
    """The ticker's rows, oldest first, with every column of the mart (the moving-average windows are a dbt
    var, so their columns are read, not listed)."""
    return read(
        settings,
        "select * from market_data.crypto_daily where ticker = %s and date between %s and %s order by date",
        (ticker, first_day, last_day),
    )


def moving_average_columns(frame: pd.DataFrame) -> list[str]:
    """price_ma_7, price_ma_14, ... in window order."""
    columns = [name for name in frame.columns if name.startswith("price_ma_") and name[9:].isdigit()]
    return sorted(columns, key=lambda name: int(name[9:]))


# --- feed health -------------------------------------------------------------------------------------


def feed_health(settings: DashboardSettings) -> pd.DataFrame:
    """One row per stream, the worst status first."""
    return read(
        settings,
        "select * from marts.feed_health order by case status"
        + "".join(f" when '{status}' then {rank}" for rank, status in enumerate(STATUS_ORDER))
        + f" else {len(STATUS_ORDER)} end, stream_id",
    )


def feed_health_daily(settings: DashboardSettings, stream_id: str) -> pd.DataFrame:
    return read(settings, "select * from marts.feed_health_daily where stream_id = %s order by day", (stream_id,))


# --- vehicle catalogue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VehicleSearch:
    vin: str = ""
    make: str = ""
    model: str = ""
    corporate_id: str = ""


def makes(settings: DashboardSettings) -> list[str]:
    frame = read(settings, "select distinct make from marts.vehicle where make is not null order by make")
    return frame["make"].tolist()


def corporates(settings: DashboardSettings) -> list[str]:
    frame = read(settings, "select distinct corporate_id from marts.vehicle_layer order by corporate_id")
    return frame["corporate_id"].tolist()


def search_vehicles(settings: DashboardSettings, search: VehicleSearch) -> pd.DataFrame:
    """Vehicles matching every filter given: VIN (the vehicle id: the VIN, or layer:<layer_id> without one) and
    model by substring in any case, make exactly, a corporate by any of the vehicle's layers (available or not)."""
    conditions: list[str] = []
    params: list[str] = []
    if search.vin.strip():
        conditions.append("vehicle_id ilike %s")
        params.append(_contains(search.vin))
    if search.make:
        conditions.append("make = %s")
        params.append(search.make)
    if search.model.strip():
        conditions.append("model ilike %s")
        params.append(_contains(search.model))
    if search.corporate_id:
        conditions.append("vehicle_id in (select vehicle_id from marts.vehicle_layer where corporate_id = %s)")
        params.append(search.corporate_id)
    where = f"where {' and '.join(conditions)}" if conditions else ""
    return read(
        settings,
        "select vehicle_id, vin, make, model, version, dealer_code, list_price, mileage, registration_date,"
        f" is_available, layer_count, updated_at from marts.vehicle {where}"
        f" order by make, model, vehicle_id limit {SEARCH_LIMIT}",
        params,
    )


def _contains(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def vehicle(settings: DashboardSettings, vehicle_id: str) -> pd.DataFrame:
    """The vehicle's row of marts.vehicle (empty when unknown)."""
    return read(settings, "select * from marts.vehicle where vehicle_id = %s", (vehicle_id,))


def field_lineage(settings: DashboardSettings, vehicle_id: str) -> pd.DataFrame:
    return read(
        settings,
        "select field_name, value, source, corporate_id, external_source_id, layer_id, load_id, feed_at, landing_key"
        " from marts.vehicle_field_lineage where vehicle_id = %s order by field_name",
        (vehicle_id,),
    )


def conflicts(settings: DashboardSettings, vehicle_id: str) -> pd.DataFrame:
    return read(
        settings,
        "select field_name, value, is_winner, source, corporate_id, external_source_id, layer_id"
        " from marts.vehicle_conflict where vehicle_id = %s order by field_name, is_winner desc, source, corporate_id",
        (vehicle_id,),
    )


def images(settings: DashboardSettings, vehicle_id: str) -> pd.DataFrame:
    return read(
        settings,
        "select position, url, source, corporate_id, external_source_id"
        " from marts.vehicle_image where vehicle_id = %s order by position",
        (vehicle_id,),
    )


def layers(settings: DashboardSettings, vehicle_id: str) -> pd.DataFrame:
    return read(
        settings,
        "select layer_id, corporate_id, source, external_source_id, is_available, version_number, first_seen_at,"
        " last_seen_at, updated_at, removed_at, landing_key"
        " from marts.vehicle_layer where vehicle_id = %s order by corporate_id, source, external_source_id",
        (vehicle_id,),
    )


def layer_history(settings: DashboardSettings, vehicle_id: str) -> pd.DataFrame:
    """Every version of every layer of the vehicle, oldest first per layer."""
    return read(
        settings,
        "select history.* from marts.vehicle_layer_history as history"
        " where history.layer_id in (select layer_id from marts.vehicle_layer where vehicle_id = %s)"
        " order by history.corporate_id, history.source, history.external_source_id, history.version_number",
        (vehicle_id,),
    )
