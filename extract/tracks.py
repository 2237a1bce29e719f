"""Track files (`tracks/<dms>.sql`): the declarative description of one DMS's XML format.

The file is YAML between two fixed jinja lines that let dbt read it as a macro at parse time;
the extractor reads the YAML between them (extract.macro_yaml). Everything a track may say is checked
here against the catalogue's field list (extract.catalogue), with the file, the line and the allowed
values in the message, before any feed of that DMS is read. See docs/track_files.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from extract.catalogue import STOCK_ID, Catalogue, load_catalogue
from extract.macro_yaml import MacroYamlError, read_macro_yaml

FEED_MODES = ("snapshot", "events")  # snapshot: a feed lists the whole stock; events: adds, updates, deletes
FEED_TIME_FORMATS = ("ISO", "YYYY-MM-DD", "DD-MM-YYYY HH:MM", "YYYY-MM-DD HH:MM:SS")
TOP_LEVEL_KEYS = (
    "dms", "root", "record_parent", "feed_time", "feed_mode", "deletes", "mappings", "parse", "vocabularies",
    "patterns", "values", "derive", "lists",
)  # fmt: skip
_LIST_ENTRY_KEYS = ("path", "fields", "variants", "items", "parent_fields")
DELETE_KEYS = ("root", "stock_id")  # the keys of `deletes:` (feed_mode: events)
_VARIANT_KEYS = ("path", "rank_by", "order", "fields")
_VALUE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_NUMBER_TOKEN = re.compile(r"^[0-9]+([.][0-9]+)?$")
_OPERATORS = ("+", "-", "*", "/", "(", ")")


class TrackError(ValueError):
    """A track file is not valid; the message names the file, the line and what is allowed."""


@dataclass(frozen=True)
class ColumnRule:
    """How one column (a catalogue field, or a named value for `derive`) is read from a record."""

    paths: tuple[tuple[str, ...], ...]  # first non-empty wins
    hint: str  # the parse hint (the field's kind's default when the track gives none)
    pattern: re.Pattern[str] | None = None  # the capture group of this expression is the value
    vocabulary: dict[str, str] | None = None  # upper-cased feed value -> catalogue value


@dataclass(frozen=True)
class ListEntry:
    name: str  # images | optionals
    path: tuple[str, ...]
    items: tuple[str, ...] | None = None  # the items inside each element of `path` (a repeated parent)

    @property
    def item_path(self) -> tuple[str, ...]:
        return self.path + (self.items or ())


@dataclass(frozen=True)
class DeleteRecords:
    """feed_mode: events: the element that ends an ad, and where its stock id is (first non-empty wins)."""

    root: str
    key_paths: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Track:
    dms: str  # upper case
    root: str
    record_parent: str | None
    mappings: dict[str, list[str]]  # xml path -> columns, in file order
    list_paths: frozenset[tuple[str, ...]] = field(default_factory=frozenset)  # always arrays in raw JSON
    feed_time: dict[str, str] | None = None
    path: Path | None = None
    feed_mode: str = "snapshot"  # one of FEED_MODES
    columns: dict[str, ColumnRule] = field(default_factory=dict)  # mapped catalogue fields and values
    lists: tuple[ListEntry, ...] = ()
    deletes: DeleteRecords | None = None  # feed_mode events only: the explicit delete records

    def key_paths(self) -> list[tuple[str, ...]]:
        """XML paths that give the stock id (external_source_id), first non-empty wins."""
        return [split_path(p) for p, cols in self.mappings.items() if STOCK_ID in cols]


def split_path(path: str) -> tuple[str, ...]:
    return tuple(part for part in str(path).strip("/").split("/") if part and part != ".")


class _Lines:
    """Line numbers of the keys of a track's YAML, for messages a person can act on."""

    def __init__(self, body: str, first_line: int, where: str) -> None:
        self.where = where
        self.first_line = first_line
        try:
            self.root = yaml.compose(body)
        except yaml.YAMLError:
            self.root = None

    def duplicate_key(self) -> TrackError | None:
        """A key written twice in one mapping: YAML keeps the last silently, so the first would be lost."""
        nodes = [self.root] if self.root is not None else []
        while nodes:
            node = nodes.pop()
            if isinstance(node, yaml.MappingNode):
                seen: set[str] = set()
                for key, value in node.value:
                    if key.value in seen:
                        where = f"{self.where} line {key.start_mark.line + self.first_line}"
                        return TrackError(f"{where}: {key.value!r} is written twice in the same mapping; merge them")
                    seen.add(key.value)
                    nodes.append(value)
            elif isinstance(node, yaml.SequenceNode):
                nodes.extend(node.value)
        return None

    def at(self, *keys: object) -> str:
        node, line = self.root, None
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                match = next(((k, v) for k, v in node.value if k.value == str(key)), None)
                if match is None:
                    break
                line, node = match[0].start_mark.line, match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line
            else:
                break
        return f"{self.where} line {line + self.first_line}" if line is not None else self.where

    def error(self, keys: Iterable[object], message: str) -> TrackError:
        keys = tuple(keys)
        label = ".".join(str(k) for k in keys)
        return TrackError(f"{self.at(*keys)}: {label}: {message}")


def _allowed(values: Iterable[str]) -> str:
    return ", ".join(values) or "none"


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _mapping_section(data: dict[str, Any], key: str, lines: _Lines) -> dict[str, Any]:
    section = data.get(key) or {}
    if not isinstance(section, dict):
        raise lines.error([key], "expected a mapping")
    return section


def _check_keys(value: Any, allowed: tuple[str, ...], keys: list[object], lines: _Lines) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise lines.error(keys, f"expected a mapping with keys {_allowed(allowed)}")
    for key in value:
        if key not in allowed:
            raise lines.error([*keys, key], f"unknown key; allowed: {_allowed(allowed)}")
    return value


def _lists(data: dict[str, Any], lines: _Lines) -> tuple[tuple[ListEntry, ...], set[tuple[str, ...]]]:
    list_fields = load_catalogue().lists
    entries: list[ListEntry] = []
    paths: set[tuple[str, ...]] = set()
    for name, spec in _mapping_section(data, "lists", lines).items():
        if name not in list_fields:
            raise lines.error(["lists", name], f"unknown list; allowed: {_allowed(list_fields)}")
        for index, entry in enumerate(_as_list(spec)):
            keys: list[object] = ["lists", name, index] if isinstance(spec, list) else ["lists", name]
            entry = _check_keys(entry, _LIST_ENTRY_KEYS, keys, lines)
            if "path" not in entry:
                raise lines.error(keys, "every list entry needs a 'path'")
            base = split_path(entry["path"])
            items = split_path(entry["items"]) if entry.get("items") else None
            variants = entry.get("variants")
            if variants is not None:
                variants = _check_keys(variants, _VARIANT_KEYS, [*keys, "variants"], lines)
            field_specs = {**(entry.get("fields") or {}), **((variants or {}).get("fields") or {})}
            for field_name in (*field_specs, *(entry.get("parent_fields") or {})):
                if field_name not in list_fields[name]:
                    raise lines.error(
                        [*keys, "fields", field_name], f"unknown {name} field; allowed: {_allowed(list_fields[name])}"
                    )
            if entry.get("parent_fields") and not items:
                raise lines.error([*keys, "parent_fields"], "needs 'items': the parent is the element of 'path'")
            paths.add(base)
            if items:
                paths.add(base + items)
            if variants:
                paths.add(base + (items or ()) + split_path(variants["path"]))
            entries.append(ListEntry(name, base, items))
    return tuple(entries), paths


def _expression_tokens(expression: Any, numeric_names: set[str], keys: list[object], lines: _Lines) -> list[str]:
    tokens = str(expression).split()
    if not tokens:
        raise lines.error(keys, "an empty expression")
    for position, token in enumerate(tokens):
        if token in _OPERATORS or _NUMBER_TOKEN.match(token) or token in numeric_names:
            if token == "/" and (position + 1 >= len(tokens) or not _NUMBER_TOKEN.match(tokens[position + 1])):
                raise lines.error(keys, "'/' must be followed by a number (no division by a value that may be 0)")
            continue
        raise lines.error(
            keys,
            f"{token!r} is not a number, an operator ({' '.join(_OPERATORS)}, separated by spaces) or a numeric "
            f"column or value; allowed names: {_allowed(sorted(numeric_names))}",
        )
    return tokens


def _deletes(data: dict[str, Any], feed_mode: str, lines: _Lines) -> DeleteRecords | None:
    """`deletes:`, the records that end an ad: required with feed_mode events, refused otherwise."""
    spec = data.get("deletes")
    shape = "deletes: {root: <tag of the delete record element>, stock_id: <path, or list of paths, relative to it>}"
    if feed_mode != "events":
        if spec is not None:
            raise lines.error(
                ["deletes"],
                "read only with feed_mode: events (in a snapshot feed, a vehicle missing from the next feed is "
                "removed); remove it, or add feed_mode: events",
            )
        return None
    if spec is None:
        raise lines.error(["feed_mode"], f"events needs the records that end an ad: {shape}")
    spec = _check_keys(spec, DELETE_KEYS, ["deletes"], lines)
    for key in DELETE_KEYS:
        if not spec.get(key):
            raise lines.error(["deletes", key], f"missing: {shape}")
    root = spec["root"]
    if not isinstance(root, str) or "/" in root or root == data.get("root"):
        raise lines.error(
            ["deletes", "root"], f"{root!r}; expected the tag of the delete record element, not the record's own tag"
        )
    paths = _as_list(spec["stock_id"])
    if not all(isinstance(p, str) and split_path(p) for p in paths):
        raise lines.error(
            ["deletes", "stock_id"],
            f"{spec['stock_id']!r}; expected a path relative to <{root}> (like '@key' or 'seller-inventory-key/@value')"
            " or a list of them, first non-empty wins",
        )
    return DeleteRecords(root=root, key_paths=tuple(split_path(p) for p in paths))


def parse_track(data: Any, where: str, path: Path | None = None, lines: _Lines | None = None) -> Track:
    """Check a track's YAML against the catalogue and build its Track; raises TrackError."""
    lines = lines or _Lines("", 1, where)
    catalogue: Catalogue = load_catalogue()
    if not isinstance(data, dict):
        raise TrackError(f"{where}: expected a mapping with 'root' and 'mappings'")
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise lines.error([key], f"unknown key; allowed: {_allowed(TOP_LEVEL_KEYS)}")
    for key in ("root", "mappings"):
        if key not in data:
            raise TrackError(f"{where}: '{key}' is missing")
    dms = str(data.get("dms") or (path.stem if path else "")).upper()
    if not dms:
        raise TrackError(f"{where}: 'dms' is missing")

    # named values (numbers for `derive`, not catalogue columns)
    values = _mapping_section(data, "values", lines)
    for name in values:
        if not _VALUE_NAME.match(str(name)) or name in catalogue.mappable_columns:
            raise lines.error(["values", name], "a value's name is lower case, and not a catalogue column")

    mappable = catalogue.mappable_columns
    mappings: dict[str, list[str]] = {}
    column_paths: dict[str, list[tuple[str, ...]]] = {}
    for xml_path, target in _mapping_section(data, "mappings", lines).items():
        columns = [str(c) for c in _as_list(target)]
        for column in columns:
            if column not in mappable:
                raise lines.error(
                    ["mappings", xml_path], f"targets {column!r}; catalogue columns: {_allowed(mappable)}"
                )
            column_paths.setdefault(column, []).append(split_path(xml_path))
        mappings[str(xml_path)] = columns
    if STOCK_ID not in column_paths:
        raise TrackError(f"{where}: no mapping gives {STOCK_ID} (the DMS's stock id; the VIN when it has none)")
    for name, value_paths in values.items():
        column_paths[name] = [split_path(p) for p in _as_list(value_paths)]

    parse = _mapping_section(data, "parse", lines)
    patterns = _mapping_section(data, "patterns", lines)
    vocabularies = _mapping_section(data, "vocabularies", lines)
    for section, entries in (("parse", parse), ("patterns", patterns), ("vocabularies", vocabularies)):
        for column in entries:
            if column not in column_paths:
                raise lines.error(
                    [section, column], f"no mapping or value gives {column!r}; mapped: {_allowed(column_paths)}"
                )

    columns: dict[str, ColumnRule] = {}
    for column, paths in column_paths.items():
        catalogue_field = catalogue.field(column)
        if catalogue_field is not None:
            hints = catalogue_field.hints
        else:  # the stock id is text; a named value is a number
            hints = ("text",) if column == STOCK_ID else ("number", "italian_number")
        hint = str(parse.get(column, hints[0] if hints else "text"))
        if column in parse and hint not in hints:
            raise lines.error(["parse", column], f"{hint!r} is not a hint for {column}; allowed: {_allowed(hints)}")
        pattern = None
        if column in patterns:
            try:
                pattern = re.compile(str(patterns[column]))
            except re.error as exc:
                raise lines.error(["patterns", column], f"not a regular expression: {exc}") from exc
            if pattern.groups != 1:
                raise lines.error(["patterns", column], f"needs exactly one capture group, has {pattern.groups}")
        vocabulary = None
        if catalogue_field is not None and catalogue_field.kind == "code":
            spec = vocabularies.get(column) or {}
            if not isinstance(spec, dict):
                raise lines.error(["vocabularies", column], "expected a mapping of feed values to catalogue values")
            for feed_value, target in spec.items():
                if target not in catalogue_field.vocabulary:
                    raise lines.error(
                        ["vocabularies", column, feed_value],
                        f"maps to {target!r}, not in the catalogue's {column} vocabulary: "
                        f"{_allowed(catalogue_field.vocabulary)}",
                    )
            vocabulary = {v: v for v in catalogue_field.vocabulary}
            vocabulary.update({str(k).upper(): str(t) for k, t in spec.items()})
        elif column in vocabularies:
            codes = [f.name for f in catalogue.fields if f.kind == "code"]
            raise lines.error(
                ["vocabularies", column], f"{column} has no vocabulary; fields with one: {_allowed(codes)}"
            )
        columns[column] = ColumnRule(tuple(paths), hint, pattern, vocabulary)

    numeric_names = {name for name, rule in columns.items() if name in values} | {
        f.name for f in catalogue.fields if f.numeric
    }
    for column, expression in _mapping_section(data, "derive", lines).items():
        catalogue_field = catalogue.field(str(column))
        if catalogue_field is None or not catalogue_field.numeric:
            numeric = [f.name for f in catalogue.fields if f.numeric]
            raise lines.error(["derive", column], f"only numeric fields are derived; allowed: {_allowed(numeric)}")
        _expression_tokens(expression, numeric_names, ["derive", column], lines)

    feed_mode = str(data.get("feed_mode") or "snapshot")
    if feed_mode not in FEED_MODES:
        raise lines.error(["feed_mode"], f"{feed_mode!r}; allowed: {_allowed(FEED_MODES)}")
    feed_time = data.get("feed_time")
    if feed_time is not None:
        feed_time = _check_keys(feed_time, ("path", "format", "timezone"), ["feed_time"], lines)
        if str(feed_time.get("format", "ISO")) not in FEED_TIME_FORMATS:
            raise lines.error(["feed_time", "format"], f"allowed: {_allowed(FEED_TIME_FORMATS)}")
        try:
            ZoneInfo(str(feed_time.get("timezone", "UTC")))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise lines.error(["feed_time", "timezone"], "not an IANA time zone (e.g. Europe/Rome)") from exc
    list_entries, list_paths = _lists(data, lines)
    return Track(
        dms=dms,
        root=str(data["root"]),
        record_parent=data.get("record_parent"),
        mappings=mappings,
        list_paths=frozenset(list_paths),
        feed_time=feed_time,
        path=path,
        feed_mode=feed_mode,
        columns=columns,
        lists=list_entries,
        deletes=_deletes(data, feed_mode, lines),
    )


def load_track(path: Path) -> Track:
    try:
        held = read_macro_yaml(path)
    except MacroYamlError as exc:
        raise TrackError(str(exc)) from exc
    if held.macro.lower() != f"track__{path.stem.lower()}":
        raise TrackError(f"{path}: the macro is {held.macro} but the file name says track__{path.stem.lower()}")
    try:
        data = yaml.safe_load(held.body)
    except yaml.YAMLError as exc:
        raise TrackError(f"{path}: not valid YAML: {exc}") from exc
    lines = _Lines(held.body, held.first_line, str(path))
    duplicate = lines.duplicate_key()
    if duplicate is not None:
        raise duplicate
    return parse_track(data, str(path), path, lines)


def tracks_folder() -> Path:
    from extract.embedded_warehouse import project_root

    return project_root() / "tracks"


@dataclass(frozen=True)
class Tracks:
    """The valid tracks by DMS (upper case), and why each invalid one was refused, by DMS."""

    valid: dict[str, Track]
    invalid: dict[str, str]


def load_tracks(folder: Path | None = None) -> Tracks:
    """Every track file of the folder; an invalid one is set aside with its reason, the others serve."""
    valid: dict[str, Track] = {}
    invalid: dict[str, str] = {}
    for path in sorted((folder or tracks_folder()).glob("*.sql")):
        try:
            track = load_track(path)
        except TrackError as exc:
            invalid[path.stem.upper()] = str(exc)
            continue
        if track.dms in valid:
            invalid[track.dms] = f"{path}: DMS {track.dms} already has a track file ({valid[track.dms].path})"
            continue
        valid[track.dms] = track
    return Tracks(valid, invalid)
