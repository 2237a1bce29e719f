"""What a feed's track could not read, counted over the whole file: the words a person needs before a
misread feed reaches the catalogue.

Three findings, reported in the run's summary and in the ledger (`raw.load_ledger.warnings`):
- a mapped column none of whose paths is present in any record (a path the export does not have);
- a list entry that yields no item in any record (a list path that does not match the export);
- values that do not read as their parse hint, pattern or vocabulary says (dbt makes them null).
The checks mirror dbt's parsing (macros/vehicles/dms_tracks.sql) through the same hint patterns of
the catalogue's field list; tests/python/test_track_features.py compares the two on the same values.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from extract.catalogue import load_catalogue
from extract.record_text import first_text, text_at
from extract.tracks import ColumnRule, ListEntry, Track

_EXAMPLES = 3


def _walk(value: Any, path: tuple[str, ...]) -> list[Any]:
    """Every value at `path`, through repeated elements at any level."""
    found = [value]
    for part in path:
        step: list[Any] = []
        for item in found:
            for element in item if isinstance(item, list) else [item]:
                if isinstance(element, dict) and part in element:
                    step.append(element[part])
        found = step
        if not found:
            return []
    return [e for item in found for e in (item if isinstance(item, list) else [item])]


def hint_check(hint: str) -> Callable[[str], bool]:
    """Whether a (trimmed, non-empty) text reads as `hint`."""
    patterns = load_catalogue().hint_patterns
    if hint == "number":
        shape = re.compile(patterns["number"])
        return lambda text: bool(shape.match(text.replace(",", "")))
    if hint == "italian_number":
        shape = re.compile(patterns["number"])
        return lambda text: bool(shape.match(text.replace(".", "").replace(",", ".")))
    if hint == "vin":
        shape = re.compile(patterns["vin"])
        return lambda text: bool(shape.match(text.replace(" ", "").upper()))
    if hint in patterns:
        shape = re.compile(patterns[hint])
        return lambda text: bool(shape.match(text))
    return lambda text: True


class FeedChecks:
    """Observes every record of one feed; `findings()` says what the track could not read."""

    def __init__(self, track: Track) -> None:
        self.records = 0
        self._absent = {name: rule for name, rule in track.columns.items()}  # columns never present so far
        self._lists_empty: list[ListEntry] = list(track.lists)
        self._parsed = [  # read once per record: the single path of most rules is read without first_text
            (name, rule, hint_check(rule.hint), rule.paths[0] if len(rule.paths) == 1 else None, rule.pattern,
             rule.vocabulary)
            for name, rule in track.columns.items() if self._parses(rule)
        ]  # fmt: skip
        self._failures: Counter[str] = Counter()
        self._examples: dict[str, list[str]] = {}

    @staticmethod
    def _parses(rule: ColumnRule) -> bool:
        return rule.pattern is not None or rule.vocabulary is not None or rule.hint not in ("text",)

    def observe(self, record: dict[str, Any]) -> None:
        self.records += 1
        if self._absent:
            for name in [n for n, rule in self._absent.items() if any(_walk(record, p) for p in rule.paths)]:
                del self._absent[name]
        if self._lists_empty:
            self._lists_empty = [entry for entry in self._lists_empty if not _walk(record, entry.item_path)]
        for name, rule, reads, path, pattern, vocabulary in self._parsed:
            text = text_at(record, path) if path is not None else first_text(record, rule.paths)
            if not text:
                continue
            value = text
            if pattern is not None:
                found = pattern.search(text)
                value = (found.group(1) or "").strip() if found else ""
                if not value:
                    self._fail(name, text, f"does not match its pattern {pattern.pattern!r}")
                    continue
            if vocabulary is not None:
                if value.upper() not in vocabulary:
                    self._fail(name, value, "is not in its vocabulary")
            elif not reads(value):
                self._fail(name, value, f"does not read as {rule.hint}")

    def _fail(self, name: str, value: str, why: str) -> None:
        key = f"{name} {why}"
        self._failures[key] += 1
        examples = self._examples.setdefault(key, [])
        if len(examples) < _EXAMPLES and value not in examples:
            examples.append(value)

    def findings(self) -> list[str]:
        """One sentence per finding; empty when the track read everything it maps."""
        if self.records == 0:
            return []
        found = [
            f"{name}: none of its paths ({' or '.join('/'.join(p) or '.' for p in rule.paths)}) "
            f"is in any of the {self.records} records"
            for name, rule in self._absent.items()
        ]
        found += [
            f"lists.{entry.name} {'/'.join(entry.item_path)}: no item in any of the {self.records} records"
            for entry in self._lists_empty
        ]
        found += [
            f"{count} value(s) of {key} (e.g. {', '.join(repr(e) for e in self._examples[key])}): dbt makes them null"
            for key, count in sorted(self._failures.items())
        ]
        return found
