"""What the XML parser reads of one document, checked on the way in (extract.xml_records wraps every stream).

- An empty document is refused as such (the parser would only say "no element found").
- A DOCTYPE is refused from the prolog's bytes, before the parser reads a declaration: no external
  entity, no entity expansion ever starts. (xml_records also checks the parsed document's DTD.)
- A document that declares a one-byte Latin encoding (ISO-8859-1, -15, windows-1252) but whose bytes are
  UTF-8 is refused at its end, naming the first UTF-8 character's line and byte: read as declared, every
  accented letter would land garbled ("é" as "Ã©"). A document whose bytes are not UTF-8 is left alone.
- A record that runs over MAX_RECORD_XML_BYTES of XML (16 times a record's JSON limit) refuses the file
  before the parser holds it all in memory: the parser builds a record's whole tree before it is read.

Memory stays flat: one read at a time passes through, plus the first 64 KiB once.
"""

from __future__ import annotations

import codecs
import re
from typing import BinaryIO

from extract.domain import MAX_RECORD_BYTES, RejectedFile

MiB = 1024 * 1024
MAX_RECORD_XML_BYTES = 16 * MAX_RECORD_BYTES
PROLOG_BYTES = 64 * 1024  # the prolog (XML declaration, comments, DOCTYPE) is looked for in this much
READ_BYTES = 64 * 1024  # what a read without a size returns at most

_PROLOG_ITEM = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.DOTALL)
_DECLARED_ENCODING = re.compile(r"""\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_LATIN = frozenset({"iso8859-1", "iso8859-15", "cp1252"})  # codecs' names of what a DMS may declare
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_UTF8_BOM, _UTF16_BOMS = b"\xef\xbb\xbf", (b"\xff\xfe", b"\xfe\xff")


def _prolog_text(head: bytes) -> str:
    """The head of a document as text for the prolog's ASCII markup (UTF-16 when its BOM says so)."""
    if head.startswith(_UTF16_BOMS):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    return head.removeprefix(_UTF8_BOM).decode("latin-1")


def doctype_line(head: bytes) -> int | None:
    """The line of a DOCTYPE declaration in the document's prolog, or None."""
    text = _prolog_text(head)
    position = 1 if text.startswith("\ufeff") else 0
    while match := _PROLOG_ITEM.match(text, position):
        position = match.end()
    start = len(text) - len(text[position:].lstrip())
    return text.count("\n", 0, start) + 1 if text.startswith("<!DOCTYPE", start) else None


def declared_encoding(head: bytes) -> str | None:
    """The encoding the XML declaration names, as written; None without one."""
    match = _DECLARED_ENCODING.match(_prolog_text(head))
    return match.group(1) if match else None


def _is_latin(encoding: str | None) -> bool:
    if encoding is None:
        return False
    try:
        return codecs.lookup(encoding).name in _LATIN
    except LookupError:
        return False


class _Utf8InDisguise:
    """Watches the bytes of a document that declares a Latin encoding: are they UTF-8 after all?"""

    def __init__(self, declared: str) -> None:
        self.declared = declared
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.is_utf8 = True  # until a byte sequence is not UTF-8: then the declaration is believed
        self.first: tuple[int, int, bytes] | None = None  # (byte, line, bytes) of the first non-ASCII character
        self.offset = 0
        self.lines = 1

    def feed(self, data: bytes) -> None:
        if not self.is_utf8:
            return
        try:
            self.decoder.decode(data)
        except UnicodeDecodeError:
            self.is_utf8 = False
            return
        if self.first is None:
            match = _NON_ASCII.search(data)
            if match is None:
                self.lines += data.count(b"\n")
            else:
                at = match.start()
                self.first = (self.offset + at, self.lines + data.count(b"\n", 0, at), data[at : at + 4])
        self.offset += len(data)

    def verdict(self, what: str) -> RejectedFile | None:
        """At the end of the document: the refusal when its bytes were UTF-8 with non-ASCII characters."""
        if not self.is_utf8 or self.first is None:
            return None
        try:
            self.decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
        byte, line, sequence = self.first
        character = sequence.decode("utf-8", errors="ignore")[:1]
        as_declared = sequence[: len(character.encode("utf-8"))].decode(self.declared, errors="replace")
        return RejectedFile(
            f"{what}: declares encoding {self.declared!r} but its bytes are UTF-8: at line {line:,} (byte {byte:,}) "
            f"{character!r} would load as {as_declared!r}, and so would every accented letter; nothing of it is "
            'loaded: the export must declare encoding="UTF-8" (or write ISO-8859-1 bytes)'
        )


class GuardedXml:
    """A document's byte stream as the parser reads it (only `read`), with the module's checks on the way."""

    def __init__(self, stream: BinaryIO, what: str, record_tag: str, first_index: int = 1) -> None:
        self._stream, self.what, self.record_tag = stream, what, record_tag
        self._pending = b""
        self._started = False
        self._ended = False
        self._watch: _Utf8InDisguise | None = None
        self.encoding: str | None = None  # as the XML declaration names it
        self.delivered = 0
        self._mark, self._records, self._last_line = 0, first_index - 1, 0
        self._first_index = first_index

    def record_read(self, index: int, line: int | None) -> None:
        """A whole record was read (the parser is past it): the next one is measured from here."""
        self._mark, self._records, self._last_line = self.delivered, index, line or 0

    def _start(self) -> None:
        self._started = True
        head = self._stream.read(PROLOG_BYTES)
        if not head:
            raise RejectedFile(f"{self.what}: the document is empty (0 bytes at byte 0): no XML element in it")
        line = doctype_line(head)
        if line is not None:
            raise RejectedFile(
                f"{self.what}: refused: the document declares a DOCTYPE at line {line}; external entities and "
                "entity expansion are not allowed in feeds, so the parser never reads it"
            )
        self.encoding = declared_encoding(head)
        if self.encoding is not None and _is_latin(self.encoding):
            self._watch = _Utf8InDisguise(self.encoding)
        self._pending = head

    def read(self, size: int = -1) -> bytes:
        if not self._started:
            self._start()
        size = size if size > 0 else READ_BYTES
        if self._pending:
            data, self._pending = self._pending[:size], self._pending[size:]
        else:
            data = b"" if self._ended else self._stream.read(size)
        if not data:
            self._ended = True
            refusal = self._watch.verdict(self.what) if self._watch is not None else None
            if refusal is not None:
                raise refusal
            return data
        if self._watch is not None:
            self._watch.feed(data)
        self.delivered += len(data)
        if self.delivered - self._mark > MAX_RECORD_XML_BYTES:
            raise self._record_too_big()
        return data

    def _record_too_big(self) -> RejectedFile:
        limit = f"{MAX_RECORD_XML_BYTES // MiB} MiB of XML"
        held = "the parser would hold all of it in memory, so the file is refused"
        if self._records < self._first_index:
            return RejectedFile(
                f"{self.what}: more than {limit} from the start of the document without a whole <{self.record_tag}> "
                f"record (is it another DMS's export, or one record larger than that?); {held}"
            )
        return RejectedFile(
            f"{self.what}: record {self._records + 1} runs over {limit} since record {self._records} "
            f"(<{self.record_tag}> at line {self._last_line:,}) ended, without ending: a record's JSON may have at "
            f"most {MAX_RECORD_BYTES:,} bytes, and {held}"
        )
