"""Market data: price and Google Trends CSV files under `crypto/ticker={TICKER}/` -> raw.crypto_rows.

A file is recognised by its content (its header), never by its name:

- price file, an Investing.com export: `"Date","Price","Open",...` (English) or `"Data","Ultimo",...` /
  `"Data","Prezzo",...` (Italian), extra columns allowed in any order;
- cleaned trend file: `Week,<anything>` or `Settimana,<anything>`;
- raw Google Trends export: a `Category: ...` / `Categoria: ...` line, a blank line, then the trend header.

Only the date and the value of each line land, as varchar exactly as delivered, with the header's labels
(dbt reads the file's language from them, and parses dates and numbers). Each file is the full history of
its ticker and kind: dbt keeps the rows of the latest load; here every load is appended.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from extract.csv_text import detect_delimiter, open_text, read_rows
from extract.domain import LoadContext, Outcome, RejectedFile
from extract.ledger import RAW_SCHEMA
from extract.raw_writer import copy_rows

NAME = "crypto"
TABLE = "crypto_rows"
PRICE, TREND = "price", "trend"
COLUMNS = (
    "load_id", "ticker", "landing_key", "file_kind", "line_number",
    "date_label", "value_label", "observed_on_text", "value_text",
)  # fmt: skip

DDL = f"""
create table if not exists {RAW_SCHEMA}.{TABLE} (
    load_id bigint not null,
    ticker varchar not null,
    landing_key varchar not null,
    file_kind varchar not null,
    line_number integer not null,
    date_label varchar not null,
    value_label varchar not null,
    observed_on_text varchar,
    value_text varchar
);
create index if not exists {TABLE}_ticker_kind on {RAW_SCHEMA}.{TABLE} (ticker, file_kind, load_id);
comment on table {RAW_SCHEMA}.{TABLE} is
    'Market data as delivered: one row per line of a price or Google Trends file (date and value as varchar), '
    'with its ticker, file, kind, line, header labels and load id.';
"""

_LANDING_KEY = re.compile(r"^crypto/ticker=(?P<ticker>[^/]*)/(?P<name>[^/]+)$")
_TICKER = re.compile(r"^[A-Za-z0-9_]{1,32}$")
LAYOUT_HELP = "crypto/ticker=<TICKER>/<any name>.csv, e.g. crypto/ticker=BTC/BTC_EUR_Historical_Data.csv"

# Investing.com price headers: the date column names the language; the value column depends on it.
PRICE_DATE_LABELS = {"date": "en", "data": "it"}
PRICE_VALUE_LABELS = {"en": ("price",), "it": ("ultimo", "prezzo")}
TREND_DATE_LABELS = ("week", "settimana")
TRENDS_PREAMBLE = ("category:", "categoria:")
EXPECTED = (
    'an Investing.com price header ("Date","Price",... or "Data","Ultimo"/"Prezzo",...), '
    "a trend header (Week,<term> or Settimana,<term>), or a Google Trends export "
    "(a Category:/Categoria: line, a blank line, then Week,<term>)"
)


@dataclass(frozen=True)
class Layout:
    """What the header says about a file: its kind, where its two useful columns are, how to split it."""

    kind: str
    header_line: int  # 1-based line of the header
    delimiter: str
    field_count: int
    date_position: int
    value_position: int
    date_label: str
    value_label: str


def ticker_of(key: str) -> str:
    """The ticker of a landing key (upper case); RejectedFile when the key is not in a ticker's folder."""
    match = _LANDING_KEY.match(key)
    if match is None:
        raise RejectedFile(f"{key}: crypto files belong in {LAYOUT_HELP}; this path is not one")
    ticker = match["ticker"]
    if not _TICKER.match(ticker):
        raise RejectedFile(
            f"{key}: the folder ticker={ticker} does not name a ticker; "
            "expected 1 to 32 letters, digits or underscores (e.g. ticker=BTC)"
        )
    if not match["name"].lower().endswith(".csv"):
        raise RejectedFile(f"{key}: expected a .csv file (a price or Google Trends export), as {LAYOUT_HELP}")
    return ticker.upper()


def split_header(line: str, delimiter: str) -> list[str]:
    """The labels of a header line, unquoted and trimmed."""
    return [label.strip() for label in next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])]


def price_layout(key: str, line_number: int, labels: list[str], delimiter: str) -> Layout | None:
    """The layout of an Investing.com header, None when the header is not one."""
    lowered = [label.lower() for label in labels]
    date_position = next((i for i, label in enumerate(lowered) if label in PRICE_DATE_LABELS), None)
    if date_position is None:
        return None
    language = PRICE_DATE_LABELS[lowered[date_position]]
    value_names = PRICE_VALUE_LABELS[language]
    value_position = next((i for i, label in enumerate(lowered) if label in value_names), None)
    if value_position is None:
        expected = " or ".join(f'"{name.capitalize()}"' for name in value_names)
        raise RejectedFile(
            f"{key} line {line_number}: a price file with a {labels[date_position]!r} column needs a price "
            f"column named {expected}; found {', '.join(labels)}"
        )
    return Layout(
        PRICE, line_number, delimiter, len(labels), date_position, value_position,
        labels[date_position], labels[value_position],
    )  # fmt: skip


def trend_layout(key: str, line_number: int, labels: list[str], delimiter: str) -> Layout | None:
    """The layout of a trend header (`Week,<term>`), None when the header is not one."""
    if not labels or labels[0].lower() not in TREND_DATE_LABELS:
        return None
    if len(labels) != 2:
        raise RejectedFile(
            f"{key} line {line_number}: a trend file has two columns, {labels[0]} and one search term; "
            f"found {len(labels)} ({', '.join(labels)}). Export one term per file."
        )
    return Layout(TREND, line_number, delimiter, 2, 0, 1, labels[0], labels[1])


def _not_recognised(key: str, line_number: int, line: str) -> RejectedFile:
    shown = line.strip()[:120]
    return RejectedFile(f"{key} line {line_number}: not a price or trend file; expected {EXPECTED}; found {shown!r}")


def read_layout(key: str, text: io.TextIOBase) -> Layout:
    """Read the lines up to the header (included) and recognise the file from them."""
    line_number, line = _next_non_blank(text, 0)
    if line is None:
        raise RejectedFile(f"{key}: the file is empty; expected {EXPECTED}")
    line = line.removeprefix("\ufeff")  # a byte-order mark left by a decoder other than utf-8-sig
    if line.strip().strip('"').lower().startswith(TRENDS_PREAMBLE):
        preamble_line = line_number
        line_number, line = _next_non_blank(text, line_number)
        if line is None:
            raise RejectedFile(
                f"{key} line {preamble_line}: a Google Trends export whose header is missing; "
                "expected a blank line, then Week,<term> or Settimana,<term>"
            )
        delimiter = detect_delimiter(line)
        layout = trend_layout(key, line_number, split_header(line, delimiter), delimiter)
        if layout is None:
            raise RejectedFile(
                f"{key} line {line_number}: after the Google Trends category line, expected the header "
                f"Week,<term> or Settimana,<term>; found {line.strip()[:120]!r}"
            )
        return layout
    delimiter = detect_delimiter(line)
    labels = split_header(line, delimiter)
    layout = trend_layout(key, line_number, labels, delimiter) or price_layout(key, line_number, labels, delimiter)
    if layout is None:
        raise _not_recognised(key, line_number, line)
    return layout


def _next_non_blank(text: io.TextIOBase, line_number: int) -> tuple[int, str | None]:
    """The next line with content after `line_number`, and its number; (n, None) at the end of the file."""
    while line := text.readline():
        line_number += 1
        if line.strip():
            return line_number, line
    return line_number, None


def landed_rows(ctx: LoadContext, ticker: str, layout: Layout, text: io.TextIOBase) -> Iterator[tuple[object, ...]]:
    """One raw row per data line; blank lines skipped, lines with the wrong number of fields set aside."""
    key = ctx.file.key
    for offset, fields in read_rows(text, layout.delimiter):
        line = layout.header_line + offset
        if not any(field.strip() for field in fields):
            continue
        if len(fields) != layout.field_count:
            ctx.reject_record(
                line,
                f"{key} line {line}: expected {layout.field_count} fields separated by {layout.delimiter!r}"
                f" as in the header, found {len(fields)}",
                layout.delimiter.join(fields),
            )
            continue
        yield (
            ctx.load_id, ticker, key, layout.kind, line, layout.date_label, layout.value_label,
            fields[layout.date_position], fields[layout.value_position],
        )  # fmt: skip


class CryptoDomain:
    name = NAME
    ddl = DDL

    def load(self, ctx: LoadContext) -> Outcome:
        key = ctx.file.key
        ticker = ticker_of(key)
        with open_text(ctx.local.path) as text:
            layout = read_layout(key, text)
            loaded = copy_rows(ctx.cur, RAW_SCHEMA, TABLE, COLUMNS, landed_rows(ctx, ticker, layout, text))
        if loaded == 0:
            found = ""
            if ctx.rejected:
                found = f"; all {len(ctx.rejected)} lines were unreadable, e.g. {ctx.rejected[0][1]}"
            raise RejectedFile(
                f"{key}: a {layout.kind} file without any data line after its header (line "
                f"{layout.header_line}){found}; each file is the full history of {ticker}, so an empty one "
                "would not replace the previous file"
            )
        return Outcome(rows_loaded=loaded)


DOMAIN = CryptoDomain()
