# cython: language_level=3, boundscheck=False, wraparound=False
"""extract.xml_records.RecordReader compiled: the same values, read from libxml2's nodes in C.

The hot loop of the extractor (issue 14: about 2 us per element in Python, four to five times less
here). It walks the nodes lxml has already parsed, through lxml's public C API, and builds exactly
what the Python reader builds, which stays the reference: tests/python/test_compiled_record_reader.py
compares the two on every element of every format's documents and of documents made of XML's corner
cases. What lxml's Python API does, in the terms the Python reader uses it:
- `len(element)` and `for child in element` see element, comment, entity reference and processing
  instruction nodes; only elements have a name, the others are skipped (the parser drops comments and
  processing instructions before they get here);
- `.text` joins the text and CDATA nodes before the first other child (lxml's `_collectText`);
- `.items()` lists attributes in document order, their values the join of their text nodes;
- a name is the part after the last ':' (what `local_name` keeps of `{namespace}name` or `prefix:name`).

Built by `make install` when a C compiler is there (setup.py, optional); without one the extractor uses
the Python reader, about twice as slow per record, and says so (`xml_records.RECORD_READER`).
"""

from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.string cimport strlen, strrchr
from lxml.includes cimport tree
cimport lxml.includes.etreepublic as cetree

cetree.import_lxml__etree()

cdef object _MISSING = object()


cdef inline bint _counts_as_child(tree.xmlNode* node) noexcept:
    """What lxml's len() and iteration count: elements, comments, entity references, processing instructions."""
    return (node.type == tree.XML_ELEMENT_NODE or node.type == tree.XML_COMMENT_NODE
            or node.type == tree.XML_ENTITY_REF_NODE or node.type == tree.XML_PI_NODE)


cdef inline bint _has_children(tree.xmlNode* node) noexcept:
    cdef tree.xmlNode* child = node.children
    while child != NULL:
        if _counts_as_child(child):
            return True
        child = child.next
    return False


cdef inline bint _is_text(tree.xmlNode* node) noexcept:
    return node.type == tree.XML_TEXT_NODE or node.type == tree.XML_CDATA_SECTION_NODE


cdef inline str _utf8(const char* text, Py_ssize_t size):
    return PyUnicode_DecodeUTF8(text, size, NULL)


cdef str _local_name(const char* name):
    cdef const char* colon = strrchr(name, 58)  # ':'
    if colon != NULL:
        name = colon + 1
    return _utf8(name, strlen(name))


cdef object _joined_text(tree.xmlNode* node):
    """lxml's `.text` of the element whose first child is `node`: None when it has no leading text."""
    cdef list parts = []
    while node != NULL and (_is_text(node) or node.type == tree.XML_XINCLUDE_START
                            or node.type == tree.XML_XINCLUDE_END):
        if _is_text(node) and node.content != NULL:
            parts.append(_utf8(<const char*>node.content, strlen(<const char*>node.content)))
        node = node.next
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else "".join(parts)


cdef inline bint _ascii_space(unsigned char c) noexcept:
    """The ASCII characters str.isspace() is true of."""
    return c == 32 or 9 <= c <= 13 or 28 <= c <= 31


cdef str _stripped_text(tree.xmlNode* first):
    """`text.strip() if text else ""` of the text starting at `first`. One text node, the usual case, is
    trimmed of ASCII whitespace before it is decoded; str.strip() still runs when an end is not ASCII."""
    cdef const unsigned char* text
    cdef Py_ssize_t start = 0, end
    if first != NULL and first.next == NULL and _is_text(first) and first.content != NULL:
        text = <const unsigned char*>first.content
        end = strlen(<const char*>text)
        while start < end and _ascii_space(text[start]):
            start += 1
        while end > start and _ascii_space(text[end - 1]):
            end -= 1
        value = _utf8(<const char*>text + start, end - start)
        if end > start and (text[start] >= 0x80 or text[end - 1] >= 0x80):
            return value.strip()
        return value
    joined = _joined_text(first)
    return joined.strip() if joined else ""


cdef str _attribute_value(tree.xmlAttr* attribute):
    cdef tree.xmlNode* node = attribute.children
    cdef list parts = []
    while node != NULL:
        if node.content != NULL:
            parts.append(_utf8(<const char*>node.content, strlen(<const char*>node.content)))
        node = node.next
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else "".join(parts)


cdef dict _attributes(tree.xmlNode* node):
    cdef tree.xmlAttr* attribute = node.properties
    cdef dict value = {}
    while attribute != NULL:
        value["@" + _local_name(<const char*>attribute.name)] = _attribute_value(attribute)
        attribute = attribute.next
    return value


cdef dict _element(tree.xmlNode* node, dict lists):
    cdef dict value = _attributes(node) if node.properties != NULL else {}
    cdef tree.xmlNode* child = node.children
    cdef object entry, child_value, existing, text
    cdef str name
    while child != NULL:
        if child.type != tree.XML_ELEMENT_NODE:  # text is read below; the rest has no name
            child = child.next
            continue
        name = _local_name(<const char*>child.name)
        entry = lists.get(name) if lists is not None else None
        if _has_children(child):
            child_value = _element(child, entry[1] if entry is not None else None)
        else:
            text = _stripped_text(child.children)
            if child.properties != NULL:
                child_value = _attributes(child)
                if text:
                    child_value["#text"] = text
            else:
                child_value = text
        existing = value.get(name, _MISSING)
        if existing is _MISSING:  # the first of its name: an array when the track declares a list here
            value[name] = [child_value] if entry is not None and entry[0] else child_value
        elif type(existing) is list:  # a repetition, or a declared list already started
            (<list>existing).append(child_value)
        else:
            value[name] = [existing, child_value]
        child = child.next
    text = _joined_text(node.children)
    if text:
        text = text.strip()
        if text:
            value["#text"] = text
    return value


cdef class CompiledRecordReader:
    """RecordReader's interface: `CompiledRecordReader(lists).record(element, is_delete)`, where `lists`
    is the track's list paths as extract.xml_records.list_trie makes them (None when it declares none)."""

    cdef dict lists

    def __init__(self, lists):
        self.lists = lists

    def record(self, cetree._Element element not None, bint is_delete=False):
        """The value of a record element; declared lists apply to records, not to delete records."""
        cdef tree.xmlNode* node = element._c_node
        if _has_children(node):
            return _element(node, None if is_delete else self.lists)
        text = _stripped_text(node.children)
        if node.properties == NULL:
            return text
        value = _attributes(node)
        if text:
            value["#text"] = text
        return value
