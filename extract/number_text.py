"""Reading one number as a price export writes it, before the file's decimal mark is known.

`1,234.5` proves the decimal mark is `.`, `1.234,5` and `5457,1` prove `,`; `1,234` (one mark, three digits
after it) proves nothing: a thousands mark in one convention, a decimal mark in the other. Volumes carry a
suffix (`0.19K`, `122,95K`, `1.2M`, `3B`), changes a `%`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

DOT, COMMA = ".", ","
SUFFIXES = ("K", "M", "B")
_NUMBER = re.compile(r"([-+]?)(\d[\d.,]*)\s*([%KMB]?)", re.IGNORECASE)
_MARKS = re.compile(r"[.,]")


@dataclass(frozen=True)
class NumberText:
    """What a number's text says about the file's marks."""

    decimal: str | None  # the decimal mark the text proves, None when it proves none
    open_mark: str | None  # the single mark of `1,234` / `1.234`: decimal or thousands, the text cannot say
    suffix: str  # "" (a plain number), "%", or a volume's K, M, B (upper case)


def other_mark(mark: str) -> str:
    """The thousands mark that goes with a decimal mark, and the reverse."""
    return COMMA if mark == DOT else DOT


def read_number_text(text: str) -> NumberText | None:
    """What `text` says about the marks, None when it is not a number in either convention."""
    match = _NUMBER.fullmatch(text.strip())
    if match is None:
        return None
    body = match[2]
    marks = _MARKS.findall(body)
    groups = _MARKS.split(body)
    if any(not group for group in groups):  # `1..2`, `12.`
        return None
    suffix = match[3].upper()
    if not marks:
        return NumberText(None, None, suffix)
    if len(set(marks)) == 2:  # both marks: the last one is the decimal mark, once, after thousands groups
        decimal = marks[-1]
        if marks.count(decimal) != 1 or not _thousands_groups(groups[:-1]):
            return None
        return NumberText(decimal, None, suffix)
    mark = marks[0]
    if len(marks) > 1:  # `1.234.567`: only thousands groups, so the decimal mark is the other one
        return NumberText(other_mark(mark), None, suffix) if _thousands_groups(groups) else None
    integer, fraction = groups
    if len(fraction) != 3 or len(integer) > 3 or integer.startswith("0"):
        return NumberText(mark, None, suffix)  # `0.190`, `1234.567`, `65.5`: cannot be a thousands mark
    return NumberText(None, mark, suffix)


def number_value(text: str, decimal_mark: str) -> Decimal | None:
    """A plain number (no suffix) read with the file's decimal mark, None when it is not one in that layout."""
    read = read_number_text(text)
    if read is None or read.suffix or read.decimal not in (None, decimal_mark):
        return None
    match = _NUMBER.fullmatch(text.strip())
    assert match is not None
    plain = match[2].replace(other_mark(decimal_mark), "").replace(decimal_mark, ".")
    try:
        return Decimal(match[1] + plain)
    except InvalidOperation:  # pragma: no cover - the pattern admits digits and marks only
        return None


def _thousands_groups(groups: list[str]) -> bool:
    """`1`, `12,345`, `1,234,567`: a leading group of 1 to 3 digits (not a leading zero), then groups of 3."""
    head, *rest = groups
    return 1 <= len(head) <= 3 and not (head.startswith("0") and rest) and all(len(group) == 3 for group in rest)
