"""How to read a price file's dates and numbers, decided from the whole file's content (first pass).

The first pass keeps statistics only (the first line proving each fact), so memory does not grow with the
file. The rules, in order:

1. Dates: a field above 12 decides. `25/03/2025` makes the file day-first, `03/25/2025` month-first;
   `2025-03-25` and month names (`May 29, 2021`, `29 mag 2021`) say their order themselves. One file has one
   date form (separator, order of fields): a date written otherwise is a contradiction.
2. Numbers: `1,234.5`, `65.5`, `0.19K`, `-3.53%` prove the decimal mark `.`; `1.234,5`, `5457,1`, `122,95K`
   prove `,`. Every number column counts (prices, volume, change). `1,234` (one mark, three digits after)
   proves nothing.
3. What the content leaves open is decided by the other half: comma decimals are never written with
   month-first dates, so they make ambiguous dates day-first; month-first dates make ambiguous numbers use
   the decimal point (the US layout).
4. Still open: the header's language (English: month-first, decimal point; Italian, Spanish, French, German,
   Portuguese: day-first, decimal comma). A header in no known language leaves the file unreadable: rejected.

Every decision not taken from the content is recorded in the layout's words (raw.load_ledger.layout).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from extract.date_text import DMY, MDY, ORDER_WORDS, DateText, form_example, read_date_text
from extract.domain import RejectedFile
from extract.number_text import COMMA, DOT, other_mark, read_number_text
from extract.price_columns import CONVENTIONS, header_language

FROM_CONTENT = "from content"
ANY_DATE = "a date such as 31/10/2026, 10/31/2026, 31-10-2026, 31.10.2026, 2026-10-31 or Oct 31, 2026"


@dataclass(frozen=True)
class PriceLayout:
    """How a price file's dates and numbers read, and what decided it."""

    date_order: str  # DMY, MDY or YMD (month names: the order of the day and the month's name)
    date_form: str  # extract.date_text.DateText.form
    decimal_mark: str  # "." or ","
    decisions: tuple[str, ...] = ()  # what the content left open and how it was decided

    @property
    def thousands_mark(self) -> str:
        return other_mark(self.decimal_mark)

    def words(self) -> str:
        """e.g. `dates DMY '-', decimals ',' thousands '.' (from content)`."""
        if self.date_form.endswith("'"):  # numbers: `numbers '/'`, `year first '-'`
            dates = f"dates {self.date_order} '{self.date_form[-2]}'"
        else:
            dates = f"dates {self.date_order} with month names ({form_example(self.date_form)})"
        source = "; ".join(self.decisions) or FROM_CONTENT
        return f"{dates}, decimals '{self.decimal_mark}' thousands '{self.thousands_mark}' ({source})"


@dataclass(frozen=True)
class _Seen:
    """The first line that showed a fact: its number, the column's label and the text."""

    line: int
    label: str
    text: str

    def __str__(self) -> str:
        return f"line {self.line} ({self.label} {self.text!r})"


class PriceEvidence:
    """First pass over a price file: what its date column and number columns prove, in constant memory."""

    def __init__(self, key: str, labels: Sequence[str], date_position: int) -> None:
        self.key = key
        self.labels = list(labels)
        self.date_position = date_position
        self.rows = 0
        self.form: tuple[_Seen, DateText] | None = None  # the first date: the file's date form
        self.day_first: _Seen | None = None  # a first field above 12
        self.month_first: _Seen | None = None  # a second field above 12
        self.decimal: tuple[_Seen, str] | None = None  # the first number proving the decimal mark
        self.open_number: _Seen | None = None  # the first number proving nothing (`1,234`)

    def observe(self, line: int, fields: Sequence[str]) -> None:
        """Take in one data line (the header's number of fields); RejectedFile on a contradiction."""
        self.rows += 1
        self._observe_date(line, fields[self.date_position])
        for position, text in enumerate(fields):
            if position != self.date_position and text.strip() not in ("", "-"):
                self._observe_number(line, position, text)

    def _reject(self, line: int, problem: str, expected: str) -> RejectedFile:
        return RejectedFile(f"{self.key} line {line}: {problem}; expected {expected}")

    def _observe_date(self, line: int, text: str) -> None:
        label = self.labels[self.date_position]
        read = read_date_text(text)
        seen = _Seen(line, label, text.strip())
        if read is None:
            expected = f"every date as {form_example(self.form[1].form)}" if self.form else ANY_DATE
            raise self._reject(line, f"{label} {text.strip()!r} is not a date", expected)
        if self.form is None:
            self.form = (seen, read)
        elif read.form != self.form[1].form:
            first, first_read = self.form
            raise self._reject(
                line,
                f"{label} {text.strip()!r} is written as {form_example(read.form)}, unlike {first}",
                f"one date form in a file: {form_example(first_read.form)} as from line {first.line}",
            )
        if read.order is not None:
            return
        if read.first > 12 and self.day_first is None:
            self.day_first = seen
        if read.second > 12 and self.month_first is None:
            self.month_first = seen
        if self.day_first and self.month_first:  # this line proved the other order
            if seen == self.month_first:
                proof, order, month = self.day_first, DMY, read.second
            else:
                proof, order, month = self.month_first, MDY, read.first
            raise self._reject(
                line,
                f"{label} {text.strip()!r} contradicts the file's date order: {proof} makes the dates "
                f"{ORDER_WORDS[order]} ({order}), under which {month} would be a month",
                f"dates {order} on every line, as from line {proof.line}",
            )

    def _observe_number(self, line: int, position: int, text: str) -> None:
        read = read_number_text(text)
        if read is None:
            return  # not a number column (an exchange's name, a note): no evidence
        seen = _Seen(line, self.labels[position], text.strip())
        if read.decimal is None:
            if read.open_mark is not None and self.open_number is None:
                self.open_number = seen
            return
        if self.decimal is None:
            self.decimal = (seen, read.decimal)
        elif self.decimal[1] != read.decimal:
            proof, mark = self.decimal
            raise self._reject(
                line,
                f"{seen.label} {seen.text!r} has the decimal mark {read.decimal!r}, but {proof} has {mark!r}",
                f"decimals {mark!r} thousands {other_mark(mark)!r} on every line, as from line {proof.line}",
            )

    def decide(self) -> PriceLayout:
        """The layout the evidence proves; what it leaves open is decided by the other half, then by the
        header's language (recorded in the layout's words); RejectedFile when even the language is unknown."""
        if self.form is None:  # no data line: nothing to decide (the caller rejects the empty file)
            return PriceLayout(MDY, "numbers '/'", DOT)
        first_date = self.form[1]
        order = first_date.order or (DMY if self.day_first else MDY if self.month_first else None)
        decimal = self.decimal[1] if self.decimal else None
        decisions: list[str] = []
        if order is None and self.decimal is not None and self.decimal[1] == COMMA:
            order = DMY
            proof = self.decimal[0]
            decisions.append(f"dates ambiguous: decided by the decimal comma, e.g. {proof.text!r} on line {proof.line}")
        if decimal is None and self.open_number is None:
            decimal = DOT  # either mark reads every number the same
            decisions.append("no number has a decimal or thousands mark")
        elif decimal is None and order == MDY:
            decimal = DOT
            decisions.append("decimals ambiguous: decided by the month-first dates")
        if order is None or decimal is None:
            language = header_language(self.labels)
            if language is None:
                raise RejectedFile(self._undecidable(order, decimal))
            still_open = " and ".join(name for name, value in (("dates", order), ("decimals", decimal)) if not value)
            decisions.append(f"{still_open} ambiguous: decided by the header's language '{language}'")
            language_order, language_decimal = CONVENTIONS[language]
            order, decimal = order or language_order, decimal or language_decimal
        return PriceLayout(order, first_date.form, decimal, tuple(decisions))

    def _undecidable(self, order: str | None, decimal: str | None) -> str:
        first = self.form[0] if self.form else None
        parts = []
        if order is None:
            parts.append(f"every date has both fields at most 12 (e.g. {first}), so day-first and month-first both fit")
        if decimal is None:
            parts.append(
                f"every number has one mark followed by three digits (e.g. {self.open_number}), so it may be a "
                "decimal or a thousands mark"
            )
        return (
            f"{self.key}: the content leaves the layout open: {'; and '.join(parts)}; and the header "
            f"({', '.join(self.labels)}) is in no language known here (en, it, es, pt, fr, de). Expected a file "
            "with at least one day above 12 or one number such as 1,234.5 / 1.234,5, or an Investing.com header"
        )
