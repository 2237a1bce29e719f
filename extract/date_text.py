"""Reading one calendar date as a price export writes it, before the file's date order is known.

Forms (the same ones the dbt macro `parse_price_date` reads, macros/cross_db/market_parsing.sql):

- numbers with `/`, `-` or `.`: `31/10/2026`, `10-31-2026`, `8/1/2010` (day and month in either order, the year
  last, four digits) or `2026-10-31` (the year first: always year, month, day);
- a month name or abbreviation in English, Italian or Spanish: `Oct 31, 2026`, `ott 31, 2026` (month first),
  `31 ottobre 2026`, `31-oct-2026`, `31 de octubre de 2026` (day first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

DMY, MDY, YMD = "DMY", "MDY", "YMD"
ORDER_WORDS = {DMY: "day-first", MDY: "month-first", YMD: "year-first"}

# Full names; an abbreviation is any prefix of three letters or more (`sept`, `mag`, `ene.`). The first three
# letters of every name are unique to its month across the three languages, which is what the SQL side maps.
MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "gennaio", "enero"),
    2: ("february", "febbraio", "febrero"),
    3: ("march", "marzo"),
    4: ("april", "aprile", "abril"),
    5: ("may", "maggio", "mayo"),
    6: ("june", "giugno", "junio"),
    7: ("july", "luglio", "julio"),
    8: ("august", "agosto"),
    9: ("september", "settembre", "septiembre", "setiembre"),
    10: ("october", "ottobre", "octubre"),
    11: ("november", "novembre", "noviembre"),
    12: ("december", "dicembre", "diciembre"),
}

_NUMERIC = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})([./-])(\d{1,2})\2(\d{1,2})")
_MONTH_FIRST = re.compile(r"([A-Za-z]{3,})\.? +(\d{1,2}),? +(\d{4})")
_DAY_FIRST = re.compile(r"(\d{1,2})[ ./-]+(?:de +)?([A-Za-z]{3,})\.?[ ./-]+(?:de +)?(\d{4})")


@dataclass(frozen=True)
class DateText:
    """A date as written. `form` groups the dates a file may mix (one separator, one order of fields).

    For `numbers` the two leading fields are kept as written: which is the day is the file's decision.
    """

    form: str  # "numbers '/'", "year first '-'", "month name first", "month name after the day"
    first: int
    second: int
    year: int
    order: str | None  # DMY, MDY or YMD when the form itself says it; None for numbers

    def on(self, order: str) -> date | None:
        """The calendar day under the file's order; None when there is no such day (31/02, a month 13)."""
        order = self.order or order
        day, month = (self.first, self.second) if order == DMY else (self.second, self.first)  # MDY, YMD
        try:
            return date(self.year, month, day)
        except ValueError:
            return None


def month_number(word: str) -> int | None:
    """The month an English, Italian or Spanish name or abbreviation (3 letters or more) names."""
    word = word.lower()
    found = {number for number, names in MONTH_NAMES.items() if any(name.startswith(word) for name in names)}
    return found.pop() if len(word) >= 3 and len(found) == 1 else None


def read_date_text(text: str) -> DateText | None:
    """The date `text` is, None when it is no date in any supported form (or a field cannot be a day)."""
    value = text.strip()
    if match := _NUMERIC.fullmatch(value):
        first, separator, second, year = match.groups()
        fields = (int(first), int(second))
        if min(fields) < 1 or max(fields) > 31 or min(fields) > 12:
            return None
        return DateText(f"numbers '{separator}'", fields[0], fields[1], int(year), None)
    if match := _YEAR_FIRST.fullmatch(value):
        year, separator, month, day = match.groups()
        return DateText(f"year first '{separator}'", int(month), int(day), int(year), YMD)
    if match := _MONTH_FIRST.fullmatch(value):
        word, day, year = match.groups()
        month = month_number(word)
        return None if month is None else DateText("month name first", month, int(day), int(year), MDY)
    if match := _DAY_FIRST.fullmatch(value):
        day, word, year = match.groups()
        month = month_number(word)
        return None if month is None else DateText("month name after the day", int(day), month, int(year), DMY)
    return None


def form_example(form: str) -> str:
    """How a date of `form` looks, for messages: `nn/nn/yyyy`, `yyyy-mm-dd`, `Mon dd, yyyy`, `dd Mon yyyy`."""
    if form.startswith("numbers"):
        return "nn{0}nn{0}yyyy".format(form[-2])
    if form.startswith("year first"):
        return "yyyy{0}mm{0}dd".format(form[-2])
    return "Mon dd, yyyy" if form == "month name first" else "dd Mon yyyy"
