"""Price files: recognised by the shape of their columns in any language, read by the layout their whole
content proves (the header's language only when the content leaves it open), and rejected, naming the line
and the layout, when any line contradicts it. Every fixture is invented: one per layout and quirk of
docs/market_data.md ("Supported price layouts")."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import fresh_database
from support import query, run_dbt, run_extract

from extract.csv_text import open_text, read_rows
from extract.date_text import read_date_text
from extract.domains import crypto
from extract.number_text import number_value, read_number_text
from extract.price_checks import PriceLineChecks
from extract.price_layout import PriceEvidence
from extract.warehouse import WarehouseAddress

EN = '"Date","Price","Open","High","Low","Vol.","Change %"'


def csv_bytes(*lines: str) -> bytes:
    """A file's content: the lines joined by LF, no final newline (as Investing.com writes them)."""
    return "\n".join(lines).encode()


# ticker -> (file content, the ledger's layout)
LOADING: dict[str, tuple[bytes, str]] = {
    # English export with day-first dashed dates: read month-first, it became an eight-month spine
    "DMYEN": (
        csv_bytes(
            EN,
            '"14-09-2024","54,321.5","54,000.0","54,500.0","53,900.0","1.20K","0.60%"',
            '"13-09-2024","54,000.0","53,100.0","54,100.0","53,000.0","0.98K","1.69%"',
            '"09-09-2024","52,100.5","51,800.0","52,300.0","51,700.0","1.05K","0.58%"',
            '"08-09-2024","51,800.0","50,000.0","51,900.0","49,950.0","1.11K","3.60%"',
            '"01-09-2024","50,000.0","49,000.0","50,100.0","48,800.0","0.87K","2.04%"',
        ),
        "dates DMY '-', decimals '.' thousands ',' (from content); newest first",
    ),
    # Italian header, month-first dates, decimal points: read as Italian, month 20 vanished and prices x1000
    "ITMDY": (
        csv_bytes(
            '"Data","Prezzo","Apertura","Massimo","Minimo","Var. %"',
            '"03/20/2025","121.349","120.102","122.500","119.875","1%"',
            '"03/19/2025","120.102","119.440","121.003","118.996","-1%"',
            '"03/12/2025","118.250","117.000","119.125","116.500","0%"',
        ),
        "dates MDY '/', decimals '.' thousands ',' (decimals ambiguous: decided by the month-first dates); "
        "newest first",
    ),
    # Spanish export: BOM, dotted dates, thousands dots, volumes 122,95K, monthly
    "ESP": (
        csv_bytes(
            '\ufeff"Fecha","Último","Apertura","Máximo","Mínimo","Vol.","% var."',
            '"01.12.2023","39.665,7","37.712,4","40.228,1","37.500,0","122,95K","5,18%"',
            '"01.11.2023","37.712,4","32.100,0","38.400,2","31.950,5","98,10K","17,48%"',
            '"01.10.2023","32.100,0","25.930,0","32.900,0","25.800,0","110,02K","23,80%"',
        ),
        "dates DMY '.', decimals ',' thousands '.' (dates ambiguous: decided by the decimal comma, e.g. "
        "'39.665,7' on line 2); newest first",
    ),
    # Spanish Excel re-save: unquoted but for the decimal commas, volume in thousands, change as a fraction
    "ESXL": (
        csv_bytes(
            "Fecha,Último,Apertura,Máximo,Mínimo,Vol. K,var.",
            '13-03-2020,"5320,0","4900,5","5400,0","4800,1","150,20","0,0856"',
            '14-03-2020,"5457,1","5320,0","5590,4","5251,3","122,95","0,0258"',
            '16-03-2020,"4950,8","5457,1","5500,0","4900,0","99,10","-0,0928"',
        ),
        "dates DMY '-', decimals ',' thousands '.' (from content); oldest first",
    ),
    "ENMON": (
        csv_bytes(
            EN,
            '"Jun 01, 2021","36,693.1","35,678.2","37,894.8","35,666.0","94.03K","2.85%"',
            '"May 31, 2021","35,678.2","34,617.0","37,499.9","33,433.6","118.52K","3.07%"',
            '"May 29, 2021","34,617.0","35,683.6","37,285.4","33,658.3","123.45K","-2.99%"',
        ),
        "dates MDY with month names (Mon dd, yyyy), decimals '.' thousands ',' (from content); newest first",
    ),
    "ITMON": (
        csv_bytes(
            '"Data","Ultimo","Apertura","Massimo","Minimo","Vol.","Var. %"',
            '"1 giugno 2021","30.101,5","29.300,0","30.500,0","29.100,0","1,50K","2,74%"',
            '"31 mag 2021","29.300,0","28.100,7","29.500,0","28.000,0","1,10K","4,27%"',
            '"29 mag 2021","28.100,7","28.900,0","29.000,0","27.900,0","0,95K","-2,76%"',
        ),
        "dates DMY with month names (dd Mon yyyy), decimals ',' thousands '.' (from content); newest first",
    ),
    "ESMON": (
        csv_bytes(
            '"Fecha","Último","Apertura","Máximo","Mínimo","Vol.","% var."',
            '"1 de febrero de 2021","27.100,5","26.800,0","27.300,0","26.500,0","2,10K","1,12%"',
            '"29 ene. 2021","26.800,0","26.000,0","27.000,0","25.900,0","1,90K","3,08%"',
            '"28 ene 2021","26.000,0","25.500,0","26.200,0","25.400,0","1,70K","1,96%"',
        ),
        "dates DMY with month names (dd Mon yyyy), decimals ',' thousands '.' (from content); newest first",
    ),
    # English Excel re-save: unquoted, no padding, oldest first, monthly, quoted only around thousands commas
    "ENXL": (
        csv_bytes(
            "Date,Price,Open,High,Low,Vol.,Change %",
            "8/1/2010,0.0700,0.0500,0.0900,0.0500,0.02K,40.00%",
            "9/1/2010,0.0619,0.0700,0.0700,0.0600,0.01K,-11.57%",
            "10/1/2010,0.1950,0.0619,0.2000,0.0600,0.30K,215.02%",
            '11/1/2010,"1,234.50",0.1950,"1,300.00",0.1900,1.50K,632961.54%',
        ),
        "dates MDY '/', decimals '.' thousands ',' (dates ambiguous: decided by the header's language 'en'); "
        "oldest first",
    ),
    # Truly ambiguous: every date fits both orders, every number has three digits after one mark
    "ITAMB": (
        csv_bytes(
            '"Data","Ultimo","Apertura","Massimo","Minimo","Vol.","Var. %"',
            '"03.01.2026","150,250","149,000","151,000","148,500","1K","1%"',
            '"02.01.2026","149,000","148,000","150,000","147,500","2K","-1%"',
        ),
        "dates DMY '.', decimals ',' thousands '.' (dates and decimals ambiguous: decided by the header's "
        "language 'it'); newest first",
    ),
    # BOM, CRLF, no final newline, no Vol. column
    "QUIRK": (
        b'\xef\xbb\xbf"Date","Price","Open","High","Low","Change %"\r\n'
        b'"01/15/2026","100.5","99.0","101.0","98.5","1.52%"\r\n'
        b'"01/14/2026","99.0","98.0","99.5","97.0","1.02%"',
        "dates MDY '/', decimals '.' thousands ',' (from content); newest first",
    ),
    # The same structure in another language: recognised by its shape
    "DEU": (
        csv_bytes(
            '"Datum","Zuletzt","Eröffn.","Hoch","Tief","Vol.","+/- %"',
            '"16.01.2026","1.234,50","1.200,00","1.240,00","1.190,00","1,20K","2,88%"',
            '"15.01.2026","1.200,00","1.180,00","1.210,00","1.170,00","0,90K","1,69%"',
        ),
        "dates DMY '.', decimals ',' thousands '.' (from content); newest first",
    ),
}

# ticker -> (content, what the rejection reason must say)
REJECTED: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "RMONTH": (
        csv_bytes(
            EN,
            '"25/03/2025","1.5","1","1","1","-","1.00%"',
            '"24/03/2025","1.5","1","1","1","-","1.00%"',
            '"03/20/2025","1.5","1","1","1","-","1.00%"',
        ),
        (
            "line 4: Date '03/20/2025' contradicts the file's date order: line 2 (Date '25/03/2025') makes the "
            "dates day-first (DMY), under which 20 would be a month; expected dates DMY on every line, as from "
            "line 2",
        ),
    ),
    "RORDER": (
        csv_bytes(
            EN,
            '"03/25/2025","1.5","1","1","1","-","1.00%"',
            '"03/24/2025","1.4","1","1","1","-","1.00%"',
            '"03/26/2025","1.6","1","1","1","-","1.00%"',
        ),
        (
            "line 4: Date '03/26/2025' (2025-03-26) breaks the file's order: its dates run newest first, and "
            "line 3 is '03/24/2025' (2025-03-24)",
            "expected layout: dates MDY '/', decimals '.' thousands ',' (from content)",
        ),
    ),
    "RPRICE": (
        csv_bytes(
            '"Data","Ultimo","Apertura","Massimo","Minimo","Var. %"',
            '"25.03.2025","1,5","1","1","1","1,00%"',
            '"24.03.2025","n/d","1","1","1","1,00%"',
        ),
        (
            "line 3: Ultimo 'n/d' is not a number in this layout (e.g. 1.234,5; -1 or an empty cell for a "
            "missing price)",
            "expected layout: dates DMY '.', decimals ',' thousands '.' (from content)",
        ),
    ),
    "RTWICE": (
        csv_bytes(
            EN,
            '"03/25/2025","1.5","1","1","1","-","1.00%"',
            '"03/25/2025","1.6","1","1","1","-","1.00%"',
        ),
        (
            "line 3: two prices for 2025-03-25: Price '1.6' here and '1.5' on line 2",
            "expected layout: dates MDY '/'",
        ),
    ),
    "RDECIMAL": (
        csv_bytes(
            EN,
            '"03/25/2025","1,234.5","1","1","1","-","1.00%"',
            '"03/24/2025","1.234,5","1","1","1","-","1.00%"',
        ),
        (
            "line 3: Price '1.234,5' has the decimal mark ',', but line 2 (Price '1,234.5') has '.'; expected "
            "decimals '.' thousands ',' on every line, as from line 2",
        ),
    ),
    "RFORM": (
        csv_bytes(
            EN,
            '"03/25/2025","1.5","1","1","1","-","1.00%"',
            '"2025-03-24","1.5","1","1","1","-","1.00%"',
        ),
        (
            "line 3: Date '2025-03-24' is written as yyyy-mm-dd, unlike line 2 (Date '03/25/2025'); expected one "
            "date form in a file: nn/nn/yyyy as from line 2",
        ),
    ),
    "RDAY": (
        csv_bytes(
            EN,
            '"01/03/2025","1.5","1","1","1","-","1.00%"',
            '"29/02/2025","1.5","1","1","1","-","1.00%"',
            '"28/02/2025","1.5","1","1","1","-","1.00%"',
        ),
        (
            "line 3: Date '29/02/2025' is not a calendar day in this layout; expected layout: dates DMY '/', "
            "decimals '.' thousands ',' (from content)",
        ),
    ),
    "ROPEN": (
        csv_bytes(
            '"Dag","Slot","Open.","Hoog","Laag","Wijz. %"',
            '"03.01.2026","150,250","149,000","151,000","148,500","1%"',
        ),
        (
            "every date has both fields at most 12 (e.g. line 2 (Dag '03.01.2026')), so day-first and "
            "month-first both fit; and every number has one mark followed by three digits",
            "is in no language known here",
        ),
    ),
}


def land(landing: Path, ticker: str, content: bytes) -> str:
    folder = landing / "crypto" / f"ticker={ticker}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{ticker} Historical Data.csv").write_bytes(content)
    return f"crypto/ticker={ticker}/{ticker} Historical Data.csv"


@pytest.fixture(scope="module")
def market(server: WarehouseAddress, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WarehouseAddress]:
    """Every layout fixture loaded by one extract run and built by one dbt build."""
    workdir = tmp_path_factory.mktemp("prices")
    landing = workdir / "landing"
    for ticker, (content, _) in LOADING.items():
        land(landing, ticker, content)
    with fresh_database(server) as address:
        done = run_extract(address, "--landing", str(landing), "--domain", "crypto")
        assert done.returncode == 0, done.stdout + done.stderr
        built = run_dbt(address, workdir, "build", "--select", "+crypto_daily", "+load_audit")
        assert built.returncode == 0, built.stdout[-5000:]
        yield address


@pytest.fixture(scope="module")
def rejections(server: WarehouseAddress, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The reason of every contradiction fixture, all delivered in one extract run (with one good file)."""
    landing = tmp_path_factory.mktemp("rejected-prices") / "landing"
    for ticker, (content, _) in REJECTED.items():
        land(landing, ticker, content)
    land(landing, "GOOD", LOADING["DMYEN"][0])
    with fresh_database(server) as address:
        done = run_extract(address, "--landing", str(landing), "--domain", "crypto")
        assert done.returncode == 1, done.stdout + done.stderr
        assert query(address, "select distinct ticker from raw.crypto_rows") == [("GOOD",)]
        yield {
            path.name.split(" ")[0]: path.read_text().strip() for path in (landing / "rejected").rglob("*.reason.txt")
        }


def prices(address: WarehouseAddress, ticker: str, *days: str) -> list[Decimal | None]:
    found = dict(
        query(address, "select date, price from market_data.crypto_daily where ticker = %s", (ticker,))
    )  # fmt: skip
    return [found.get(date.fromisoformat(day), "no row") for day in days]


def span(address: WarehouseAddress, ticker: str) -> tuple[date, date, int]:
    [row] = query(
        address, "select min(date), max(date), count(*) from market_data.crypto_daily where ticker = %s", (ticker,)
    )
    return row


@pytest.mark.parametrize("ticker", sorted(LOADING))
def test_the_ledger_says_how_each_file_was_read(market: WarehouseAddress, ticker: str) -> None:
    [(status, layout)] = query(
        market, "select status, layout from raw.load_ledger where landing_key like %s", (f"crypto/ticker={ticker}/%",)
    )
    assert (status, layout) == ("loaded", LOADING[ticker][1])
    assert query(market, "select layout from marts.load_audit where landing_key like %s", (f"%={ticker}/%",)) == [
        (layout,)
    ]


def test_english_export_with_day_first_dashed_dates_spans_its_one_month(market: WarehouseAddress) -> None:
    assert span(market, "DMYEN") == (date(2024, 9, 1), date(2024, 9, 14), 14)
    assert prices(market, "DMYEN", "2024-09-14", "2024-09-09", "2024-09-08", "2024-09-01") == [
        Decimal("54321.5"), Decimal("52100.5"), Decimal("51800"), Decimal("50000"),
    ]  # fmt: skip


def test_italian_header_with_month_first_dates_and_decimal_points(market: WarehouseAddress) -> None:
    assert span(market, "ITMDY") == (date(2025, 3, 12), date(2025, 3, 20), 9)
    assert prices(market, "ITMDY", "2025-03-20", "2025-03-19", "2025-03-12") == [
        Decimal("121.349"), Decimal("120.102"), Decimal("118.25"),
    ]  # fmt: skip


def test_spanish_exports_and_excel_resave(market: WarehouseAddress) -> None:
    assert span(market, "ESP") == (date(2023, 10, 1), date(2023, 12, 1), 62)
    assert prices(market, "ESP", "2023-12-01", "2023-11-01", "2023-10-01") == [
        Decimal("39665.7"), Decimal("37712.4"), Decimal("32100"),
    ]  # fmt: skip
    assert prices(market, "ESXL", "2020-03-13", "2020-03-14", "2020-03-15", "2020-03-16") == [
        Decimal("5320"), Decimal("5457.1"), Decimal("5457.1"), Decimal("4950.8"),  # 15th: carried forward
    ]  # fmt: skip


def test_month_names_in_english_italian_and_spanish(market: WarehouseAddress) -> None:
    assert prices(market, "ENMON", "2021-05-29", "2021-05-31", "2021-06-01") == [
        Decimal("34617"), Decimal("35678.2"), Decimal("36693.1"),
    ]  # fmt: skip
    assert prices(market, "ITMON", "2021-05-29", "2021-05-31", "2021-06-01") == [
        Decimal("28100.7"), Decimal("29300"), Decimal("30101.5"),
    ]  # fmt: skip
    assert prices(market, "ESMON", "2021-01-28", "2021-01-29", "2021-02-01") == [
        Decimal("26000"), Decimal("26800"), Decimal("27100.5"),
    ]  # fmt: skip


def test_excel_resave_monthly_oldest_first(market: WarehouseAddress) -> None:
    assert span(market, "ENXL") == (date(2010, 8, 1), date(2010, 11, 1), 93)
    assert prices(market, "ENXL", "2010-08-01", "2010-09-01", "2010-10-01", "2010-11-01") == [
        Decimal("0.07"), Decimal("0.0619"), Decimal("0.195"), Decimal("1234.5"),
    ]  # fmt: skip


def test_truly_ambiguous_file_is_read_by_its_header_language(market: WarehouseAddress) -> None:
    assert prices(market, "ITAMB", "2026-01-02", "2026-01-03") == [Decimal("149"), Decimal("150.25")]
    assert query(
        market,
        "select observed_on_text, price_text, date_order, decimal_mark, price, price_date"
        " from staging.stg_crypto__prices where ticker = 'ITAMB' order by line_number",
    ) == [
        ("03.01.2026", "150,250", "DMY", ",", Decimal("150.25"), date(2026, 1, 3)),
        ("02.01.2026", "149,000", "DMY", ",", Decimal("149"), date(2026, 1, 2)),
    ]


def test_bom_crlf_no_final_newline_no_volume_and_other_languages(market: WarehouseAddress) -> None:
    assert prices(market, "QUIRK", "2026-01-14", "2026-01-15") == [Decimal("99"), Decimal("100.5")]
    assert prices(market, "DEU", "2026-01-15", "2026-01-16") == [Decimal("1200"), Decimal("1234.5")]


def test_raw_rows_stay_as_delivered_with_the_layout(market: WarehouseAddress) -> None:
    assert query(
        market,
        "select line_number, date_label, value_label, observed_on_text, value_text, date_order, decimal_mark"
        " from raw.crypto_rows where ticker = 'ESXL' order by line_number",
    ) == [
        (2, "Fecha", "Último", "13-03-2020", "5320,0", "DMY", ","),
        (3, "Fecha", "Último", "14-03-2020", "5457,1", "DMY", ","),
        (4, "Fecha", "Último", "16-03-2020", "4950,8", "DMY", ","),
    ]


@pytest.mark.parametrize("ticker", sorted(REJECTED))
def test_a_contradiction_rejects_the_file_naming_the_line_and_the_layout(
    rejections: dict[str, str], ticker: str
) -> None:
    reason = rejections[ticker]
    assert reason.startswith(f"crypto/ticker={ticker}/{ticker} Historical Data.csv")
    for part in REJECTED[ticker][1]:
        assert part in reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (EN + '\n"10/31/2026","1.5","1","1","1","1K","1%"\n', (0, 1, "Date", "Price")),
        ('"Fecha";"Último";"Apertura";"Máximo";"Mínimo";"Vol.";"% var."\n"01.12.2023";"39.665,7";"1";"1";"1";'
         '"122,95K";"5,18%"\n', (0, 1, "Fecha", "Último")),
        ('"Date","Dernier","Ouv."," Plus Haut","Plus Bas","Vol.","Variation %"\n"31/10/2026","1,5","1","1","1",'
         '"-","0,5%"\n', (0, 1, "Date", "Dernier")),
        ("Дата,Цена,Откр.,Макс.,Мин.,Объём,Изм. %\n31.10.2026,\"65.619,5\",1,1,1,\"0,19K\",\"-0,37%\"\n",
         (0, 1, "Дата", "Цена")),
        ('"Exchange","Price","Date"\n"K","1.5","10/31/2026"\n', (2, 1, "Date", "Price")),
    ],
)  # fmt: skip
def test_price_files_are_recognised_by_the_shape_of_their_columns(text: str, expected: tuple) -> None:
    layout = crypto.read_layout("crypto/ticker=X/f.csv", io.StringIO(text))

    assert (layout.kind, layout.date_position, layout.value_position, layout.date_label, layout.value_label) == (
        "price", *expected,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/10/2026", ("numbers '/'", "2026-10-31", "None")),
        ("8/1/2010", ("numbers '/'", "2010-01-08", "2010-08-01")),
        ("2026-10-31", ("year first '-'", "2026-10-31", "2026-10-31")),
        ("May 29, 2021", ("month name first", "2021-05-29", "2021-05-29")),
        ("sept. 3, 2021", ("month name first", "2021-09-03", "2021-09-03")),
        ("29 de mayo de 2021", ("month name after the day", "2021-05-29", "2021-05-29")),
        ("3-ott-2021", ("month name after the day", "2021-10-03", "2021-10-03")),
    ],
)
def test_dates_read_in_every_supported_form(text: str, expected: tuple) -> None:
    read = read_date_text(text)

    assert read is not None
    day_first, month_first = read.on("DMY"), read.on("MDY")
    assert (read.form, str(day_first), str(month_first)) == expected


@pytest.mark.parametrize("text", ["13/13/2026", "Maybe 3, 2021", "3 ma 2021", "31/10/26", "yesterday", ""])
def test_what_is_not_a_date(text: str) -> None:
    assert read_date_text(text) is None


@pytest.mark.parametrize(
    ("text", "decimal", "open_mark", "dot_value", "comma_value"),
    [
        ("1,234.5", ".", None, "1234.5", None),
        ("39.665,7", ",", None, None, "39665.7"),
        ("5457,1", ",", None, None, "5457.1"),
        ("1,234", None, ",", "1234", "1.234"),
        ("0,500", ",", None, None, "0.500"),
        ("1.234.567", ",", None, None, "1234567"),
        ("-1", None, None, "-1", "-1"),
        ("122,95K", ",", None, None, None),
        ("-3.53%", ".", None, None, None),
    ],
)
def test_numbers_prove_their_decimal_mark_or_leave_it_open(
    text: str, decimal: str | None, open_mark: str | None, dot_value: str | None, comma_value: str | None
) -> None:
    read = read_number_text(text)

    assert read is not None and (read.decimal, read.open_mark) == (decimal, open_mark)
    values = number_value(text, "."), number_value(text, ",")
    assert values == tuple(None if v is None else Decimal(v) for v in (dot_value, comma_value))


def test_both_passes_keep_memory_flat_whatever_the_file_size(tmp_path: Path) -> None:
    def peak(rows: int) -> int:
        path = tmp_path / f"{rows}.csv"
        with open(path, "w", encoding="utf-8") as out:
            out.write(EN + "\n")
            for offset in range(rows):
                day = date.fromordinal(date(2026, 1, 1).toordinal() - offset)
                out.write(f'"{day:%d-%m-%Y}","{1000 + offset % 97:,}.5","1","1","1","1.2K","0.5%"\n')
        with open_text(path) as text:  # (the encoding check reads 1 MiB chunks: not measured)
            tracemalloc.start()
            layout = crypto.read_layout("k", text)
            start = text.tell()
            evidence = PriceEvidence("k", EN.replace('"', "").split(","), 0)
            for offset, fields in read_rows(text, ","):
                evidence.observe(offset + 1, fields)
            decided = evidence.decide()
            text.seek(start)
            checks = PriceLineChecks("k", decided, "Date", "Price")
            for offset, fields in read_rows(text, ","):
                checks.check(offset + 1, fields[0], fields[1])
        used = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert layout.kind == "price" and decided.date_order == "DMY" and checks.row_order == "newest first"
        return used

    small, large = peak(1_000), peak(20_000)

    assert large < small * 1.5 + 100_000, (small, large)
