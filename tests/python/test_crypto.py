"""Market data: price and Google Trends files recognised by content, currencies independent, and dbt's
crypto_daily plus one view per ticker (market_data.btc) following the tickers present."""

from __future__ import annotations

import io
from dataclasses import astuple
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from support import query, run_dbt, run_extract

from extract.domains import crypto
from extract.warehouse import WarehouseAddress, connect

PRICE_HEADER = '"Date","Price","Open","High","Low","Vol.","Change %"'
ITALIAN_HEADER = '"Data","Ultimo","Apertura","Massimo","Minimo","Vol.","Var. %"'

# BTC: Investing.com export, newest first, thousands commas, a -1, a gap of three days, trailing blank lines.
BTC_PRICES = "\n".join(
    [
        PRICE_HEADER,
        '"01/08/2026","1,200.0","1,150.0","1,210.0","1,140.0","0.19K","4.35%"',
        '"01/07/2026","-1","1,100.0","1,160.0","1,090.0","0.21K","0.00%"',
        '"01/03/2026","1,100.0","1,000.5","1,120.0","990.0","0.30K","9.95%"',
        '"01/02/2026","1,000.5","900.5","1,010.0","899.0","0.25K","11.10%"',
        '"01/01/2026","900.5","905.0","910.0","890.0","0.11K","-0.37%"',
        "",
        "",
    ]
)
# A raw Google Trends export: category line, blank line, header with the term; "<1" for tiny values.
BTC_TRENDS = "Category: All categories\n\nWeek,bitcoin: (Worldwide)\n2025-12-28,40\n2026-01-04,54\n2026-01-11,<1\n"
# XMR: it.investing.com export (day-first dates with dots, Italian numbers), 3 decimals.
XMR_PRICES = "\n".join(
    [
        ITALIAN_HEADER,
        '"03.01.2026","150,250","149,000","151,000","148,500","1,20K","0,84%"',
        '"02.01.2026","-1","149,000","150,000","148,000","0,90K","0,00%"',
        '"01.01.2026","1.150,500","1.100,000","1.160,000","1.090,000","0,50K","4,59%"',
    ]
)
XMR_TRENDS = '"Settimana","Monero_interesse"\n"2025-12-28","3"\n"2026-01-04","5"\n'
# What a browser saves when the download fails: not a price or trend file.
ETH_CORRUPT = "<!DOCTYPE html>\n<html><body>Rate limit exceeded</body></html>\n"


def land(landing: Path, ticker: str, name: str, content: str) -> str:
    folder = landing / "crypto" / f"ticker={ticker}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(content, encoding="utf-8")
    return f"crypto/ticker={ticker}/{name}"


def build_market_data(warehouse: WarehouseAddress, workdir: Path) -> None:
    built = run_dbt(warehouse, workdir, "build", "--select", "+crypto_daily+")
    assert built.returncode == 0, built.stdout[-5000:]


def ticker_views(warehouse: WarehouseAddress) -> list[str]:
    rows = query(
        warehouse,
        "select table_name from information_schema.views where table_schema = 'market_data' order by 1",
    )
    return [row[0] for row in rows]


def daily(warehouse: WarehouseAddress, ticker: str, day: str, *columns: str) -> tuple:
    rows = query(
        warehouse,
        f"select {', '.join(columns)} from market_data.crypto_daily where ticker = %s and date = %s",
        (ticker, day),
    )
    assert len(rows) == 1, rows
    return rows[0]


def test_files_are_recognised_by_content_and_land_as_delivered(warehouse: WarehouseAddress, landing_dir: Path) -> None:
    price_key = land(landing_dir, "btc", "BTC_EUR_Historical_Data.csv", BTC_PRICES)  # folder in lower case
    trend_key = land(landing_dir, "BTC", "multiTimeline.csv", BTC_TRENDS)
    italian_key = land(landing_dir, "XMR", "XMR_EUR Kraken Historical Data.csv", XMR_PRICES)
    extra_columns = '"Date","Price","Open","High","Low","Vol.","Change %","Exchange"\n"01/01/2026","10.5",,,,,,"K"\n'
    extra_key = land(landing_dir, "SOL", "sol.csv", extra_columns)
    cleaned_key = land(landing_dir, "XMR", "trend.csv", XMR_TRENDS + '"2026-01-11"\n')  # one line too short

    done = run_extract(warehouse, "--landing", str(landing_dir), "--domain", "crypto")

    assert done.returncode == 0, done.stdout + done.stderr
    rows = query(
        warehouse,
        "select landing_key, ticker, file_kind, line_number, date_label, value_label, observed_on_text, value_text"
        " from raw.crypto_rows order by landing_key, line_number",
    )
    by_key: dict[str, list[tuple]] = {}
    for row in rows:
        by_key.setdefault(row[0], []).append(row[1:])
    assert by_key[price_key][0] == ("BTC", "price", 2, "Date", "Price", "01/08/2026", "1,200.0")
    assert by_key[price_key][1][5:] == ("01/07/2026", "-1")  # kept as delivered: dbt decides what -1 means
    assert len(by_key[price_key]) == 5  # the trailing blank lines are not rows
    assert by_key[trend_key] == [
        ("BTC", "trend", 4, "Week", "bitcoin: (Worldwide)", "2025-12-28", "40"),
        ("BTC", "trend", 5, "Week", "bitcoin: (Worldwide)", "2026-01-04", "54"),
        ("BTC", "trend", 6, "Week", "bitcoin: (Worldwide)", "2026-01-11", "<1"),
    ]
    assert by_key[italian_key][2] == ("XMR", "price", 4, "Data", "Ultimo", "01.01.2026", "1.150,500")
    assert by_key[extra_key] == [("SOL", "price", 2, "Date", "Price", "01/01/2026", "10.5")]
    assert [r[2] for r in by_key[cleaned_key]] == [2, 3]
    assert query(warehouse, "select landing_key, record_index, reason from raw.rejected_records") == [
        (cleaned_key, 4, f"{cleaned_key} line 4: expected 2 fields separated by ',' as in the header, found 1")
    ]


def test_unreadable_files_are_rejected_with_file_line_and_what_was_expected(
    warehouse: WarehouseAddress, landing_dir: Path
) -> None:
    (landing_dir / "crypto").mkdir()
    (landing_dir / "crypto" / "BTC.csv").write_text(BTC_PRICES)
    land(landing_dir, "BTC", "notes.txt", "hello\n")
    # a comparison of two terms loads (tests/python/test_crypto_trends.py); one whose value is out of 0-100 does not
    land(landing_dir, "XMR", "compare.csv", "Week,monero: (Worldwide),bitcoin: (Worldwide)\n2026-01-04,1,150\n")
    land(landing_dir, "ETH", "export.csv", ETH_CORRUPT)
    land(landing_dir, "ADA", "empty.csv", PRICE_HEADER + "\n\n")
    land(landing_dir, "DOT", "wrong.csv", '"Date","Close"\n"01/01/2026","5.0"\n')

    done = run_extract(warehouse, "--landing", str(landing_dir), "--domain", "crypto")

    assert done.returncode == 1
    reasons = {
        path.name.removesuffix(".reason.txt"): path.read_text().strip()
        for path in (landing_dir / "rejected").rglob("*.reason.txt")
    }
    assert reasons["BTC.csv"].startswith("crypto/BTC.csv: crypto files belong in crypto/ticker=<TICKER>/")
    assert reasons["notes.txt"] == (
        "crypto/ticker=BTC/notes.txt: expected a .csv file (a price or Google Trends export), as "
        "crypto/ticker=<TICKER>/<any name>.csv, e.g. crypto/ticker=BTC/BTC_EUR_Historical_Data.csv"
    )
    assert reasons["compare.csv"] == (
        "crypto/ticker=XMR/compare.csv line 2: the value '150' of the series 'bitcoin: (Worldwide)' is not a Google "
        "Trends value; expected a whole number from 0 to 100, or <1"
    )
    assert reasons["export.csv"].startswith(
        "crypto/ticker=ETH/export.csv line 1: not a price or trend file; expected an Investing.com price header"
    )
    assert reasons["export.csv"].endswith("found '<!DOCTYPE html>'")
    assert "a price file without any data line after its header (line 1)" in reasons["empty.csv"]
    assert reasons["wrong.csv"] == (
        "crypto/ticker=DOT/wrong.csv line 1: a price file with a 'Date' column needs a price column named "
        '"Price"; found Date, Close'
    )
    for name in reasons:
        assert name in done.stdout  # the summary names every rejected file
    assert query(warehouse, "select count(*) from raw.crypto_rows") == [(0,)]


def test_corrupt_ticker_is_rejected_while_others_load_and_build(
    warehouse: WarehouseAddress, landing_dir: Path, tmp_path: Path
) -> None:
    land(landing_dir, "BTC", "BTC_EUR_Historical_Data.csv", BTC_PRICES)
    land(landing_dir, "BTC", "multiTimeline.csv", BTC_TRENDS)
    land(landing_dir, "XMR", "XMR_EUR Kraken Historical Data.csv", XMR_PRICES)
    land(landing_dir, "XMR", "Monero trend.csv", XMR_TRENDS)
    eth_key = land(landing_dir, "ETH", "ETH Historical Data.csv", ETH_CORRUPT)

    done = run_extract(warehouse, "--landing", str(landing_dir))

    assert done.returncode == 1  # the failure is visible
    assert f"{eth_key} line 1: not a price or trend file" in done.stdout
    rejected = list((landing_dir / "rejected").rglob("ETH Historical Data.csv"))
    assert len(rejected) == 1
    assert "not a price or trend file" in rejected[0].with_name("ETH Historical Data.csv.reason.txt").read_text()
    assert query(warehouse, "select ticker, count(*) from raw.crypto_rows group by 1 order by 1") == [
        ("BTC", 8),
        ("XMR", 5),
    ]
    assert query(warehouse, "select status, count(*) from raw.load_ledger group by 1 order by 1") == [
        ("loaded", 4),
        ("rejected", 1),
    ]

    build_market_data(warehouse, tmp_path)

    # BTC (seed: ffill, 10 days): one row per day 01-01..01-08, the gap and the -1 carried forward
    assert query(
        warehouse,
        "select date, price, is_price_filled from market_data.crypto_daily where ticker = 'BTC' order by date",
    ) == [
        (date_of("2026-01-01"), Decimal("900.5"), False),
        (date_of("2026-01-02"), Decimal("1000.5"), False),
        (date_of("2026-01-03"), Decimal("1100"), False),
        (date_of("2026-01-04"), Decimal("1100"), True),
        (date_of("2026-01-05"), Decimal("1100"), True),
        (date_of("2026-01-06"), Decimal("1100"), True),
        (date_of("2026-01-07"), Decimal("1100"), True),
        (date_of("2026-01-08"), Decimal("1200"), False),
    ]
    # 7 calendar days ending 01-08: (1000.5 + 5 * 1100 + 1200) / 7; 14 days (partial): all 8 days / 8
    assert daily(warehouse, "BTC", "2026-01-08", "price_ma_7", "price_ma_14") == (
        Decimal("1100.0714285714"),
        Decimal("1075.1250000000"),
    )
    # trend: 12-28 = 40 and 01-04 = 54 bracket 01-01 (4 of 7 days); "<1" on 01-11 is 0.5
    assert daily(warehouse, "BTC", "2026-01-01", "trend", "trend_interpolated") == (None, Decimal("48.000000"))
    assert daily(warehouse, "BTC", "2026-01-04", "trend", "trend_interpolated") == (Decimal("54"), Decimal("54"))
    assert daily(warehouse, "BTC", "2026-01-08", "trend_interpolated") == (Decimal("23.428571"),)
    # XMR (seed: drop): Italian numbers and day-first dates; the -1 day stays null and is skipped by the mean
    assert query(
        warehouse,
        "select date, price, price_ma_7, trend_interpolated from market_data.crypto_daily"
        " where ticker = 'XMR' order by date",
    ) == [
        (date_of("2026-01-01"), Decimal("1150.5"), Decimal("1150.5"), Decimal("4.142857")),
        (date_of("2026-01-02"), None, Decimal("1150.5"), Decimal("4.428571")),
        (date_of("2026-01-03"), Decimal("150.25"), Decimal("650.375"), Decimal("4.714286")),
    ]

    # one view per ticker present, with the seed's columns, in the seed's order
    assert ticker_views(warehouse) == ["btc", "xmr"]
    columns = query(
        warehouse,
        "select column_name from information_schema.columns"
        " where table_schema = 'market_data' and table_name = 'btc' order by ordinal_position",
    )
    assert [c[0] for c in columns] == ["date", "price", "trend", "pricema", "trend_i"]
    assert query(warehouse, "select price, pricema, trend_i from market_data.btc where date = '2026-01-08'") == [
        (Decimal("1200"), Decimal("1075.1250000000"), Decimal("23.428571"))
    ]

    # a ticker whose data is gone loses its view; the others keep theirs
    query_commit(warehouse, "delete from raw.crypto_rows where ticker = 'XMR'")
    build_market_data(warehouse, tmp_path)
    assert ticker_views(warehouse) == ["btc"]
    assert query(warehouse, "select distinct ticker from market_data.crypto_daily") == [("BTC",)]


def test_one_ticker_reloads_alone_and_its_newer_file_replaces_the_older(
    warehouse: WarehouseAddress, landing_dir: Path, tmp_path: Path
) -> None:
    land(landing_dir, "BTC", "BTC_EUR_Historical_Data.csv", BTC_PRICES)
    land(landing_dir, "XMR", "XMR_EUR Kraken Historical Data.csv", XMR_PRICES)
    assert run_extract(warehouse, "--landing", str(landing_dir), "--domain", "crypto").returncode == 0
    build_market_data(warehouse, tmp_path)

    # a corrected, longer BTC history under another name; a new ticker arrives too
    newer = BTC_PRICES.replace('"01/08/2026","1,200.0"', '"01/09/2026","1,300.0",,,,,\n"01/08/2026","1,250.0"')
    land(landing_dir, "BTC", "BTC_EUR_Historical_Data (1).csv", newer)
    land(landing_dir, "ETH", "Ethereum Historical Data.csv", PRICE_HEADER + '\n"01/05/2026","3,000.00",,,,,\n')
    reloaded = run_extract(warehouse, "--landing", str(landing_dir), "--domain", "crypto")
    assert reloaded.returncode == 0, reloaded.stdout
    build_market_data(warehouse, tmp_path)

    assert query(
        warehouse,
        "select ticker, min(date), max(date), count(*) from market_data.crypto_daily group by 1 order by 1",
    ) == [
        ("BTC", date_of("2026-01-01"), date_of("2026-01-09"), 9),
        ("ETH", date_of("2026-01-05"), date_of("2026-01-05"), 1),
        ("XMR", date_of("2026-01-01"), date_of("2026-01-03"), 3),
    ]
    assert daily(warehouse, "BTC", "2026-01-08", "price") == (Decimal("1250"),)  # the newer file only
    assert ticker_views(warehouse) == ["btc", "eth", "xmr"]


def test_sample_data_fills_crypto_daily_for_every_sample_ticker(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    assert run_extract(warehouse, "sample-data", "--landing", str(landing)).returncode == 0
    done = run_extract(warehouse, "--landing", str(landing), "--domain", "crypto")
    assert done.returncode == 0, done.stdout + done.stderr

    build_market_data(warehouse, tmp_path)

    spans = query(
        warehouse,
        "select ticker, count(*), max(date) - min(date) + 1, count(price), count(trend)"
        " from market_data.crypto_daily group by 1 order by 1",
    )
    assert [row[0] for row in spans] == ["BTC", "ETH", "XMR"]
    for ticker, rows, days, priced, trends in spans:
        assert rows == days, f"{ticker}: gaps in crypto_daily"
        assert priced > 0 and trends > 0, ticker
    assert ticker_views(warehouse) == ["btc", "eth", "xmr"]


def date_of(text: str) -> date:
    return date.fromisoformat(text)


def query_commit(address: WarehouseAddress, sql: str) -> None:
    conn = connect(address)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('\ufeff"Data";"Prezzo";"Apertura"\n', ("price", 1, ";", 3, 0, 1, "Data", "Prezzo")),
        ('"Vol.","Price","Date"\n', ("price", 1, ",", 3, 2, 1, "Date", "Price")),
        # trend files: kind, header line, delimiter, fields, period column, series, preamble (extract/trend_files.py)
        ("\n\nSettimana,interesse bitcoin\n", ("trend", 3, ",", 2, "Settimana", ("interesse bitcoin",), ())),
        ("Categoria: Tutte le categorie\n\nSettimana;monero: (Italia)\n", ("trend", 3, ";", 2,
         "Settimana", ("monero: (Italia)",), ("Categoria: Tutte le categorie",))),
    ],
)  # fmt: skip
def test_layout_follows_the_header_whatever_its_order_delimiter_or_preamble(text: str, expected: tuple) -> None:
    layout = crypto.read_layout("crypto/ticker=X/f.csv", io.StringIO(text))

    assert astuple(layout) == expected
