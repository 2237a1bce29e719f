"""Opening a CSV whose encoding and delimiter are not announced: UTF-8 (with or without BOM) or Latin-1;
comma, semicolon or tab."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
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
