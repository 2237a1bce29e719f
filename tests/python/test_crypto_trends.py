"""Google Trends files (extract/trend_files.py): every export layout lands with the right dates and values, every
series lands and the crypto_tickers seed picks one per ticker, the ledger says what was read, and a file whose
content contradicts itself is rejected with its file, line and value. Fixtures are small invented texts."""

from __future__ import annotations

import io
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from support import PROJECT_ROOT, query, run_dbt, run_extract

from extract import trend_files
from extract.domains import crypto
from extract.warehouse import WarehouseAddress

PRICE_HEADER = '"Date","Price","Open","High","Low","Vol.","Change %"'
SPANISH = "Categoría: Todas las categorías"
ITALIAN = "Categoria: Tutte le categorie"
ENGLISH = "Category: All categories"

# One file per quirk, each under its own ticker (the folder name says which quirk).
TRENDS = {
    # Spanish preamble, period column Semana
    "SEMANA": f"{SPANISH}\n\nSemana,bitcoin: (España)\n2023-10-01,20\n2023-10-08,34\n2023-10-15,<1\n",
    # Chinese preamble (full-width colon), French period column, a quoted term (its quotes doubled)
    "ZH": '类别：所有类别\n\nsemaine,"""bitcoin"": (France)"\n2023-10-01,50\n2023-10-08,57\n',
    # Italian daily export
    "GIORNO": f"{ITALIAN}\n\nGiorno,ethereum: (Italia)\n2023-10-01,10\n2023-10-02,12\n2023-10-03,9\n",
    # Italian monthly export: a month is its first day
    "MESE": f"{ITALIAN}\n\nMese,monero: (Italia)\n2023-10,10\n2023-11,41\n2023-12,11\n",
    # a cleaned monthly file: no preamble, a period column of any name, semicolons; recognised by its content
    "PERIODO": "Periodo;interesse solana\n2023-09;30\n2023-10;60\n",
    # two series (a comparison export); the seed picks the second for FLU, by name for GYM, none for TWO
    "FLU": f"{SPANISH}\n\nSemana,Resfriado común: (España),Fitness: (España)\n2023-10-01,40,7\n2023-10-08,54,21\n",
    # Windows line ends
    "CRLF": f"{ENGLISH}\r\n\r\nWeek,cardano: (Worldwide)\r\n2023-10-01,15\r\n2023-10-08,22\r\n",
    # "<1": interest above zero but below one
    "SMALL": f"{ENGLISH}\n\nDay,dogecoin: (Worldwide)\n2023-10-01,<1\n2023-10-02,<1\n2023-10-03,2\n",
}
TRENDS["GYM"] = TRENDS["TWO"] = TRENDS["FLU"]
SEED_CHOICES = {"FLU": "2", "GYM": " fitness: (españa) "}
PRICE_SPANS = {  # first and last price day of each ticker (crypto_daily covers these days)
    "SEMANA": ("2023-10-01", "2023-10-15"),
    "ZH": ("2023-10-01", "2023-10-08"),
    "GIORNO": ("2023-10-01", "2023-10-03"),
    "MESE": ("2023-10-01", "2023-12-02"),
    "PERIODO": ("2023-09-15", "2023-10-01"),
    "FLU": ("2023-10-01", "2023-10-08"),
    "GYM": ("2023-10-01", "2023-10-08"),
    "TWO": ("2023-10-01", "2023-10-08"),
    "CRLF": ("2023-10-01", "2023-10-08"),
    "SMALL": ("2023-10-01", "2023-10-03"),
}


def land(landing: Path, ticker: str, name: str, content: str) -> str:
    folder = landing / "crypto" / f"ticker={ticker}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content.encode("utf-8"))  # bytes: CRLF stays CRLF
    return f"crypto/ticker={ticker}/{name}"


def price_file(first: str, last: str) -> str:
    """An Investing.com export, newest first, price 100 every day."""
    day, end, lines = date.fromisoformat(last), date.fromisoformat(first), [PRICE_HEADER]
    while day >= end:
        lines.append(f'"{day:%m/%d/%Y}","100.0","100.0","100.0","100.0","0.10K","0.00%"')
        day -= timedelta(days=1)
    return "\n".join(lines) + "\n"


def project_with_seed_choices(target: Path, choices: dict[str, str] = SEED_CHOICES) -> Path:
    """A copy of the dbt project whose crypto_tickers seed sets trend_series as `choices` says (by ticker)."""
    target.mkdir()
    for name in ("dbt_project.yml", "profiles.yml.example"):
        shutil.copy2(PROJECT_ROOT / name, target / name)
    for folder in ("models", "macros", "tracks", "seeds", "snapshots", "tests/dbt"):
        shutil.copytree(PROJECT_ROOT / folder, target / folder)
    seed = target / "seeds" / "crypto_tickers.csv"
    header = seed.read_text().splitlines()[0].split(",")
    rows = [
        ",".join({"ticker": ticker, "name": ticker, "trend_series": choice}.get(column, "") for column in header)
        for ticker, choice in choices.items()
    ]
    seed.write_text(seed.read_text().rstrip("\n") + "\n" + "\n".join(rows) + "\n")
    return target


def daily(warehouse: WarehouseAddress, ticker: str, day: str) -> tuple:
    rows = query(
        warehouse,
        "select trend, trend_interpolated, trend_series from market_data.crypto_daily where ticker = %s and date = %s",
        (ticker, day),
    )
    assert len(rows) == 1, (ticker, day, rows)
    return rows[0]


def test_every_trends_layout_lands_and_builds_with_the_right_days_values_and_series(
    warehouse: WarehouseAddress, landing_dir: Path, tmp_path: Path
) -> None:
    keys = {ticker: land(landing_dir, ticker, "multiTimeline.csv", text) for ticker, text in TRENDS.items()}
    for ticker, (first, last) in PRICE_SPANS.items():
        land(landing_dir, ticker, f"{ticker}_EUR Historical Data.csv", price_file(first, last))

    done = run_extract(warehouse, "--landing", str(landing_dir), "--domain", "crypto")

    assert done.returncode == 0, done.stdout + done.stderr
    ledger = query(warehouse, "select landing_key, layout from raw.load_ledger where landing_key like %s", ("%multi%",))
    layouts = dict(ledger)
    assert layouts[keys["SEMANA"]] == 'trends: weekly, 1 series: "bitcoin: (España)"'
    assert layouts[keys["ZH"]] == 'trends: weekly, 1 series: "\\"bitcoin\\": (France)"'
    assert layouts[keys["GIORNO"]] == 'trends: daily, 1 series: "ethereum: (Italia)"'
    assert layouts[keys["MESE"]] == 'trends: monthly, 1 series: "monero: (Italia)"'
    assert layouts[keys["PERIODO"]] == 'trends: monthly, 1 series: "interesse solana"'
    assert layouts[keys["FLU"]] == 'trends: weekly, 2 series: "Resfriado común: (España)", "Fitness: (España)"'
    assert layouts[keys["SMALL"]] == 'trends: daily, 1 series: "dogecoin: (Worldwide)"'
    raw = query(
        warehouse,
        "select landing_key, line_number, series_position, date_label, value_label, observed_on_text, value_text"
        " from raw.crypto_rows where file_kind = 'trend' order by landing_key, line_number, series_position",
    )
    by_key: dict[str, list[tuple]] = {}
    for row in raw:
        by_key.setdefault(row[0], []).append(row[1:])
    # as delivered: the line in the file (preamble and blank line counted), every series, "<1", no "\r"
    assert by_key[keys["FLU"]] == [
        (4, 1, "Semana", "Resfriado común: (España)", "2023-10-01", "40"),
        (4, 2, "Semana", "Fitness: (España)", "2023-10-01", "7"),
        (5, 1, "Semana", "Resfriado común: (España)", "2023-10-08", "54"),
        (5, 2, "Semana", "Fitness: (España)", "2023-10-08", "21"),
    ]
    assert by_key[keys["CRLF"]] == [
        (4, 1, "Week", "cardano: (Worldwide)", "2023-10-01", "15"),
        (5, 1, "Week", "cardano: (Worldwide)", "2023-10-08", "22"),
    ]
    assert by_key[keys["ZH"]][0] == (4, 1, "semaine", '"bitcoin": (France)', "2023-10-01", "50")
    assert by_key[keys["PERIODO"]] == [
        (2, 1, "Periodo", "interesse solana", "2023-09", "30"),
        (3, 1, "Periodo", "interesse solana", "2023-10", "60"),
    ]
    assert by_key[keys["SMALL"]][0] == (4, 1, "Day", "dogecoin: (Worldwide)", "2023-10-01", "<1")

    project = project_with_seed_choices(tmp_path / "project")
    built = run_dbt(warehouse, tmp_path, "build", "--select", "+crypto_daily+", project_dir=project)
    assert built.returncode == 0, built.stdout[-5000:]

    staged = query(
        warehouse,
        "select ticker, trend_date, trend, is_trend_below_one from staging.stg_crypto__trends"
        " where ticker in ('MESE', 'SMALL', 'PERIODO') order by ticker, trend_date",
    )
    assert staged == [
        ("MESE", date(2023, 10, 1), Decimal("10.0000"), False),  # "2023-10" is October's first day
        ("MESE", date(2023, 11, 1), Decimal("41.0000"), False),
        ("MESE", date(2023, 12, 1), Decimal("11.0000"), False),
        ("PERIODO", date(2023, 9, 1), Decimal("30.0000"), False),
        ("PERIODO", date(2023, 10, 1), Decimal("60.0000"), False),
        ("SMALL", date(2023, 10, 1), Decimal("0.5000"), True),  # "<1" keeps its documented value, 0.5
        ("SMALL", date(2023, 10, 2), Decimal("0.5000"), True),
        ("SMALL", date(2023, 10, 3), Decimal("2.0000"), False),
    ]
    # weekly, Spanish: 20 on 10-01, 34 on 10-08 (+2 a day); "<1" on 10-15 is 0.5
    assert daily(warehouse, "SEMANA", "2023-10-04") == (None, Decimal("26.000000"), "bitcoin: (España)")
    assert daily(warehouse, "SEMANA", "2023-10-15") == (Decimal("0.5"), Decimal("0.500000"), "bitcoin: (España)")
    # Chinese preamble, French "semaine": 50 -> 57 in 7 days
    assert daily(warehouse, "ZH", "2023-10-02") == (None, Decimal("51.000000"), '"bitcoin": (France)')
    # daily: every day its own value
    assert daily(warehouse, "GIORNO", "2023-10-02") == (Decimal("12"), Decimal("12.000000"), "ethereum: (Italia)")
    # monthly: on the months' first days, linear over 31 days (10 -> 41) then 30 (41 -> 11), null after the last
    assert daily(warehouse, "MESE", "2023-10-16") == (None, Decimal("25.000000"), "monero: (Italia)")
    assert daily(warehouse, "MESE", "2023-11-01") == (Decimal("41"), Decimal("41.000000"), "monero: (Italia)")
    assert daily(warehouse, "MESE", "2023-11-11") == (None, Decimal("31.000000"), "monero: (Italia)")
    assert daily(warehouse, "MESE", "2023-12-02") == (None, None, "monero: (Italia)")
    # a cleaned monthly file: 2023-09-01 = 30 (before the prices) and 2023-10-01 = 60 bracket 09-16
    assert daily(warehouse, "PERIODO", "2023-09-16") == (None, Decimal("45.000000"), "interesse solana")
    # two series: the seed picks the second for FLU (by position) and GYM (by name); TWO takes the first
    assert daily(warehouse, "FLU", "2023-10-01") == (Decimal("7"), Decimal("7.000000"), "Fitness: (España)")
    assert daily(warehouse, "FLU", "2023-10-02") == (None, Decimal("9.000000"), "Fitness: (España)")
    assert daily(warehouse, "GYM", "2023-10-08") == (Decimal("21"), Decimal("21.000000"), "Fitness: (España)")
    assert daily(warehouse, "TWO", "2023-10-02") == (None, Decimal("42.000000"), "Resfriado común: (España)")
    # CRLF: read like any other
    assert daily(warehouse, "CRLF", "2023-10-08") == (Decimal("22"), Decimal("22.000000"), "cardano: (Worldwide)")
    # "<1" is 0.5 and interpolates as such: 0.5 on 10-02, 2 on 10-03
    assert daily(warehouse, "SMALL", "2023-10-01") == (Decimal("0.5"), Decimal("0.500000"), "dogecoin: (Worldwide)")
    assert daily(warehouse, "SMALL", "2023-10-03") == (Decimal("2"), Decimal("2.000000"), "dogecoin: (Worldwide)")


def test_a_seed_setting_naming_no_series_fails_the_build(
    warehouse: WarehouseAddress, landing_dir: Path, tmp_path: Path
) -> None:
    land(landing_dir, "FLU", "multiTimeline.csv", TRENDS["FLU"])
    land(landing_dir, "FLU", "flu.csv", price_file("2023-10-01", "2023-10-02"))
    assert run_extract(warehouse, "--landing", str(landing_dir), "--domain", "crypto").returncode == 0
    # not the header's name, "Fitness: (España)"
    project = project_with_seed_choices(tmp_path / "project", {"FLU": "Fitness"})

    built = run_dbt(warehouse, tmp_path, "build", "--select", "+crypto_daily+", project_dir=project)

    assert built.returncode != 0
    assert "Failure in test assert_crypto_trend_series_setting_names_a_series" in built.stdout, built.stdout[-3000:]


CONTRADICTIONS = {
    "NOTDATE": (
        "Week,bitcoin: (Worldwide)\n2023-10-01,5\n2023-10-0x,6\n",
        "line 3: the period '2023-10-0x' is not a date; expected a day YYYY-MM-DD (e.g. 2023-10-01, a week is its "
        "first day) or a month YYYY-MM (e.g. 2023-10) in the column 'Week'",
    ),
    "NODAY": (
        f"{ENGLISH}\n\nDay,bitcoin: (Worldwide)\n2023-02-28,5\n2023-02-30,6\n",
        "line 5: the period '2023-02-30' is not a date",
    ),
    "ORDER": (
        f"{ENGLISH}\n\nWeek,bitcoin: (Worldwide)\n2023-10-08,5\n2023-10-01,6\n",
        "line 5: the period '2023-10-01' comes before '2023-10-08' of line 4; expected each period once, oldest first",
    ),
    "REPEAT": (
        f"{SPANISH}\n\nSemana,a: (España),b: (España)\n2023-10-01,5,6\n2023-10-08,5,6\n2023-10-08,7,8\n",
        "line 6: the period '2023-10-08' repeats line 5; expected each period once, oldest first",
    ),
    "BIG": (
        f"{SPANISH}\n\nSemana,a: (España),b: (España)\n2023-10-01,5,101\n",
        "line 4: the value '101' of the series 'b: (España)' is not a Google Trends value; expected a whole number "
        "from 0 to 100, or <1",
    ),
    "TEXT": (
        "Giorno,ethereum: (Italia)\n2023-10-01,n/a\n",
        "line 2: the value 'n/a' of the series 'ethereum: (Italia)' is not a Google Trends value",
    ),
    "EMPTY": ("Giorno,ethereum: (Italia)\n2023-10-01,5\n2023-10-02,\n", "line 3: the value '' of the series"),
    "FRACTION": ("Mese,monero: (Italia)\n2023-10,5.5\n", "line 2: the value '5.5' of the series"),
    "MIXED": (
        "Mese,monero: (Italia)\n2023-10,5\n2023-11-01,6\n",
        "line 3: the period '2023-11-01' is a day (YYYY-MM-DD), but line 2 ('2023-10') is a month (YYYY-MM); "
        "expected every period of a file written the same way",
    ),
    "WEEKDAYS": (
        "Week,bitcoin: (Worldwide)\n2023-10-01,5\n2023-10-02,6\n",
        "line 3: the period '2023-10-02' is 1 days after '2023-10-01' (line 2), but the column 'Week' announces "
        "weeks; expected whole weeks apart",
    ),
    "MIDMONTH": (
        "Month,bitcoin: (Worldwide)\n2023-10-15,5\n",
        "line 2: the period '2023-10-15' is not the first day of a month, but the column 'Month' announces months",
    ),
    "NOHEADER": (
        f"{ENGLISH}\n\n2023-10-01,5\n2023-10-08,6\n",
        "line 3: a Google Trends data line where the header belongs; expected first a header: the period column",
    ),
    "BADHEADER": (
        f"{ENGLISH}\n\nDatum;Wert\n1.10.2023;5\n",
        "line 3: after the Google Trends preamble (line 1 'Category: All categories') and a blank line, expected "
        "the header: the period column",
    ),
}


def test_a_trends_file_that_contradicts_itself_is_rejected_with_file_line_value_and_expectation(
    warehouse: WarehouseAddress, landing_dir: Path
) -> None:
    keys = {ticker: land(landing_dir, ticker, "trend.csv", text) for ticker, (text, _) in CONTRADICTIONS.items()}

    done = run_extract(warehouse, "--landing", str(landing_dir), "--domain", "crypto")

    assert done.returncode == 1
    reasons = dict(query(warehouse, "select landing_key, error from raw.load_ledger where status = 'rejected'"))
    assert sorted(reasons) == sorted(keys.values())
    for ticker, (_, expected) in CONTRADICTIONS.items():
        assert reasons[keys[ticker]].startswith(f"{keys[ticker]} {expected}"), (ticker, reasons[keys[ticker]])
        assert keys[ticker] in done.stdout  # the summary names it
    assert query(warehouse, "select count(*) from raw.crypto_rows") == [(0,)]  # nothing of a rejected file lands


@pytest.mark.parametrize(
    ("text", "header_line", "delimiter", "period", "series", "preamble"),
    [
        (f"\ufeff{SPANISH}\r\n\r\nSemana,a: (España),b: (España)\r\n2023-10-01,1,<1\r\n", 3, ",", "Semana",
         ("a: (España)", "b: (España)"), (SPANISH,)),
        # everything before the first blank line is the preamble
        (f"{ENGLISH}\nExported 2023-10-09\n\n\nWeek,bitcoin: (Worldwide)\n2023-10-01,5\n", 5, ",", "Week",
         ("bitcoin: (Worldwide)",), (ENGLISH, "Exported 2023-10-09")),
        # any period name and any series names when the first line says trends: a date, then 0-100 or <1
        ("Periodo;a, b\n2023-10;<1\n", 1, ";", "Periodo", ("a, b",), ()),
        ('Settimana;"a, b: (Italia)"\n2023-10-01;5\n', 1, ";", "Settimana", ("a, b: (Italia)",), ()),
        ("Zeitraum\tbitcoin\n2023-10-01\t100\n", 1, "\t", "Zeitraum", ("bitcoin",), ()),
        # a header and no data yet: the period column's name says it
        ("Mese,monero: (Italia)\n", 1, ",", "Mese", ("monero: (Italia)",), ()),
    ],
)  # fmt: skip
def test_trends_are_recognised_by_their_content(
    text: str, header_line: int, delimiter: str, period: str, series: tuple, preamble: tuple
) -> None:
    stream = io.StringIO(text)
    layout = crypto.read_layout("crypto/ticker=X/f.csv", stream)

    assert isinstance(layout, trend_files.TrendLayout)
    assert (layout.header_line, layout.delimiter, layout.period_label, layout.series, layout.preamble) == (
        header_line, delimiter, period, series, preamble,
    )  # fmt: skip
    assert stream.readline() == (text.splitlines(keepends=True) + [""])[header_line]  # resumes after the header


@pytest.mark.parametrize(
    "text",
    [
        '"Date","Price"\n"2023-10-01","5"\n',  # a price file with ISO dates and small whole prices
        "Data;Ultimo\n2023-10-01;50\n",
        '"Date","Price","Open"\n"10/01/2023","5.0","4.0"\n\n"09/30/2023","4.0","4.0"\n',  # a blank line inside
        "Periodo,valore\n2023-10-01,150\n",  # 150 is no Google Trends value: not recognised as trends
    ],
)
def test_other_files_are_left_to_the_price_reader(text: str) -> None:
    stream = io.StringIO(text)

    assert trend_files.read_trend_layout("crypto/ticker=X/f.csv", stream) is None
    assert stream.read() == text  # the stream is back where it was


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("Week,a: (W)\n2023-10-01,1\n2023-10-15,2\n2023-10-22,3\n", 'trends: weekly with gaps, 1 series: "a: (W)"'),
        ("Giorno,a\n2023-10-01,1\n2023-10-02,2\n2023-10-05,3\n", 'trends: daily with gaps, 1 series: "a"'),
        ("Periodo,a,b\n2023-10-01,1,2\n2023-11-01,2,3\n", 'trends: monthly, 2 series: "a", "b"'),  # months as days
        ("Mese,a\n2023-10,1\n2023-12,2\n", 'trends: monthly with gaps, 1 series: "a"'),
        (
            "Periodo,a\n2023-10-01,1\n2023-10-04,2\n2023-10-09,3\n",
            'trends: irregular, 3 to 5 days apart, 1 series: "a"',
        ),
        ("Semana,a\n2023-10-01,1\n", 'trends: weekly, 1 series: "a"'),  # one period: the column's name says it
        ("Periodo,a\n2023-10-01,1\n", 'trends: a single period, 1 series: "a"'),
    ],
)
def test_the_ledger_says_the_granularity_read_from_the_periods(text: str, described: str) -> None:
    stream = io.StringIO(text)
    layout = trend_files.read_trend_layout("crypto/ticker=X/f.csv", stream)
    assert layout is not None
    rejected: list[tuple] = []
    ctx = SimpleNamespace(
        load_id=1, file=SimpleNamespace(key="crypto/ticker=X/f.csv"), rejected=rejected,
        reject_record=lambda *record: rejected.append(record),
    )  # fmt: skip
    rows = trend_files.TrendRows(ctx, "X", layout, stream)  # type: ignore[arg-type]

    assert len(list(rows)) == (len(text.splitlines()) - 1) * len(layout.series)
    assert rows.description() == described
    assert rejected == []
