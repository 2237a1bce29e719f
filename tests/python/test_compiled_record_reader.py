"""The compiled record reader (extract/compiled_record_reader.pyx) builds exactly what the Python reader builds.

The Python RecordReader is the reference: these tests read every element of every bundled sample export, of
every fixture document and of a document made of XML's corner cases with both readers, under every track's
declared lists, as records and as delete records, with the extractor's parser and with one that keeps
comments and processing instructions, and compare the JSON the extractor would land, byte for byte.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from lxml import etree
from support import PROJECT_ROOT

from extract import xml_records
from extract.compressed_input import xml_streams
from extract.tracks import Track, load_track

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
TRACK_FILES = sorted((PROJECT_ROOT / "tracks").glob("*.sql")) + sorted(FIXTURES.glob("*/*.sql"))
REFUSED = {"malformed.xml", "doctype_bomb.xml"}  # the parser refuses them before any reader sees an element
DOCUMENTS = sorted(
    path
    for folder in (PROJECT_ROOT / "sample_data" / "vehicles", FIXTURES)
    for path in folder.rglob("*")
    if path.name.endswith((".xml", ".xml.zip", ".xml.gz")) and path.name not in REFUSED
)

# Each corner of the element model the readers share: namespaces (default, prefixed, undeclared), attributes
# (namespaced, xml:lang, entities), CDATA beside text, mixed content with tails, whitespace of every kind at
# the ends (tab, newline, NBSP, ideographic space, a space inside), empty and self-closing elements, repeated
# and declared-list children, multi-byte and astral characters, and comments and processing instructions
# where they split text.
CORNERS = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="urn:default" xmlns:ad="urn:ad" xmlns:x="urn:x">
  <Ad id="A1" ad:key="k&amp;1" xml:lang="it">
    <Title>  Fiat  Panda\t</Title>
    <Price currency="EUR"> 9.900 </Price>
    <Empty/><Blank>   </Blank><Attr only="yes"/>
    <Notes><![CDATA[ <b>bold</b> & co ]]> tail text <!-- a comment --> more</Notes>
    <Mixed>lead<b>one</b>tail one<b>two</b>tail two</Mixed>
    <ad:Images><ad:Image><x:url>http://a/1.jpg</x:url></ad:Image><ad:Image><x:url>http://a/2.jpg</x:url></ad:Image></ad:Images>
    <Single><Item>only one</Item></Single>
    <Optionals><Optional>ABS</Optional><Optional>ESP</Optional><Optional/></Optionals>
    <Nbsp>\u00a0non-breaking\u00a0</Nbsp><Ideo>\u3000wide\u3000</Ideo><Inner>a \u00a0 b</Inner>
    <Unicode>Citro\u00ebn \u00c9lys\u00e9e \U0001f697 \u65e5\u672c</Unicode>
    <Split>before<?pi data?>after</Split>
    <Text>text and <child>a child</child> after it</Text>
    <Nested a="1"><Deeper b="2">deep<Deepest>   </Deepest></Deeper>  </Nested>
    <Entities>&lt;&gt;&amp;&quot;&apos; &#233;&#x1F697;</Entities>
  </Ad>
  <Ad>plain text record</Ad>
  <Ad kind="attributes only"/>
  <Ad kind="both"> some text </Ad>
  <Ad/>
  <Delete id="A1"/>
</feed>
"""
CORNER_LISTS = frozenset({("Single", "Item"), ("Images", "Image"), ("Optionals", "Optional"), ("Nested", "Deeper")})


def document_bytes(path: Path) -> Iterator[bytes]:
    for _, stream in xml_streams(path, path.name):
        yield stream.read()


def parsed(document: bytes, keep_comments: bool) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, remove_comments=not keep_comments,
        remove_pis=not keep_comments,
    )  # fmt: skip
    return etree.fromstring(document, parser)


def assert_same_values(root: etree._Element, list_paths: frozenset[tuple[str, ...]], what: str) -> int:
    """Both readers on every element below `root`; the number of elements compared."""
    python = xml_records.RecordReader(list_paths)
    compiled = xml_records.CompiledRecordReader(xml_records.list_trie(list_paths) or None)
    compared = 0
    for element in root.iter(etree.Element):
        for is_delete in (False, True):
            expected = orjson.dumps(python.record(element, is_delete))
            assert orjson.dumps(compiled.record(element, is_delete)) == expected, (
                f"{what}: line {element.sourceline}, <{element.tag}>, is_delete={is_delete}"
            )
        compared += 1
    return compared


def landed(document: bytes, track: Track) -> list[bytes]:
    """iter_records' records (index, line, value, is_delete) as JSON."""
    return [orjson.dumps(record._asdict()) for record in xml_records.iter_records(io.BytesIO(document), "f", track)]


@pytest.fixture(autouse=True)
def compiled_reader_built(request: pytest.FixtureRequest) -> None:
    """Without the compiled reader only the test that says how to build it runs (and fails)."""
    if (
        xml_records.CompiledRecordReader is None
        and request.node.name != "test_the_extractor_reads_records_with_the_compiled_reader"
    ):
        pytest.skip(
            "the compiled record reader is not built: see test_the_extractor_reads_records_with_the_compiled_reader"
        )


@pytest.fixture(scope="module")
def tracks() -> list[Track]:
    return [load_track(path) for path in TRACK_FILES]


def test_the_extractor_reads_records_with_the_compiled_reader() -> None:
    assert xml_records.CompiledRecordReader is not None, (
        "extract/compiled_record_reader.pyx is not built: install a C compiler and Python's headers (Debian: "
        "apt-get install gcc python3-dev), then `make install`"
    )
    assert xml_records.RECORD_READER.startswith("compiled")


@pytest.mark.parametrize("keep_comments", [False, True], ids=["extractor's parser", "comments kept"])
def test_corner_cases_read_alike(keep_comments: bool, tracks: list[Track]) -> None:
    root = parsed(CORNERS.encode(), keep_comments)
    compared = 0
    for list_paths in [CORNER_LISTS, frozenset(), *(track.list_paths for track in tracks)]:
        compared += assert_same_values(root, list_paths, "corner cases")
    assert compared >= 35 * (len(tracks) + 2)  # every element of CORNERS under each set of lists


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: str(path.relative_to(PROJECT_ROOT)))
def test_every_sample_and_fixture_document_reads_alike(path: Path, tracks: list[Track]) -> None:
    for document in document_bytes(path):
        for keep_comments in (False, True):
            root = parsed(document, keep_comments)
            for track in tracks:
                assert assert_same_values(root, track.list_paths, str(path)) > 0


def test_records_read_alike_through_iter_records(tracks: list[Track], monkeypatch: pytest.MonkeyPatch) -> None:
    """The extractor's own path, records and delete records, with each reader chosen as the install would."""
    by_dms = {track.dms: track for track in tracks}
    samples = [path for path in DOCUMENTS if "sample_data" in path.parts]
    read = 0
    for path in samples:
        track = by_dms[path.parent.name.removeprefix("source=").upper()]
        for document in document_bytes(path):
            compiled = [
                orjson.dumps(record._asdict()) for record in xml_records.iter_records(io.BytesIO(document), "f", track)
            ]
            with monkeypatch.context() as patch:
                patch.setattr(xml_records, "CompiledRecordReader", None)
                python = [
                    orjson.dumps(record._asdict())
                    for record in xml_records.iter_records(io.BytesIO(document), "f", track)
                ]
            assert compiled == python, path
            read += len(compiled)
    assert read >= 10
