"""Vehicle identification numbers (ISO 3779): the check digit, and valid VINs built from their parts.

The one place that computes a VIN check digit: sample data, test fixtures and the benchmark all write
their VINs with it. (The catalogue only asks for a plausible VIN: 17 characters, no I, O or Q.)
"""

from __future__ import annotations

from operator import mul

LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # a VIN's letters: all but I, O and Q
_VALUES = dict(zip(LETTERS, (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9), strict=True)) | {
    str(digit): digit for digit in range(10)
}  # transliteration: each character's value
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)  # by position; the 9th, the check digit, weighs 0
MODEL_YEARS = dict(zip(range(2014, 2031), "EFGHJKLMNPRSTVWXY", strict=True))  # the 10th character


def check_digit(vin: str) -> str:
    """The check digit of a 17-character VIN: '0'..'9' or 'X' (its own 9th character is not read)."""
    if len(vin) != 17:
        raise ValueError(f"a VIN has 17 characters, not {len(vin)}: {vin!r}")
    remainder = sum(map(mul, map(_VALUES.__getitem__, vin), _WEIGHTS)) % 11  # the benchmark's hot loop
    return "X" if remainder == 10 else str(remainder)


def with_check_digit(draft: str) -> str:
    """A 17-character draft with its 9th character (any placeholder) replaced by the check digit."""
    return f"{draft[:8]}{check_digit(draft)}{draft[9:]}"


def from_body(body: str) -> str:
    """The VIN of the 16 characters around the check digit (positions 1-8 and 10-17)."""
    if len(body) != 16:
        raise ValueError(f"a VIN body has 16 characters, not {len(body)}: {body!r}")
    return with_check_digit(f"{body[:8]}0{body[8:]}")


def build(wmi: str, descriptor: str, year: int, plant: str, serial: int) -> str:
    """A valid VIN: manufacturer (3), vehicle descriptor (5), check digit, model year, plant, serial (6 digits)."""
    draft = f"{wmi}{descriptor}0{MODEL_YEARS[year]}{plant}{serial:06d}"
    return f"{draft[:8]}{check_digit(draft)}{draft[9:]}"  # with_check_digit, one call less: a million cars


def is_valid(vin: str) -> bool:
    """17 characters of a VIN's alphabet whose 9th is the check digit."""
    return len(vin) == 17 and all(c in _VALUES for c in vin) and vin[8] == check_digit(vin)
