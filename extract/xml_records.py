"""Stream the records of an XML document as JSON-ready dicts, with flat memory.

A record element becomes: child elements by local name (namespace prefixes dropped), attributes as
"@name", text as a plain string when the element has no attributes or children, else as "#text"
(CDATA is text). Repeated children become arrays; paths the track declares as lists always are.
DOCTYPE declarations are refused: no external entities, no entity expansion. What the parser reads is
checked on the way in (extract.xml_guard: empty documents, DOCTYPEs, lying encodings, runaway records),
and a document that is not well-formed is refused naming its line, column and the records before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO, NamedTuple
from zoneinfo import ZoneInfo

from lxml import etree

from extract.domain import MAX_RECORD_BYTES, RejectedFile
from extract.tracks import Track
from extract.xml_guard import GuardedXml

# libxml2's longest text node without huge_tree (XML_MAX_TEXT_LENGTH); huge_tree stays off.
PARSER_TEXT_LIMIT = 10_000_000


class XmlRecord(NamedTuple):
    index: int  # 1-based, across the file's XML members
    line: int | None  # where the record element starts
    value: Any  # a dict; a string when the record element has neither attributes nor children
    is_delete: bool = False  # feed_mode events: a delete record (the track's deletes.root), not an ad


_LOCAL_NAMES: dict[str, str] = {}


def local_name(tag: str) -> str:
    """`{namespace}name` or `prefix:name` -> `name` (cached: a feed repeats a few dozen tags)."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1] if tag[:1] == "{" else tag.rsplit(":", 1)[-1]
        _LOCAL_NAMES[tag] = name
    return name


# A node of the track's list paths: child name -> (that path is a declared list, the node below it or None).
# A name missing from a node has no declared list at or below it: that subtree is read without paths.
ListNode = dict[str, tuple[bool, "ListNode | None"]]


def list_trie(paths: frozenset[tuple[str, ...]]) -> ListNode:
    """The track's list paths as a trie (ListNode)."""
    root: dict[str, list[Any]] = {}
    for path in paths:
        node = root
        for position, name in enumerate(path, 1):
            entry = node.setdefault(name, [False, None])
            if position == len(path):
                entry[0] = True
            else:
                if entry[1] is None:
                    entry[1] = {}
                node = entry[1]

    def frozen(node: dict[str, list[Any]]) -> ListNode:
        return {name: (is_list, None if below is None else frozen(below)) for name, (is_list, below) in node.items()}

    return frozen(root)


_NOT_AN_ELEMENT = ""  # the cached "name" of a comment's, processing instruction's or entity's tag
_MISSING = object()


class RecordReader:
    """Turns a record element into its JSON-ready value (see the module's docstring).

    The reference reader: extract/compiled_record_reader.pyx builds the same values in C, four to five
    times faster, and tests/python/test_compiled_record_reader.py holds the two to the same bytes. This
    one runs where that is not built (record_reader). One pass over each element's children through
    lxml, names and attribute keys cached per tag, leaves read inline, and the track's list paths
    followed as a trie only below the names that lead to a declared list."""

    def __init__(self, list_paths: frozenset[tuple[str, ...]]) -> None:
        self.lists: ListNode | None = list_trie(list_paths) or None
        self._names: dict[object, str] = {}
        self._attribute_keys: dict[str, str] = {}

    def _name(self, tag: object) -> str:
        name = local_name(tag) if isinstance(tag, str) else _NOT_AN_ELEMENT
        self._names[tag] = name
        return name

    def _attributes(self, items: list[tuple[str, str]]) -> dict[str, Any]:
        keys = self._attribute_keys
        value: dict[str, Any] = {}
        for name, text in items:
            key = keys.get(name)
            if key is None:
                key = keys[name] = "@" + local_name(name)
            value[key] = text
        return value

    def record(self, element: etree._Element, is_delete: bool = False) -> Any:
        """The value of a record element; declared lists apply to records, not to delete records."""
        if len(element):
            return self._element(element, None if is_delete else self.lists)
        items = element.items()
        text = element.text
        text = text.strip() if text else ""
        if not items:
            return text
        value = self._attributes(items)
        if text:
            value["#text"] = text
        return value

    def _element(self, element: etree._Element, lists: ListNode | None) -> dict[str, Any]:
        names, attributes, element_value = self._names, self._attributes, self._element
        items = element.items()
        value: dict[str, Any] = attributes(items) if items else {}
        for child in element:
            tag = child.tag
            name = names.get(tag)
            if name is None:
                name = self._name(tag)
            if not name:  # a comment or processing instruction left by the parser
                continue
            entry = lists.get(name) if lists is not None else None
            if len(child):
                child_value: Any = element_value(child, entry[1] if entry is not None else None)
            else:
                child_items = child.items()
                text = child.text
                if child_items:
                    child_value = attributes(child_items)
                    if text:
                        text = text.strip()
                        if text:
                            child_value["#text"] = text
                else:
                    child_value = text.strip() if text else ""
            existing = value.get(name, _MISSING)
            if existing is _MISSING:  # the first of its name: an array when the track declares a list here
                value[name] = [child_value] if entry is not None and entry[0] else child_value
            elif type(existing) is list:  # a repetition, or a declared list already started
                existing.append(child_value)
            else:
                value[name] = [existing, child_value]
        text = element.text
        if text:
            text = text.strip()
            if text:
                value["#text"] = text
        return value


try:  # RecordReader compiled (extract/compiled_record_reader.pyx), built by the install when a C compiler is there
    from extract.compiled_record_reader import CompiledRecordReader
except ImportError:  # no compiler at install time: the Python reader, the same values about twice as slowly a record
    CompiledRecordReader = None

# Which reader iter_records uses, as the benchmark report gives it.
RECORD_READER = (
    "compiled (extract/compiled_record_reader.pyx)"
    if CompiledRecordReader is not None
    else "Python: the compiled reader is not built (no C compiler or Python headers at install time)"
)


def record_reader(list_paths: frozenset[tuple[str, ...]]) -> Any:
    """The reader of one document's records: the compiled one when it is built, else RecordReader."""
    if CompiledRecordReader is None:
        return RecordReader(list_paths)
    return CompiledRecordReader(list_trie(list_paths) or None)


def not_well_formed(
    exc: etree.XMLSyntaxError, what: str, last_index: int, records: int, encoding: str | None
) -> RejectedFile:
    """A parser error in words a person can act on: the file, line and column, and the records of the document
    read before it (`records`, the last one numbered `last_index` in the file)."""
    message = " ".join(str(exc.msg or exc).split())
    line, column = exc.position
    found = re.search(r", line (\d+), column (\d+)$", message)
    if found:
        message = message[: found.start()].rstrip()
        line, column = int(found.group(1)), int(found.group(2))
    before = f"{records:,} record{'' if records == 1 else 's'} read before it, none of the file is loaded"
    if "Text node too long" in message:
        return RejectedFile(
            f"{what}: line {line:,}: a text node longer than {PARSER_TEXT_LIMIT:,} bytes, the XML parser's limit "
            f"(a record's JSON may have at most {MAX_RECORD_BYTES:,} bytes): record {last_index + 1} cannot be read, "
            f"so the file is refused; {before}"
        )
    if "Invalid bytes in character encoding" in message:
        named = f"{encoding!r}, as the document declares" if encoding else "UTF-8, XML's default: it declares none"
        message += f" (the bytes are not {named})"
    return RejectedFile(f"{what}: not well-formed XML at line {line:,}, column {column:,}: {message}; {before}")


def _refuse_doctype(element: etree._Element, what: str) -> None:
    tree = element.getroottree()
    info = tree.docinfo
    if info.internalDTD is not None or info.externalDTD is not None or info.system_url:
        root = tree.getroot()
        raise RejectedFile(
            f"{what}: refused: the document declares a DOCTYPE (before its element <{local_name(root.tag)}> at "
            f"line {root.sourceline}); external entities and entity expansion are not allowed in feeds"
        )


def iter_records(stream: BinaryIO, what: str, track: Track, start_index: int = 1) -> Iterator[XmlRecord]:
    """Records of one XML document. Raises RejectedFile when the document is not well-formed.

    lxml reports only the end of elements named like the record (in any namespace), so the Python
    loop runs once per record, not once per element; records are cleared as soon as they are read.
    In feed_mode events, the track's delete records come too, in document order (is_delete).
    """
    index = start_index - 1
    guarded = GuardedXml(stream, what, track.root, start_index)
    reader = record_reader(track.list_paths)
    record_parent = track.record_parent
    delete_tag = track.deletes.root if track.deletes is not None else None
    tags = (track.root,) if delete_tag is None else (track.root, delete_tag)
    parser = etree.iterparse(
        guarded,
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
                and record_parent is not None
                and (parent is None or local_name(parent.tag) != record_parent)
            ):
                continue  # the record's tag reused inside a record (Multigestionale's images)
            index += 1
            line = element.sourceline
            guarded.record_read(index, line)
            yield XmlRecord(index, line, reader.record(element, is_delete), is_delete)
            element.clear(keep_tail=False)
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
        if not checked_doctype and parser.root is not None:
            _refuse_doctype(parser.root, what)
    except etree.XMLSyntaxError as exc:
        raise not_well_formed(exc, what, index, index - start_index + 1, guarded.encoding) from exc


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
    guarded = GuardedXml(stream, what, track.root)
    parser = etree.iterparse(guarded, events=("start", "end"), resolve_entities=False, load_dtd=False, no_network=True)
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
        raise not_well_formed(exc, what, 0, 0, guarded.encoding) from exc
    return None
