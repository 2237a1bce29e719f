"""A DMS format as the writers know it: its record writer and the document around the records."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from dms_feeds.xml_text import indented


class DmsFormat(NamedTuple):
    dms: str  # the track's `dms` (tracks/<dms>.sql) and the landing folder's source={DMS}
    record: Callable[..., str]  # record(values, escape=True): one record element, on one line
    opening: Callable[[int], str]  # the document up to the first record, given the record count
    closing: str  # the document after the last record
    one_line: frozenset[str] = frozenset()  # elements the indented layout keeps on one line

    def document(self, records: Sequence[Mapping[str, Any]], *, escape: bool = True, indent: bool = False) -> str:
        """A whole export: the opening, one record per line, the closing; `indent`: one element per line."""
        body = "".join([f"{self.record(values, escape)}\n" for values in records])
        text = f"{self.opening(len(records))}{body}{self.closing}"
        return indented(text, self.one_line) if indent else text
