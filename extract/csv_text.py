"""Opening a CSV whose encoding and delimiter are not announced: UTF-8 (with or without BOM) or Latin-1;
comma, semicolon or tab; each of \\r\\n, \\n and \\r ends a line (a file may mix them).

What is not CSV text is refused whole, naming the file and the position (RejectedFile): a known binary format
(an image, an archive, a workbook) or UTF-16 text, a NUL byte, UTF-8 with invalid bytes in it (a file mixing
UTF-8 and Latin-1: read as either, part of it would be garbled), a line longer than MAX_LINE_CHARS (a
binary or minified file: never read whole into memory), a quoted field that never closes.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from extract.domain import RejectedFile

DELIMITERS = (",", ";", "\t")
_CHUNK = 1024 * 1024
MAX_LINE_CHARS = csv.field_size_limit()  # 131,072: the csv module's limit of a field, so a line never exceeds it
# What a file renamed .csv may really be, by its first bytes.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook is one)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel .xls workbook (or another OLE2 document)"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_NOT_ASCII = bytes(range(0x80, 0x100))


@dataclass(frozen=True)
class _Scan:
    """One pass over a file's bytes: where the first NUL and the first invalid UTF-8 byte are."""

    head: bytes
    nul_at: int | None
    invalid_at: int | None  # the first byte that is not valid UTF-8, None when the whole file is UTF-8
    invalid_byte: int | None


def _scan(path: Path) -> _Scan:
    head, nul_at, invalid_at, invalid_byte = b"", None, None, None
    position, carry = 0, b""
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            head = head or chunk[:16]
            if nul_at is None and (found := chunk.find(b"\x00")) >= 0:
                nul_at = position + found
            if invalid_at is None:
                data, start = carry + chunk, position - len(carry)
                try:
                    _, consumed = codecs.utf_8_decode(data, "strict", False)
                    carry = data[consumed:]
                except UnicodeDecodeError as exc:
                    invalid_at, invalid_byte = start + exc.start, data[exc.start]
            position += len(chunk)
    if invalid_at is None and carry:  # a sequence cut short by the end of the file
        invalid_at, invalid_byte = position - len(carry), carry[0]
    return _Scan(head, nul_at, invalid_at, invalid_byte)


def _utf8_evidence(path: Path) -> tuple[int, int]:
    """(valid UTF-8 sequences beyond ASCII, bytes beyond ASCII outside them) of a file that is not pure UTF-8."""
    sequences = stray = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            found = _UTF8_SEQUENCE.findall(chunk)
            sequences += len(found)
            stray += len(chunk) - len(chunk.translate(None, _NOT_ASCII)) - sum(map(len, found))
    return sequences, stray


def _line_at(path: Path, offset: int) -> int:
    """The 1-based line holding byte `offset` (each of \\r\\n, \\n and \\r ends a line)."""
    with open(path, "rb") as stream:
        before = stream.read(offset)
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


def check_text(path: Path, key: str) -> str:
    """The encoding of a CSV text file: 'utf-8-sig' when the whole file is UTF-8 (BOM optional), else 'latin-1'.
    RejectedFile naming `key` and the position when the file is not CSV text."""
    scan = _scan(path)
    for signature, what in _SIGNATURES:
        if scan.head.startswith(signature):
            raise RejectedFile(f"{key} byte 0: {what}, not CSV text; expected a CSV file in UTF-8 or Latin-1")
    if scan.head.startswith(_UTF16_BOMS):
        raise RejectedFile(
            f"{key} byte 0: UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8 (Excel: CSV UTF-8)"
        )
    if scan.nul_at is not None:
        raise RejectedFile(
            f"{key} line {_line_at(path, scan.nul_at)} (byte {scan.nul_at}): a NUL byte; CSV text holds none "
            "(a binary file renamed .csv, or text saved as UTF-16?)"
        )
    if scan.invalid_at is None:
        return "utf-8-sig"
    sequences, stray = _utf8_evidence(path)
    if sequences and sequences >= stray:
        raise RejectedFile(
            f"{key} line {_line_at(path, scan.invalid_at)} (byte {scan.invalid_at}): invalid UTF-8 "
            f"(0x{scan.invalid_byte:02X}) in a file that is otherwise UTF-8 ({sequences} UTF-8 character(s) beyond "
            f"ASCII, {stray} invalid byte(s)); read as UTF-8 or as Latin-1, part of it would be garbled: save the "
            "whole file as UTF-8"
        )
    return "latin-1"


def detect_delimiter(header_line: str) -> str:
    """The candidate delimiter that splits the header line into the most fields (comma on a tie)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def open_text(path: Path, key: str | None = None) -> io.TextIOWrapper:
    """The file as text, lines untranslated; RejectedFile naming `key` (default: the path) when it is not CSV
    text (check_text)."""
    return open(path, encoding=check_text(path, key or str(path)), newline="")


def read_line(text: io.TextIOBase, key: str, number: int) -> str:
    """The next line of `text` ('' at the end), line `number` of the file; RejectedFile when it is longer than
    MAX_LINE_CHARS (it is never read whole)."""
    line = text.readline(MAX_LINE_CHARS + 1)
    if len(line) > MAX_LINE_CHARS:
        raise _too_long(key, number)
    return line


def _too_long(key: str, number: int) -> RejectedFile:
    return RejectedFile(
        f"{key} line {number}: longer than {MAX_LINE_CHARS:,} characters, the longest a CSV line may be "
        "(a binary or minified file, or one without line ends?)"
    )


def _lines(text: io.TextIOBase, key: str, line_offset: int) -> Iterator[str]:
    """The lines of `text` as read_line reads them, counted from `line_offset` (read_line inlined: every line of
    every file passes here)."""
    readline, limit, number = text.readline, MAX_LINE_CHARS + 1, line_offset
    while line := readline(limit):
        number += 1
        if len(line) == limit:
            raise _too_long(key, number)
        yield line


def _csv_error_reason(key: str, start: int, end: int, exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return (
            f"{key} line {start}: a field longer than {MAX_LINE_CHARS:,} characters, running from line {start} to "
            f"line {end}: a quote opened on line {start} and never closed?"
        )
    return f"{key} line {start}: not readable as CSV ({exc})"


def read_rows(
    text: io.TextIOBase, delimiter: str, key: str = "the file", line_offset: int = 0
) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each CSV record; the line number is where the record starts, 1-based from
    where `text` is (`line_offset` lines of the file come before it: the reasons name the file's lines)."""
    reader = csv.reader(_lines(text, key, line_offset), delimiter=delimiter)
    line = 1
    try:
        for fields in reader:
            yield line, fields
            line = reader.line_num + 1
    except csv.Error as exc:
        raise RejectedFile(_csv_error_reason(key, line_offset + line, line_offset + reader.line_num, exc)) from None


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
    for offset, fields in read_rows(text, delimiter, key, header_line):
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
