"""Stream the records of an XML document as JSON-ready dicts, with flat memory.

A record element becomes: child elements by local name (namespace prefixes dropped), attributes as
"@name", text as a plain string when the element has no attributes or children, else as "#text"
(CDATA is text). Repeated children become arrays; paths the track declares as lists always are.
DOCTYPE declarations are refused: no external entities, no entity expansion.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from lxml import etree

from extract.domain import RejectedFile
from extract.tracks import Track


@dataclass(frozen=True)
class XmlRecord:
    index: int  # 1-based, across the file's XML members
    line: int | None  # where the record element starts
    value: dict[str, Any]
    is_delete: bool = False  # feed_mode events: a delete record (the track's deletes.root), not an ad


_LOCAL_NAMES: dict[str, str] = {}
_ATTRIBUTE_KEYS: dict[str, str] = {}


def local_name(tag: str) -> str:
    """`{namespace}name` or `prefix:name` -> `name` (cached: a feed repeats a few dozen tags)."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1] if tag[:1] == "{" else tag.rsplit(":", 1)[-1]
        _LOCAL_NAMES[tag] = name
    return name


def _attribute_key(name: str) -> str:
    key = _ATTRIBUTE_KEYS.get(name)
    if key is None:
        key = _ATTRIBUTE_KEYS[name] = "@" + local_name(name)
    return key


class _ListPaths:
    """The track's list paths, and every prefix of them: below any other path no list can start."""

    def __init__(self, paths: frozenset[tuple[str, ...]]) -> None:
        self.paths = paths
        self.prefixes = {path[:size] for path in paths for size in range(len(path))}


def _leaf_value(items: list[tuple[str, str]], text: str | None) -> Any:
    text = text.strip() if text else ""
    if not items:
        return text
    value = {_attribute_key(k): v for k, v in items}
    if text:
        value["#text"] = text
    return value


def element_value(element: etree._Element, path: tuple[str, ...] | None, lists: _ListPaths) -> Any:
    """The JSON-ready value of an element; `path` is None where no declared list can be below.

    The hot loop of the extractor: leaves (most elements) are converted inline, without a call.
    """
    items = element.items()
    if not len(element):
        return _leaf_value(items, element.text)
    value: dict[str, Any] = {_attribute_key(k): v for k, v in items} if items else {}
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):  # a comment or processing instruction left by the parser
            continue
        name = local_name(tag)
        child_path = None if path is None else (*path, name)
        if len(child):
            below = child_path if child_path is not None and child_path in lists.prefixes else None
            child_value = element_value(child, below, lists)
        else:
            child_value = _leaf_value(child.items(), child.text)
        if name in value:  # a repetition, or a declared list already started
            existing = value[name]
            if isinstance(existing, list):
                existing.append(child_value)
            else:
                value[name] = [existing, child_value]
        elif child_path is not None and child_path in lists.paths:
            value[name] = [child_value]
        else:
            value[name] = child_value
    text = element.text
    text = text.strip() if text else ""
    if text:
        value["#text"] = text
    return value


def _refuse_doctype(element: etree._Element, what: str) -> None:
    info = element.getroottree().docinfo
    if info.internalDTD is not None or info.externalDTD is not None or info.system_url:
        raise RejectedFile(
            f"{what}: refused: the document declares a DOCTYPE; external entities and entity "
            "expansion are not allowed in feeds"
        )


def iter_records(stream: BinaryIO, what: str, track: Track, start_index: int = 1) -> Iterator[XmlRecord]:
    """Records of one XML document. Raises RejectedFile when the document is not well-formed.

    lxml reports only the end of elements named like the record (in any namespace), so the Python
    loop runs once per record, not once per element; records are cleared as soon as they are read.
    In feed_mode events, the track's delete records come too, in document order (is_delete).
    """
    index = start_index - 1
    lists = _ListPaths(track.list_paths)
    delete_tag = track.deletes.root if track.deletes is not None else None
    tags = (track.root,) if delete_tag is None else (track.root, delete_tag)
    parser = etree.iterparse(
        stream,
        events=("end",),
        tag=tuple(name for tag in tags for name in ("{*}" + tag, tag)),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    checked_doctype = False
    try:
        for _, element in parser:
            if not checked_doctype:
                _refuse_doctype(element, what)
                checked_doctype = True
            parent = element.getparent()
            is_delete = delete_tag is not None and local_name(element.tag) == delete_tag
            if (
                not is_delete
                and track.record_parent is not None
                and (parent is None or local_name(parent.tag) != track.record_parent)
            ):
                continue  # the record's tag reused inside a record (Multigestionale's images)
            index += 1
            yield XmlRecord(index, element.sourceline, element_value(element, () if not is_delete else None, lists),
                            is_delete)  # fmt: skip
            element.clear(keep_tail=False)
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
        if not checked_doctype and parser.root is not None:
            _refuse_doctype(parser.root, what)
    except etree.XMLSyntaxError as exc:
        raise RejectedFile(f"{what}: not well-formed XML: {exc}") from exc


_TIME_FORMATS = {
    "YYYY-MM-DD": "%Y-%m-%d",
    "DD-MM-YYYY HH:MM": "%d-%m-%Y %H:%M",
    "YYYY-MM-DD HH:MM:SS": "%Y-%m-%d %H:%M:%S",
}


def parse_feed_time(text: str, time_format: str, timezone: str, what: str) -> datetime:
    """A feed time written in the XML; ISO 8601 unless the track names one of _TIME_FORMATS."""
    try:
        if time_format == "ISO":
            value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        else:
            value = datetime.strptime(text.strip(), _TIME_FORMATS[time_format])
    except (KeyError, ValueError) as exc:
        raise RejectedFile(f"{what}: feed time {text!r} does not read as {time_format}") from exc
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(timezone))


def find_feed_time(stream: BinaryIO, what: str, track: Track) -> datetime | None:
    """The feed time the track names (a path from the document root, e.g. `listings/@generated`),
    read from the part of the document before the first record; None when it is not there."""
    spec = track.feed_time or {}
    path = tuple(part for part in str(spec.get("path", "")).strip("/").split("/") if part)
    if not path:
        return None
    attribute = path[-1][1:] if path[-1].startswith("@") else None
    element_path = path[:-1] if attribute else path
    stack: list[str] = []
    parser = etree.iterparse(stream, events=("start", "end"), resolve_entities=False, load_dtd=False, no_network=True)
    try:
        for event, element in parser:
            name = local_name(element.tag)
            if event == "start":
                stack.append(name)
                if name == track.root or (track.deletes is not None and name == track.deletes.root):
                    return None
                if attribute and tuple(stack) == element_path:
                    value = next((v for k, v in element.attrib.items() if local_name(k) == attribute), None)
                    if value:
                        return parse_feed_time(value, spec.get("format", "ISO"), spec.get("timezone", "UTC"), what)
            else:
                if not attribute and tuple(stack) == element_path and (element.text or "").strip():
                    return parse_feed_time(element.text, spec.get("format", "ISO"), spec.get("timezone", "UTC"), what)
                stack.pop()
    except etree.XMLSyntaxError as exc:
        raise RejectedFile(f"{what}: not well-formed XML: {exc}") from exc
    return None
