"""The text a track's path addresses in a landed record (the JSON-ready dict of extract.xml_records),
read as dbt reads it: the first element of a repeated element, an element's "#text", trimmed."""

from __future__ import annotations

from typing import Any


def text_at(value: Any, path: tuple[str, ...]) -> str:
    """The text at `path` of a record value ('' when absent); the first element of a repeated one."""
    for part in path:
        if value.__class__ is not dict:  # (the common case, a plain dict, skips both checks)
            if isinstance(value, list):
                value = value[0] if value else None
            if not isinstance(value, dict):
                return ""
        value = value.get(part)
    if value.__class__ is str:
        return value.strip()
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("#text", "")
    return value.strip() if isinstance(value, str) else ""


def first_text(value: Any, paths: list[tuple[str, ...]] | tuple[tuple[str, ...], ...]) -> str:
    """The first non-empty text of `paths`, in order (a track's "several XML fields to one column")."""
    for path in paths:
        text = text_at(value, path)
        if text:
            return text
    return ""
