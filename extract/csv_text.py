"""Opening a CSV whose encoding and delimiter are not announced: UTF-8 (with or without BOM) or Latin-1;
comma, semicolon or tab."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

DELIMITERS = (",", ";", "\t")
_CHUNK = 1024 * 1024


def detect_encoding(path: Path) -> str:
    """'utf-8-sig' when the whole file decodes as UTF-8 (BOM optional), else 'latin-1' (never fails)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as stream:
        try:
            while chunk := stream.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "latin-1"
    return "utf-8-sig"


def detect_delimiter(header_line: str) -> str:
    """The candidate delimiter that splits the header line into the most fields (comma on a tie)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def open_text(path: Path) -> io.TextIOWrapper:
    return open(path, encoding=detect_encoding(path), newline="")


def read_rows(text: io.TextIOBase, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each CSV record; the line number is where the record starts (1-based)."""
    reader = csv.reader(text, delimiter=delimiter)
    line = 1
    for fields in reader:
        yield line, fields
        line = reader.line_num + 1


def data_lines(
    text: io.TextIOBase,
    key: str,
    delimiter: str,
    header_line: int,
    field_count: int,
    reject: Callable[[int, str, str], None] | None = None,
) -> Iterator[tuple[int, list[str]]]:
    """(line number in the file, fields) of each data line after a header at `header_line`.

    Blank lines are skipped. A line with another number of fields than the header is skipped too, and
    handed to `reject(line, reason, content)` when given (a pass that only looks does not record it twice).
    """
    for offset, fields in read_rows(text, delimiter):
        line = header_line + offset
        if not any(field.strip() for field in fields):
            continue
        if len(fields) != field_count:
            if reject is not None:
                reason = (
                    f"{key} line {line}: expected {field_count} fields separated by {delimiter!r} as in the header,"
                    f" found {len(fields)}"
                )
                reject(line, reason, delimiter.join(fields))
            continue
        yield line, fields
