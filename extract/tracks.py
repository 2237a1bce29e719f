"""Track files (`tracks/<dms>.sql`): the declarative description of one DMS's XML format.

The file is YAML between two fixed jinja lines that let dbt read it as a macro at parse time;
the extractor reads the YAML between them. See docs/track_files.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

COLUMNS = (
    "external_source_id", "dealer_code", "vin", "make", "model", "version", "list_price",
    "promotional_price", "registration_date", "mileage", "fuel", "gearbox", "color",
    "make_code", "model_code", "version_code",
)  # fmt: skip
PARSE_HINTS = ("text", "number", "italian_number", "YYYY-MM-DD", "YYYY-MM", "MM/YYYY", "DD-MM-YYYY HH:MM")
LIST_NAMES = ("images", "optionals")
_OPENING = re.compile(r"^\{%\s*macro\s+track__(\w+)\(\)\s*%\}\{%\s*set\s+track\s*%\}\s*$")
_CLOSING = re.compile(r"^\{%\s*endset\s*%\}\{\{\s*return\(fromyaml\(track\)\)\s*\}\}\{%\s*endmacro\s*%\}\s*$")


class TrackError(ValueError):
    """A track file is not valid; the message names the file and the key."""


@dataclass(frozen=True)
class Track:
    dms: str  # upper case
    root: str
    record_parent: str | None
    mappings: dict[str, list[str]]  # xml path -> columns, in file order
    list_paths: frozenset[tuple[str, ...]] = field(default_factory=frozenset)  # always arrays in raw JSON
    feed_time: dict[str, str] | None = None
    path: Path | None = None

    def key_paths(self) -> list[tuple[str, ...]]:
        """XML paths that give the stock id (external_source_id), first non-empty wins."""
        return [split_path(p) for p, cols in self.mappings.items() if "external_source_id" in cols]


def split_path(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.strip("/").split("/") if part and part != ".")


def read_yaml_body(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    if len(lines) < 3 or not _OPENING.match(lines[0]) or not _CLOSING.match(lines[-1]):
        raise TrackError(
            f"{path}: a track file is YAML between the lines "
            "'{% macro track__<dms>() %}{% set track %}' and "
            "'{% endset %}{{ return(fromyaml(track)) }}{% endmacro %}' (see docs/track_files.md)"
        )
    macro_dms = _OPENING.match(lines[0]).group(1)  # type: ignore[union-attr]
    if path.stem.lower() != macro_dms.lower():
        raise TrackError(f"{path}: the macro is track__{macro_dms} but the file name says {path.stem}")
    return "\n".join(lines[1:-1])


def _list_paths(spec: dict[str, Any], where: str) -> set[tuple[str, ...]]:
    paths: set[tuple[str, ...]] = set()
    for name, entries in (spec or {}).items():
        if name not in LIST_NAMES:
            raise TrackError(f"{where}: lists.{name} is unknown; expected {', '.join(LIST_NAMES)}")
        for entry in entries if isinstance(entries, list) else [entries]:
            if not isinstance(entry, dict) or "path" not in entry:
                raise TrackError(f"{where}: every lists.{name} entry needs a 'path'")
            base = split_path(entry["path"])
            paths.add(base)
            variants = entry.get("variants")
            if variants:
                paths.add(base + split_path(variants["path"]))
    return paths


def parse_track(data: Any, where: str, path: Path | None = None) -> Track:
    if not isinstance(data, dict):
        raise TrackError(f"{where}: expected a mapping with 'root' and 'mappings'")
    for key in ("root", "mappings"):
        if key not in data:
            raise TrackError(f"{where}: '{key}' is missing")
    dms = str(data.get("dms") or (path.stem if path else "")).upper()
    if not dms:
        raise TrackError(f"{where}: 'dms' is missing")
    mappings: dict[str, list[str]] = {}
    for xml_path, target in data["mappings"].items():
        columns = [target] if isinstance(target, str) else list(target)
        unknown = [c for c in columns if c not in COLUMNS]
        if unknown:
            raise TrackError(f"{where}: mappings.{xml_path} targets {unknown}; known columns: {', '.join(COLUMNS)}")
        mappings[str(xml_path)] = columns
    if not any("external_source_id" in cols for cols in mappings.values()):
        raise TrackError(f"{where}: no mapping gives external_source_id (the DMS's stock id)")
    for column, hint in (data.get("parse") or {}).items():
        if column not in COLUMNS or hint not in PARSE_HINTS:
            raise TrackError(f"{where}: parse.{column}: {hint!r}; hints are {', '.join(PARSE_HINTS)}")
    return Track(
        dms=dms,
        root=str(data["root"]),
        record_parent=data.get("record_parent"),
        mappings=mappings,
        list_paths=frozenset(_list_paths(data.get("lists") or {}, where)),
        feed_time=data.get("feed_time"),
        path=path,
    )


def load_track(path: Path) -> Track:
    try:
        data = yaml.safe_load(read_yaml_body(path))
    except yaml.YAMLError as exc:
        raise TrackError(f"{path}: not valid YAML: {exc}") from exc
    return parse_track(data, str(path), path)


def tracks_folder() -> Path:
    from extract.embedded_warehouse import project_root

    return project_root() / "tracks"


def load_tracks(folder: Path | None = None) -> dict[str, Track]:
    """Every track in the folder, by DMS name in upper case."""
    found: dict[str, Track] = {}
    for path in sorted((folder or tracks_folder()).glob("*.sql")):
        track = load_track(path)
        if track.dms in found:
            raise TrackError(f"{path}: DMS {track.dms} already has a track file ({found[track.dms].path})")
        found[track.dms] = track
    return found
