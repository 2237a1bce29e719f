"""XML text for the writers: escaping, CDATA, lists, and the indented layout of sample data.

A writer's values are text or numbers. With `escape=True` (the default) a writer escapes them (`&`,
`<`, `>` and `"`) before writing, except `Markup`, which is XML already: `cdata(text)` is how a value
asks to be a CDATA section. The benchmark writes with `escape=False`: its catalogue is XML-safe by
construction, and a million records should not pay for escaping they never need.

Writers write a record on one line; `indented` lays a whole document out one element per line for
people to read (the bundled sample data).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape as _escape

_QUOTE = {'"': "&quot;"}  # values land in attributes too
_NOTHING: frozenset[str] = frozenset()


class Markup(str):
    """Text that is XML already (a CDATA section): written as it is, never escaped."""

    __slots__ = ()


def cdata(text: object) -> Markup:
    """`text` as a CDATA section (its `<`, `>` and `&` stay as they are)."""
    return Markup(f"<![CDATA[{text}]]>")


def xml_value(value: Any) -> Any:
    """A value made XML text: strings escaped, numbers as strings; lists, tuples and dicts item by item.

    None and booleans stay as they are: they are the writer's to read (an empty element, a flag)."""
    if value is None or isinstance(value, Markup | bool):
        return value
    if isinstance(value, str):
        return _escape(value, _QUOTE)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping):
        return {key: xml_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(xml_value(item) for item in value)
    raise TypeError(f"cannot write {value!r} as XML text")


def xml_values(values: Mapping[str, Any], cdata_keys: frozenset[str] = _NOTHING) -> dict[str, Any]:
    """`values` made XML text, but for `cdata_keys`: the writer wraps those in CDATA itself, as they are."""
    return {key: value if key in cdata_keys else xml_value(value) for key, value in values.items()}


def wrapped(start: str, items: Sequence[str], end: str) -> str:
    """Each item between `start` and `end`: wrapped("<a>", ["x", "y"], "</a>") is <a>x</a><a>y</a>."""
    return f"{start}{f'{end}{start}'.join(items)}{end}" if items else ""


# --- the indented layout ---------------------------------------------------------------------------
_TOKEN = re.compile(r"<!\[CDATA\[.*?\]\]>|<[?!].*?>|<[^>]*>|[^<]+", re.DOTALL)


def _is_tag(token: str) -> bool:
    return token.startswith("<") and not token.startswith("<![CDATA[")


def _tag_name(token: str) -> str:
    return token.strip("</>").split(None, 1)[0]


def indented(document: str, one_line: Collection[str] = _NOTHING) -> str:
    """`document` one element per line, two spaces a level deeper than its parent.

    An element holding only text (or nothing, `<a/>`) stays on one line, and so does an element named in
    `one_line` with everything in it; `<a></a>` is an empty list, its end tag on the next line. Text
    between elements that is only white space (the line breaks of one-line records) is dropped.
    """
    tokens = [token for token in _TOKEN.findall(document) if not token.isspace()]
    lines: list[str] = []
    depth = i = 0
    while i < len(tokens):
        token, pad = tokens[i], "  " * depth
        i += 1
        if token.startswith(("<?", "<!")) and not token.startswith("<![CDATA["):
            lines.append(pad + token)
        elif token.startswith("</"):
            depth -= 1
            lines.append("  " * depth + token)
        elif not _is_tag(token):
            raise ValueError(f"text outside a leaf element: {token[:40]!r}")
        elif token.endswith("/>"):
            lines.append(pad + token)
        elif _tag_name(token) in one_line:  # the element and everything in it, up to its end tag
            start, level = i - 1, 1
            while level:
                inner = tokens[i]
                if _is_tag(inner) and not inner.endswith("/>"):
                    level += -1 if inner.startswith("</") else 1
                i += 1
            lines.append(pad + "".join(tokens[start:i]))
        else:
            text_end = i
            while text_end < len(tokens) and not _is_tag(tokens[text_end]):
                text_end += 1
            if i < text_end < len(tokens) and tokens[text_end].startswith("</"):  # a leaf: its text and its end tag
                lines.append(pad + "".join(tokens[i - 1 : text_end + 1]))
                i = text_end + 1
            else:
                lines.append(pad + token)
                depth += 1
    return "\n".join(lines) + "\n"
