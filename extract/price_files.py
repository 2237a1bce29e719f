"""Landing a price file (an Investing.com export) under `crypto/ticker={TICKER}/` once recognised
(extract.domains.crypto.read_layout): its data lines are read twice, streaming.

1. The whole content decides how dates and numbers read (extract.price_layout): constant memory.
2. Every line is checked against that layout (extract.price_checks) and lands as delivered, date and price
   as varchar, with the layout (`date_order`, `decimal_mark`) on each row: dbt parses by it. The first line
   that contradicts the layout rejects the whole file; the rows already sent roll back with it.

The ledger's layout (Outcome.layout) says what was decided, how, and the row order.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING

from extract.csv_text import data_lines
from extract.domain import LoadContext, Outcome, RejectedFile
from extract.price_checks import PriceLineChecks
from extract.price_layout import PriceEvidence, PriceLayout

if TYPE_CHECKING:
    from extract.domains.crypto import Layout

KIND = "price"
RAW_COLUMNS = (
    "load_id", "ticker", "landing_key", "file_kind", "line_number",
    "date_label", "value_label", "observed_on_text", "value_text", "date_order", "decimal_mark",
)  # fmt: skip


def layout_columns_ddl(schema: str, table: str) -> str:
    """The raw columns a price file's layout adds to the market data table (idempotent)."""
    return f"""
alter table {schema}.{table} add column if not exists date_order varchar;
alter table {schema}.{table} add column if not exists decimal_mark varchar;
comment on column {schema}.{table}.date_order is
    'Price rows: the order of the file''s dates (DMY, MDY or YMD), decided by the extractor from the whole file '
    '(raw.load_ledger.layout says how). Null on trend rows and on price rows landed before it was decided.';
comment on column {schema}.{table}.decimal_mark is
    'Price rows: the file''s decimal mark (. or ,; the thousands mark is the other), decided like date_order.';
"""


def load_price_file(ctx: LoadContext, ticker: str, layout: Layout, text: io.TextIOBase, table: str) -> Outcome:
    """Land a price file's rows (`text` positioned after its header) into RAW_SCHEMA.table."""
    key, start = ctx.file.key, text.tell()
    labels = _header_labels(text, layout)
    evidence = PriceEvidence(key, labels, layout.date_position)
    for line, fields in _data_lines(ctx, layout, text, record_rejects=False):
        evidence.observe(line, fields)
    price = evidence.decide()
    text.seek(start)
    checks = PriceLineChecks(key, price, layout.date_label, layout.value_label)
    loaded = ctx.copy_rows(table, RAW_COLUMNS, _landed_rows(ctx, ticker, layout, price, checks, text))
    if loaded == 0:
        found = ""
        if ctx.rejected:
            found = f"; all {len(ctx.rejected)} lines were unreadable, e.g. {ctx.rejected[0][1]}"
        raise RejectedFile(
            f"{key} line {layout.header_line + 1}: a price file without any data line after its header (line "
            f"{layout.header_line}){found}; each "
            f"file is the full history of {ticker}, so an empty one would not replace the previous file"
        )
    return Outcome(rows_loaded=loaded, layout=f"{price.words()}; {checks.row_order}")


def _header_labels(text: io.TextIOBase, layout: Layout) -> list[str]:
    """The header's labels, read again; `text` goes back where it was."""
    start, line = text.tell(), ""
    text.seek(0)
    for _ in range(layout.header_line):
        line = text.readline()
    text.seek(start)
    labels = next(csv.reader([line.removeprefix("\ufeff").rstrip("\r\n")], delimiter=layout.delimiter), [])
    return [label.strip() for label in labels]


def _data_lines(
    ctx: LoadContext, layout: Layout, text: io.TextIOBase, record_rejects: bool
) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of each data line; a line with the wrong number of fields is set aside by the pass
    that lands the rows (recorded once)."""
    reject = ctx.reject_record if record_rejects else None
    yield from data_lines(text, ctx.file.key, layout.delimiter, layout.header_line, layout.field_count, reject)


def _landed_rows(
    ctx: LoadContext, ticker: str, layout: Layout, price: PriceLayout, checks: PriceLineChecks, text: io.TextIOBase
) -> Iterator[tuple[object, ...]]:
    """One raw row per data line, as delivered, with the file's layout; RejectedFile at the first line that
    contradicts the layout."""
    for line, fields in _data_lines(ctx, layout, text, record_rejects=True):
        date_text, price_text = fields[layout.date_position], fields[layout.value_position]
        checks.check(line, date_text, price_text)
        yield (
            ctx.load_id, ticker, ctx.file.key, KIND, line, layout.date_label, layout.value_label,
            date_text, price_text, price.date_order, price.decimal_mark,
        )  # fmt: skip
