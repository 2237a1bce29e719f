"""Google Trends files under `crypto/ticker={TICKER}/`: recognised by their content, checked line by line, landed
as one raw row per period and series.

A raw export is a preamble in the exporter's language (`Category: All categories`, `Categoría: Todas las
categorías`, `类别：所有类别`), a blank line, then a header: the period column (`Week`, `Settimana`, `Semana`,
`semaine`, `Month`, `Mese`, `Day`, `Giorno`, ...) and one or more series (`bitcoin: (Worldwide)`). Each line
holds a period, a day `2023-10-01` (a week is its first day) or a month `2023-10`, and one value per series, a
whole number from 0 to 100 or `<1`. A hand-cleaned file drops the preamble and may name its columns anything:
then the first data line decides (a period, then values 0-100 or `<1`).

Every series lands, in file order (`series_position` 1, 2, ...); dbt picks the one a ticker uses (the
crypto_tickers seed). A file whose content contradicts itself (a period that is not a date, periods out of
order or repeated, a value that is not 0-100 or `<1`) is rejected whole, naming the line and the value.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from extract.csv_text import DELIMITERS, data_lines, detect_delimiter, read_line
from extract.domain import LoadContext, Outcome, RejectedFile

KIND = "trend"
DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"
# The period column in the exporters' languages, and the periods it announces.
PERIOD_LABELS = {
    "week": WEEKLY, "settimana": WEEKLY, "semana": WEEKLY, "semaine": WEEKLY,
    "month": MONTHLY, "mese": MONTHLY, "mes": MONTHLY, "mois": MONTHLY,
    "day": DAILY, "giorno": DAILY, "día": DAILY, "dia": DAILY, "jour": DAILY,
}  # fmt: skip
# The first word of a preamble line (`Category: All categories`), before `:` or the full-width `：`.
PREAMBLE_WORDS = ("category", "categoria", "categoría", "catégorie", "类别")
# A price export's date column: a file whose first column has one of these names is never taken for a trend
# file by its content alone (an ISO-dated price file with small whole prices would look like one).
PRICE_DATE_LABELS = ("date", "data", "fecha", "datum")
MAX_PREAMBLE_LINES = 10
_WINDOW_LINES = 3 * MAX_PREAMBLE_LINES  # the first lines read to recognise a file

_PERIOD_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}(-[0-9]{2})?")
_PERIOD = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})(-(?P<day>[0-9]{2}))?")
_VALUE = re.compile(r"<1|[0-9]{1,3}")
_GEO_SERIES = re.compile(r".+: \(.*\)")  # `bitcoin: (Worldwide)`
BELOW_ONE = "<1"
EXPECTED_HEADER = (
    "the period column (Week, Settimana, Semana, semaine, Month, Mese, Day, Giorno, ...) and one or more "
    "series such as bitcoin: (Worldwide)"
)
EXPECTED_VALUE = "a whole number from 0 to 100, or <1"

RAW_COLUMNS = (
    "load_id", "ticker", "landing_key", "file_kind", "line_number",
    "date_label", "value_label", "observed_on_text", "value_text", "series_position",
)  # fmt: skip


def series_columns_ddl(schema: str, table: str) -> str:
    """The raw column a trend file adds to the market data table (idempotent)."""
    return f"""
alter table {schema}.{table} add column if not exists series_position integer;
comment on column {schema}.{table}.series_position is
    'Trend rows: position of the series among the file''s series (1 = the first after the period column; '
    'value_label holds its name). Null on price rows and on trend rows landed before files could hold several.';
"""


@dataclass(frozen=True)
class TrendLayout:
    """What the lines up to the header say about a Google Trends file."""

    kind: str  # always "trend" (crypto.Layout's kinds)
    header_line: int  # 1-based line of the header, counting the preamble and blank lines
    delimiter: str
    field_count: int
    period_label: str
    series: tuple[str, ...]  # the series' names as in the header, in file order
    preamble: tuple[str, ...] = ()  # the lines before the first blank line, when the file has a preamble

    @property
    def announced(self) -> str | None:
        """The periods the period column's name announces (weekly for `Week`), None for another name."""
        return PERIOD_LABELS.get(self.period_label.casefold())


@dataclass(frozen=True)
class _Line:
    number: int  # 1-based
    text: str
    end: int  # the stream's position after the line: where reading resumes when it is the header


class _FirstLines:
    """The first lines of a file, read on demand, each with the position after it."""

    def __init__(self, text: io.TextIOBase, key: str) -> None:
        self._text = text
        self._key = key
        self._lines: list[_Line] = []

    def __getitem__(self, index: int) -> _Line:
        return self._lines[index]

    def get(self, index: int) -> _Line | None:
        while len(self._lines) <= index < _WINDOW_LINES:
            raw = read_line(self._text, self._key, len(self._lines) + 1)
            if not raw:
                break
            if not self._lines:
                raw = raw.removeprefix("\ufeff")  # a byte-order mark left by a decoder other than utf-8-sig
            self._lines.append(_Line(len(self._lines) + 1, raw, self._text.tell()))
        return self._lines[index] if index < len(self._lines) else None

    def next_index(self, after: int, blank: bool = False) -> int | None:
        """The index of the first line after `after` that is blank (blank=True) or has content."""
        index = after + 1
        while (line := self.get(index)) is not None:
            if (not line.text.strip()) == blank:
                return index
            index += 1
        return None


def split_fields(line: str, delimiter: str) -> list[str]:
    """The fields of one line, unquoted (doubled quotes undone) and trimmed."""
    return [field.strip() for field in next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])]


def choose_delimiter(header: str, data: str | None) -> str:
    """The delimiter splitting the header and the first data line into the same number (>= 2) of fields, the
    most such; else the header's own (a term may hold a comma: `"a, b: (Italia)"` on a `;` file)."""
    best: tuple[int, str] | None = None
    for delimiter in DELIMITERS if data is not None else ():
        count = len(split_fields(header, delimiter))
        if count >= 2 and count == len(split_fields(data, delimiter)) and (best is None or count > best[0]):
            best = (count, delimiter)
    return best[1] if best else detect_delimiter(header)


def is_trend_value(text: str) -> bool:
    value = text.strip()
    return value == BELOW_ONE or (_VALUE.fullmatch(value) is not None and int(value) <= 100)


def looks_like_data(fields: list[str]) -> bool:
    """A Google Trends data line: a period (YYYY-MM-DD or YYYY-MM), then values 0-100 or <1."""
    return (
        len(fields) >= 2
        and _PERIOD_SHAPE.fullmatch(fields[0]) is not None
        and all(is_trend_value(value) for value in fields[1:])
    )


def is_preamble(line: str) -> bool:
    """A Google Trends preamble line (`Category: All categories`, `类别：所有类别`), in a language we know."""
    head = re.split("[:：]", line.strip().strip('"'), maxsplit=1)
    return len(head) == 2 and head[0].strip().casefold() in PREAMBLE_WORDS


def read_trend_layout(key: str, text: io.TextIOBase) -> TrendLayout | None:
    """The layout of a Google Trends file, leaving `text` just after its header; None, with `text` where it
    was, when the file is not one. RejectedFile when the file says it is one (a Trends preamble, a period
    column) but its lines do not follow the layout."""
    start = text.tell()
    lines = _FirstLines(text, key)
    layout = _recognise(key, lines)
    if layout is None:
        text.seek(start)
        return None
    text.seek(lines[layout.header_line - 1].end)
    return layout


def _recognise(key: str, lines: _FirstLines) -> TrendLayout | None:
    first = lines.next_index(-1)
    if first is None:
        return None
    header = _header(key, lines[first], _line(lines, lines.next_index(first)), ())
    if header is not None:
        return header
    # everything before the first blank line is the preamble, when a header and trend data follow it
    said = is_preamble(lines[first].text)
    shown = f"line {lines[first].number} {lines[first].text.strip()[:120]!r}"
    blank = lines.next_index(first, blank=True)
    if blank is None or blank - first > MAX_PREAMBLE_LINES:
        if said:
            raise RejectedFile(
                f"{key}: a Google Trends preamble ({shown}) must be followed by a blank line, then the header: "
                f"{EXPECTED_HEADER}; found no blank line within {MAX_PREAMBLE_LINES} lines"
            )
        return None
    preamble = tuple(lines[index].text.strip() for index in range(first, blank))
    after = lines.next_index(blank)
    if after is None:
        if said:
            raise RejectedFile(
                f"{key}: a Google Trends export whose header is missing: after the preamble ({shown}) and a blank "
                f"line, expected {EXPECTED_HEADER}; found the end of the file"
            )
        return None
    header = _header(key, lines[after], _line(lines, lines.next_index(after)), preamble)
    if header is None and said:
        raise RejectedFile(
            f"{key} line {lines[after].number}: after the Google Trends preamble ({shown}) and a blank line, "
            f"expected the header: {EXPECTED_HEADER}; found {lines[after].text.strip()[:120]!r}"
        )
    return header


def _line(lines: _FirstLines, index: int | None) -> _Line | None:
    return None if index is None else lines[index]


def _header(key: str, line: _Line, data: _Line | None, preamble: tuple[str, ...]) -> TrendLayout | None:
    """The layout when `line` is a trend header (`data` is the next line with content), else None."""
    delimiter = choose_delimiter(line.text, data.text if data else None)
    labels = split_fields(line.text, delimiter)
    if looks_like_data(labels):
        raise RejectedFile(
            f"{key} line {line.number}: a Google Trends data line where the header belongs; expected first a "
            f"header: {EXPECTED_HEADER}"
        )
    period = labels[0].casefold() if labels else ""
    data_fields = split_fields(data.text, delimiter) if data else []
    if not (
        period in PERIOD_LABELS
        or (len(labels) >= 2 and all(_GEO_SERIES.fullmatch(label) for label in labels[1:]))
        or (period not in PRICE_DATE_LABELS and len(data_fields) == len(labels) and looks_like_data(data_fields))
    ):
        return None
    if len(labels) < 2:
        raise RejectedFile(
            f"{key} line {line.number}: a Google Trends header has the period column and at least one series; "
            f"found only {labels[0]!r}"
        )
    if unnamed := [position for position, label in enumerate(labels[1:], start=2) if not label]:
        raise RejectedFile(
            f"{key} line {line.number}: column {unnamed[0]} of the Google Trends header names no series; "
            f"expected {EXPECTED_HEADER}"
        )
    return TrendLayout(KIND, line.number, delimiter, len(labels), labels[0], tuple(labels[1:]), preamble)


@dataclass(frozen=True)
class _Period:
    line: int
    text: str
    day: date  # a month is its first day
    is_month: bool  # written YYYY-MM


def parse_period(text: str) -> tuple[date, bool] | None:
    """(the day, whether it is written as a month) of a period; None when it is not a calendar date."""
    match = _PERIOD.fullmatch(text.strip())
    if match is None:
        return None
    try:
        day = date(int(match["year"]), int(match["month"]), int(match["day"] or 1))
    except ValueError:  # 2023-02-30, 2023-13
        return None
    return day, match["day"] is None


def _month_index(day: date) -> int:
    return day.year * 12 + day.month


class TrendRows:
    """The raw rows of a trend file after its header, checked line by line; afterwards, what its periods were."""

    def __init__(self, ctx: LoadContext, ticker: str, layout: TrendLayout, text: io.TextIOBase) -> None:
        self._ctx, self._ticker, self._layout, self._text = ctx, ticker, layout, text
        self._first: _Period | None = None
        self._previous: _Period | None = None
        self._day_steps: set[int] = set()
        self._month_steps: set[int] = set()
        self._all_first_days = True
        self.periods = 0

    def __iter__(self) -> Iterator[tuple[object, ...]]:
        ctx, layout = self._ctx, self._layout
        key, reject = ctx.file.key, ctx.reject_record
        for line, fields in data_lines(
            self._text, key, layout.delimiter, layout.header_line, layout.field_count, reject
        ):
            self._check_period(line, fields[0])
            for label, value in zip(layout.series, fields[1:], strict=True):
                if not is_trend_value(value):
                    raise RejectedFile(
                        f"{ctx.file.key} line {line}: the value {value!r} of the series {label!r} is not a Google "
                        f"Trends value; expected {EXPECTED_VALUE}"
                    )
            for position, (label, value) in enumerate(zip(layout.series, fields[1:], strict=True), start=1):
                yield (
                    ctx.load_id, self._ticker, ctx.file.key, KIND, line, layout.period_label, label,
                    fields[0], value, position,
                )  # fmt: skip

    def _check_period(self, line: int, text: str) -> None:
        key, label, announced = self._ctx.file.key, self._layout.period_label, self._layout.announced
        parsed = parse_period(text)
        if parsed is None:
            raise RejectedFile(
                f"{key} line {line}: the period {text!r} is not a date; expected a day YYYY-MM-DD (e.g. "
                f"2023-10-01, a week is its first day) or a month YYYY-MM (e.g. 2023-10) in the column {label!r}"
            )
        period = _Period(line, text, *parsed)
        first, previous = self._first, self._previous
        if first is not None and period.is_month != first.is_month:
            raise RejectedFile(
                f"{key} line {line}: the period {text!r} is {_form(period)}, but line {first.line} ({first.text!r}) is "
                f"{_form(first)}; expected every period of a file written the same way"
            )
        if previous is not None and period.day <= previous.day:
            what = (
                f"repeats line {previous.line}"
                if period.day == previous.day
                else f"comes before {previous.text!r} of line {previous.line}"
            )
            raise RejectedFile(
                f"{key} line {line}: the period {text!r} {what}; expected each period once, oldest first"
            )
        if announced in (DAILY, WEEKLY) and period.is_month:
            raise RejectedFile(
                f"{key} line {line}: the period {text!r} is a month, but the column {label!r} announces "
                f"{announced} periods; expected a day YYYY-MM-DD"
            )
        if announced == MONTHLY and period.day.day != 1:
            raise RejectedFile(
                f"{key} line {line}: the period {text!r} is not the first day of a month, but the column "
                f"{label!r} announces months; expected YYYY-MM (e.g. 2023-10) or the month's first day"
            )
        if previous is not None:
            days = (period.day - previous.day).days
            if announced == WEEKLY and days % 7:
                raise RejectedFile(
                    f"{key} line {line}: the period {text!r} is {days} days after {previous.text!r} (line "
                    f"{previous.line}), but the column {label!r} announces weeks; expected whole weeks apart"
                )
            self._day_steps.add(days)
            self._month_steps.add(_month_index(period.day) - _month_index(previous.day))
        self._all_first_days = self._all_first_days and period.day.day == 1
        self._first = first or period
        self._previous = period
        self.periods += 1

    @property
    def granularity(self) -> str:
        """daily, weekly, monthly (with gaps when periods are missing), or the spacing when it is none of them."""
        first, steps = self._first, self._day_steps
        if first is not None and (first.is_month or (self._all_first_days and steps and min(steps) >= 28)):
            return MONTHLY + (" with gaps" if max(self._month_steps, default=1) > 1 else "")
        if not steps:
            return self._layout.announced or "a single period"
        if min(steps) == 1:
            return DAILY + (" with gaps" if max(steps) > 1 else "")
        if all(step % 7 == 0 for step in steps):
            return WEEKLY + (" with gaps" if max(steps) > 7 else "")
        return f"irregular, {min(steps)} to {max(steps)} days apart"

    def description(self) -> str:
        """For the load ledger's layout: `trends: weekly, 2 series: "a: (Worldwide)", "b: (Worldwide)"`."""
        series = ", ".join(json.dumps(label, ensure_ascii=False) for label in self._layout.series)
        return f"trends: {self.granularity}, {len(self._layout.series)} series: {series}"


def _form(period: _Period) -> str:
    return "a month (YYYY-MM)" if period.is_month else "a day (YYYY-MM-DD)"


def load_trend_file(ctx: LoadContext, ticker: str, layout: TrendLayout, text: io.TextIOBase, table: str) -> Outcome:
    """Land a trend file's rows (text positioned after its header) into RAW_SCHEMA.table; the outcome's layout
    says the periods and the series found."""
    rows = TrendRows(ctx, ticker, layout, text)
    loaded = ctx.copy_rows(table, RAW_COLUMNS, rows)
    if loaded == 0:
        found = ""
        if ctx.rejected:
            found = f"; all {len(ctx.rejected)} lines were unreadable, e.g. {ctx.rejected[0][1]}"
        raise RejectedFile(
            f"{ctx.file.key} line {layout.header_line + 1}: a trend file without any data line after its header "
            f"(line {layout.header_line})"
            f"{found}; each file is the full history of {ticker}, so an empty one would not replace the previous file"
        )
    return Outcome(rows_loaded=loaded, layout=rows.description())
