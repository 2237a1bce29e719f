"""The dashboard served as `make dashboard` serves it (streamlit run, as bi_reader, on the sample warehouse) and
the `dbt docs generate --static` site, each page loaded in headless Chromium: what a person sees is checked
as text, and kept as a screenshot in target/screenshots/."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import SampleWarehouse
from headless_chromium import INSTALL_HINT, HeadlessChromium, chromium_binary
from support import PROJECT_ROOT, free_port, query, run_dbt

from dashboard.app import PAGES
from dashboard.market_data import format_number

SCREENSHOTS = PROJECT_ROOT / "target" / "screenshots"
VIN = "WVWZZZCD3LW204518"  # the sample vehicle two DMS deliver
STREAMLIT_ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'  # a traceback, st.error

if chromium_binary() is None:
    pytest.skip(f"no Chromium for the browser tests: {INSTALL_HINT}", allow_module_level=True)


@pytest.fixture(scope="module")
def dashboard_url(sample_warehouse: SampleWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run dashboard/app.py` from the project folder (its .streamlit/config.toml), on a free port."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PG", "DASHBOARD_"))}
    env.update(sample_warehouse.dashboard_env())
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "streamlit"), "run", "dashboard/app.py",
             "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _healthy(url):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start (exit {server.poll()}):\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.read() == b"ok"
    except OSError:
        return False


def expected_texts(marts: SampleWarehouse) -> dict[str, tuple[str, list[str]]]:
    """Per page (its title): the address to open and what it must show, read from the marts."""
    ticker, first_day, last_day = query(
        marts.address,
        "select ticker, min(date), max(date) from market_data.crypto_daily group by ticker order by ticker limit 1",
    )[0]
    price_day, price = query(
        marts.address,
        "select date, price from market_data.crypto_daily where ticker = %s and price is not null"
        " order by date desc limit 1",
        (ticker,),
    )[0]
    worst = query(
        marts.address,
        "select stream_id, status from marts.feed_health order by case status when 'failing' then 0"
        " when 'stale' then 1 when 'late' then 2 else 3 end, stream_id limit 1",
    )[0]
    vehicle_sql = "select make, model, version from marts.vehicle where vin = %s"
    make, model, version = query(marts.address, vehicle_sql, (VIN,))[0]
    return {
        "Market data": (
            "",
            [f"{ticker}, {first_day:%Y-%m-%d} to {last_day:%Y-%m-%d}", f"Price on {price_day:%Y-%m-%d}",
             format_number(price), "7-day average", "Trend"],
        ),
        "Feed health": ("feed-health", [f"{worst[0]} ({worst[1]})", "failing", "Files per day", "Records per day"]),
        "Vehicle catalogue": (
            f"vehicle-catalogue?vin={VIN}",
            [f"{make} {model} {version}", f"VIN {VIN}", "Fields and lineage", "Conflicts (", "Images ("],
        ),
    }  # fmt: skip


def screenshot_name(title: str) -> str:
    return "dashboard-" + title.lower().replace(" ", "-")  # dashboard-feed-health


def test_every_page_and_the_dbt_docs_render_in_chromium(
    dashboard_url: str, sample_warehouse: SampleWarehouse, tmp_path: Path
) -> None:
    expected = expected_texts(sample_warehouse)
    assert set(expected) == {page.title for page in PAGES}  # a new page needs its expectations here
    assert [page.url_path for page in PAGES] == ["", "feed-health", "vehicle-catalogue"]
    with ThreadPoolExecutor(1) as background, HeadlessChromium(width=1400, height=1000) as browser:
        # dbt docs compiles the whole project: in the background while the dashboard's pages load
        docs = background.submit(run_dbt, sample_warehouse.address, tmp_path, "docs", "generate", "--static")
        for page in PAGES:
            address, texts = expected[page.title]
            text = browser.open(f"{dashboard_url}/{address}", [page.title, *texts])
            assert "Reading the marts as " + sample_warehouse.dashboard_env()["DASHBOARD_PGUSER"] + "@" in text
            assert not browser.present(STREAMLIT_ERRORS), text
            assert "Page not found" not in text
            browser.screenshot(SCREENSHOTS / f"{screenshot_name(page.title)}.png")

        generated = docs.result()
        assert generated.returncode == 0, generated.stdout[-3000:]
        static_index = tmp_path / "target" / "static_index.html"
        exposure = f"{static_index.as_uri()}#!/exposure/exposure.dealer_warehouse.dealer_dashboard"
        text = browser.open(exposure, ["Dealer warehouse dashboard", "dealer_dashboard", "Depends On"])
        lines = [line.strip() for line in text.splitlines()]
        for model in ("crypto_daily", "feed_health", "vehicle_field_lineage", "vehicle_layer_history"):
            assert model in lines  # listed under Depends On
        browser.screenshot(SCREENSHOTS / "dbt-docs-exposure.png")

    for name in [*(screenshot_name(page.title) for page in PAGES), "dbt-docs-exposure"]:
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000, f"{name}.png looks blank"
