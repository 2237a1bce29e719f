"""Second pass over a price file: every line against the decided layout, before it lands.

A line whose date is no calendar day in the layout (`31/02`), whose price is not a number in it, whose date
breaks the file's order (newest first or oldest first, whichever its first two days show), or which gives a
day a second, different price, rejects the whole file: the message names the line, the value and the layout.
Only the previous line is kept: memory does not grow with the file.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from extract.date_text import read_date_text
from extract.domain import RejectedFile
from extract.number_text import number_value
from extract.price_layout import PriceLayout

MISSING_PRICE = Decimal(-1)  # the export's missing price
NEWEST_FIRST, OLDEST_FIRST = "newest first", "oldest first"


class PriceLineChecks:
    def __init__(self, key: str, layout: PriceLayout, date_label: str, value_label: str) -> None:
        self.key = key
        self.layout = layout
        self.date_label = date_label
        self.value_label = value_label
        self.direction = 0  # -1: newest first, 1: oldest first, 0: not known yet
        self.previous: tuple[int, date, str] | None = None  # line, day, text of the last line
        self.previous_price: tuple[int, Decimal, str] | None = None  # the last valid price of that day

    @property
    def row_order(self) -> str:
        return {-1: NEWEST_FIRST, 1: OLDEST_FIRST}.get(self.direction, "one day")

    def _reject(self, line: int, problem: str) -> RejectedFile:
        return RejectedFile(f"{self.key} line {line}: {problem}; expected layout: {self.layout.words()}")

    def check(self, line: int, date_text: str, price_text: str) -> None:
        read = read_date_text(date_text)
        day = read.on(self.layout.date_order) if read is not None else None
        if day is None:
            raise self._reject(line, f"{self.date_label} {date_text.strip()!r} is not a calendar day in this layout")
        price = self._price(line, price_text)
        if self.previous is not None:
            self._check_order(line, day, date_text)
        if self.previous is not None and day == self.previous[1]:
            self._check_same_day(line, day, price, price_text)
        else:
            self.previous_price = None
        self.previous = (line, day, date_text.strip())
        if price is not None:
            self.previous_price = (line, price, price_text.strip())

    def _price(self, line: int, text: str) -> Decimal | None:
        if not text.strip():
            return None
        value = number_value(text, self.layout.decimal_mark)
        if value is None:
            example = f"1{self.layout.thousands_mark}234{self.layout.decimal_mark}5"
            raise self._reject(
                line,
                f"{self.value_label} {text.strip()!r} is not a number in this layout (e.g. {example}; -1 or an "
                "empty cell for a missing price)",
            )
        return None if value == MISSING_PRICE else value

    def _check_order(self, line: int, day: date, date_text: str) -> None:
        assert self.previous is not None
        previous_line, previous_day, previous_text = self.previous
        step = (day > previous_day) - (day < previous_day)
        if step == 0:
            return
        if self.direction == 0:
            self.direction = step
        elif step != self.direction:
            raise self._reject(
                line,
                f"{self.date_label} {date_text.strip()!r} ({day.isoformat()}) breaks the file's order: its dates run "
                f"{self.row_order}, and line {previous_line} is {previous_text!r} ({previous_day.isoformat()})",
            )

    def _check_same_day(self, line: int, day: date, price: Decimal | None, price_text: str) -> None:
        if price is None or self.previous_price is None or price == self.previous_price[1]:
            return
        other_line, _, other_text = self.previous_price
        raise self._reject(
            line,
            f"two prices for {day.isoformat()}: {self.value_label} {price_text.strip()!r} here and "
            f"{other_text!r} on line {other_line}",
        )
