"""Which columns of a price file hold the date and the price: recognised by the shape of the data, in any
language, else by the header's labels; and which language the header is in, for the one case where the
content cannot decide how to read the file (see extract.price_layout).

The shape of an Investing.com export, whatever its language: a date, then prices (Price, Open, High, Low),
an optional volume (`0.19K`, `122,95K`, `-`), then a percentage change (`-0.37%`); an Excel re-save may keep
the change as a plain number, so five or more number columns after the date fit too. Columns after the
change are ignored. The price is the column right after the date.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from extract.date_text import DMY, MDY, read_date_text
from extract.number_text import COMMA, DOT, read_number_text

SAMPLE_ROWS = 50  # data lines looked at to recognise the shape (the whole file is read later)

# The Investing.com header words of each language, lower case without accents.
HEADER_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset({"date", "price", "open", "high", "low", "vol.", "change %"}),
    "it": frozenset({"data", "ultimo", "prezzo", "apertura", "massimo", "minimo", "vol.", "var. %"}),
    "es": frozenset({"fecha", "ultimo", "precio", "apertura", "maximo", "minimo", "vol.", "% var.", "var."}),
    "pt": frozenset({"data", "ultimo", "abertura", "maxima", "minima", "vol.", "var%"}),
    "fr": frozenset({"date", "dernier", "ouv.", "plus haut", "plus bas", "vol.", "variation %"}),
    "de": frozenset({"datum", "zuletzt", "eroffn.", "hoch", "tief", "vol.", "+/- %"}),
}
# How each language writes dates and numbers: the last resort when the content leaves it open.
CONVENTIONS: dict[str, tuple[str, str]] = {
    "en": (MDY, DOT),
    "it": (DMY, COMMA),
    "es": (DMY, COMMA),
    "pt": (DMY, COMMA),
    "fr": (DMY, COMMA),
    "de": (DMY, COMMA),
}
# When the shape does not fit (columns in another order, no data line yet): the date column's label, and the
# labels its price column may have.
PRICE_LABELS: dict[str, tuple[str, ...]] = {
    "date": ("price",),
    "data": ("ultimo", "prezzo"),
    "fecha": ("ultimo", "precio"),
    "datum": ("zuletzt",),
}


@dataclass(frozen=True)
class PriceColumns:
    date_position: int
    value_position: int
    recognised_by: str  # "shape" or "labels"


def plain(label: str) -> str:
    """A label lower case, trimmed, without accents: `Último` -> `ultimo`."""
    decomposed = unicodedata.normalize("NFKD", label.strip().lower())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def header_language(labels: Sequence[str]) -> str | None:
    """The language most labels are words of; None when none, or when a tie leaves the conventions open."""
    words = [plain(label) for label in labels]
    scores = {language: sum(word in vocabulary for word in words) for language, vocabulary in HEADER_WORDS.items()}
    best = max(scores.values())
    leaders = [language for language, score in scores.items() if score == best]
    if best == 0 or len({CONVENTIONS[language] for language in leaders}) > 1:
        return None
    return leaders[0]


def _column_kind(values: Sequence[str]) -> str:
    """number, volume, change, empty or other: what every non-empty value of a sampled column is."""
    present = [value.strip() for value in values if value.strip() not in ("", "-")]
    if not present:
        return "empty"
    numbers = [read_number_text(value) for value in present]
    if any(number is None for number in numbers):
        return "other"
    suffixes = {number.suffix for number in numbers if number is not None}
    if suffixes == {""}:
        return "number"
    if suffixes == {"%"}:
        return "change"
    return "volume" if "%" not in suffixes else "other"


def columns_by_shape(field_count: int, sample: Sequence[Sequence[str]]) -> PriceColumns | None:
    """Date and price positions when the sampled data lines have an Investing.com export's shape."""
    if field_count < 3 or not sample:
        return None
    dates = [row[0].strip() for row in sample if row[0].strip()]
    if not dates or any(read_date_text(text) is None for text in dates):
        return None
    kinds = [_column_kind([row[position] for row in sample]) for position in range(1, field_count)]
    if kinds[0] != "number":
        return None
    run: list[str] = []  # the columns after the date, up to the change column
    for kind in kinds:
        if kind == "change":
            return PriceColumns(0, 1, "shape") if run.count("volume") <= 1 else None
        if kind == "other":
            break
        run.append(kind)
    filled = [kind for kind in run if kind != "empty"]
    return PriceColumns(0, 1, "shape") if len(filled) >= 5 and filled.count("volume") <= 1 else None


def columns_by_labels(labels: Sequence[str]) -> tuple[PriceColumns | None, str | None]:
    """(positions, None) from the labels; (None, the date label) when a date column has no price column;
    (None, None) when no label names a date column."""
    words = [plain(label) for label in labels]
    date_position = next((i for i, word in enumerate(words) if word in PRICE_LABELS), None)
    if date_position is None:
        return None, None
    value_names = PRICE_LABELS[words[date_position]]
    value_position = next((i for i, word in enumerate(words) if word in value_names), None)
    if value_position is None:
        return None, labels[date_position]
    return PriceColumns(date_position, value_position, "labels"), None


def expected_price_labels(date_label: str) -> str:
    """`"Price"` or `"Ultimo" or "Prezzo"`: the price labels that go with a date label, for messages."""
    return " or ".join(f'"{name.capitalize()}"' for name in PRICE_LABELS[plain(date_label)])
