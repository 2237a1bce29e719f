"""Market data: price and Google Trends CSV files under `crypto/ticker={TICKER}/` -> raw.crypto_rows.

A file is recognised by its content, never by its name:

- price file, an Investing.com export in any language: data lines shaped as a date, then prices, an optional
  volume and a change % (extract.price_columns); else a header naming its date and price columns
  (`"Date","Price",...`, `"Data","Ultimo"`, ...), extra columns allowed in any order;
- Google Trends file, in any language and granularity (extract.trend_files): an optional preamble up to
  the first blank line, then a period column (days, weeks or months) and one or more series.

Only the date and the value of each line land, as varchar exactly as delivered, with the header's labels.
A price file is read twice (extract.price_files): first its whole content decides how its dates and numbers
read, then every line is checked against that layout and lands with it (date_order, decimal_mark: dbt parses
by them). Each file is the full history of its ticker and kind: dbt keeps the rows of the latest load; here
every load is appended.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from extract.csv_text import detect_delimiter, open_text, read_line, read_rows
from extract.domain import LoadContext, Outcome, RejectedFile
from extract.ledger import RAW_SCHEMA
from extract.price_columns import SAMPLE_ROWS, columns_by_labels, columns_by_shape, expected_price_labels
from extract.price_files import layout_columns_ddl, load_price_file
from extract.trend_files import TrendLayout, load_trend_file, read_trend_layout, series_columns_ddl

NAME = "crypto"
TABLE = "crypto_rows"
PRICE, TREND = "price", "trend"

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

EXPECTED = (
    'an Investing.com price header ("Date","Price",... in any language, or data lines with a date, then prices, '
    "an optional volume and a change %), or a Google Trends export (an optional preamble "
    "and a blank line, then a period column and one or more series of values 0-100 or <1)"
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


def price_layout(key: str, line_number: int, labels: list[str], delimiter: str, text: io.TextIOBase) -> Layout | None:
    """The layout of a price file, None when it is not one: by the shape of its first data lines (in any
    language), else by its labels (columns in another order); `text` is left where it was (after the header)."""
    columns = columns_by_shape(len(labels), _sample_rows(text, delimiter, len(labels), key, line_number))
    if columns is None:
        columns, date_label = columns_by_labels(labels)
        if date_label is not None:
            raise RejectedFile(
                f"{key} line {line_number}: a price file with a {date_label!r} column needs a price column named "
                f"{expected_price_labels(date_label)}; found {', '.join(labels)}"
            )
    if columns is None:
        return None
    return Layout(
        PRICE, line_number, delimiter, len(labels), columns.date_position, columns.value_position,
        labels[columns.date_position], labels[columns.value_position],
    )  # fmt: skip


def _sample_rows(text: io.TextIOBase, delimiter: str, field_count: int, key: str, header_line: int) -> list[list[str]]:
    """The first data lines with the header's number of fields, read ahead; `text` goes back where it was."""
    start = text.tell()
    sample = []
    for _, fields in read_rows(text, delimiter, key, header_line):
        if len(fields) == field_count and any(field.strip() for field in fields):
            sample.append(fields)
        if len(sample) == SAMPLE_ROWS:
            break
    text.seek(start)
    return sample


def _not_recognised(key: str, line_number: int, line: str) -> RejectedFile:
    shown = line.strip()[:120]
    return RejectedFile(f"{key} line {line_number}: not a price or trend file; expected {EXPECTED}; found {shown!r}")


def read_layout(key: str, text: io.TextIOBase) -> Layout | TrendLayout:
    """Read the lines up to the header (included) and recognise the file from them."""
    if (trends := read_trend_layout(key, text)) is not None:  # Google Trends: extract/trend_files.py
        return trends
    line_number, line = _next_non_blank(key, text, 0)
    if line is None:
        what = "the file is empty" if line_number == 0 else f"the file has only blank lines, up to line {line_number}"
        raise RejectedFile(f"{key} line {max(line_number, 1)}: {what}; expected {EXPECTED}")
    line = line.removeprefix("\ufeff")  # a byte-order mark left by a decoder other than utf-8-sig
    delimiter = detect_delimiter(line)
    labels = split_header(line, delimiter)
    layout = price_layout(key, line_number, labels, delimiter, text)
    if layout is None:
        raise _not_recognised(key, line_number, line)
    return layout


def _next_non_blank(key: str, text: io.TextIOBase, line_number: int) -> tuple[int, str | None]:
    """The next line with content after `line_number`, and its number; (n, None) at the end of the file."""
    while line := read_line(text, key, line_number + 1):
        line_number += 1
        if line.strip():
            return line_number, line
    return line_number, None


class CryptoDomain:
    name = NAME
    ddl = DDL + series_columns_ddl(RAW_SCHEMA, TABLE) + layout_columns_ddl(RAW_SCHEMA, TABLE)

    def load(self, ctx: LoadContext) -> Outcome:
        key = ctx.file.key
        ticker = ticker_of(key)
        with open_text(ctx.local.path, key) as text:
            layout = read_layout(key, text)
            if isinstance(layout, TrendLayout):
                return load_trend_file(ctx, ticker, layout, text, TABLE)
            return load_price_file(ctx, ticker, layout, text, TABLE)


DOMAIN = CryptoDomain()
