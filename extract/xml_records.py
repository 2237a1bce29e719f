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


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag[:1] == "{" else tag.rsplit(":", 1)[-1]


def element_value(element: etree._Element, path: tuple[str, ...], list_paths: frozenset[tuple[str, ...]]) -> Any:
    attributes = element.attrib
    children = [child for child in element if isinstance(child.tag, str)]
    text = (element.text or "").strip()
    if not children and not attributes:
        return text
    value: dict[str, Any] = {f"@{local_name(k)}": v for k, v in attributes.items()}
    for child in children:
        name = local_name(child.tag)
        child_path = (*path, name)
        child_value = element_value(child, child_path, list_paths)
        if name in value:  # element_value never returns a list: a list here is a repetition or a list path
            existing = value[name]
            if isinstance(existing, list):
                existing.append(child_value)
            else:
                value[name] = [existing, child_value]
        elif child_path in list_paths:
            value[name] = [child_value]
        else:
            value[name] = child_value
    if text:
        value["#text"] = text
    return value


def iter_records(stream: BinaryIO, what: str, track: Track, start_index: int = 1) -> Iterator[XmlRecord]:
    """Records of one XML document. Raises RejectedFile when the document is not well-formed."""
    index = start_index - 1
    checked_doctype = False
    parser = etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        for event, element in parser:
            if not checked_doctype:
                checked_doctype = True
                info = element.getroottree().docinfo
                if info.internalDTD is not None or info.externalDTD is not None or info.system_url:
                    raise RejectedFile(
                        f"{what}: refused: the document declares a DOCTYPE; external entities and entity "
                        "expansion are not allowed in feeds"
                    )
            if event != "end" or local_name(element.tag) != track.root:
                continue
            parent = element.getparent()
            if track.record_parent is not None and (parent is None or local_name(parent.tag) != track.record_parent):
                continue
            index += 1
            yield XmlRecord(index, element.sourceline, element_value(element, (), track.list_paths))
            element.clear(keep_tail=False)
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
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
                if name == track.root:
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
