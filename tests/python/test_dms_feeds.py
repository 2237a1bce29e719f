"""The one writer of each DMS format (dms_feeds/): VIN check digits, escaping, layouts, and the writers
agreeing with the track files that read their formats. No warehouse needed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from lxml import etree
from support import PROJECT_ROOT

from dms_feeds import FORMATS, dms_a, gestionaleauto, mobilede, multigestionale, vin
from dms_feeds.export import StreamedExport, write_export
from dms_feeds.xml_text import cdata
from extract.compressed_input import xml_streams
from extract.tracks import Track, load_tracks

SAMPLES = PROJECT_ROOT / "sample_data" / "vehicles"


@pytest.fixture(scope="module")
def tracks() -> dict[str, Track]:
    return load_tracks().valid


@pytest.fixture(scope="module")
def samples():
    """sample_data/make_vehicle_samples.py, the script, as a module."""
    spec = importlib.util.spec_from_file_location("make_vehicle_samples", SAMPLES.parent / "make_vehicle_samples.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def tree(xml: str | bytes) -> list:
    """An element tree as nested lists of (tag, attributes, text), white space between elements ignored."""
    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)

    def node(element: etree._Element) -> list:
        return [element.tag, dict(element.attrib), (element.text or "").strip(), [node(child) for child in element]]

    return node(root)


def read_back(path: Path) -> bytes:
    """The XML of an export file, as the extractor reads it (through zip or gzip)."""
    chunks = []
    for _, stream in xml_streams(path, path.as_posix()):
        while chunk := stream.read(1 << 16):
            chunks.append(chunk)
    return b"".join(chunks)


def test_check_digit_of_a_known_vin() -> None:
    assert vin.check_digit("1M8GDM9AXKP042788") == "X"  # the worked example of 49 CFR 565
    assert vin.from_body("1M8GDM9AKP042788") == "1M8GDM9AXKP042788"
    assert vin.is_valid("1M8GDM9AXKP042788") and vin.is_valid("11111111111111111")
    assert not vin.is_valid("1M8GDM9A1KP042788")  # wrong check digit
    assert not vin.is_valid("1M8GDM9AXKP04278")  # 16 characters
    assert not vin.is_valid("1M8GDM9AXKP04278O")  # O is not a VIN character


def test_built_vins_are_valid_and_encode_the_model_year() -> None:
    built = vin.build("ZFA", "31200", 2022, "A", 482913)
    assert vin.is_valid(built) and built[:8] == "ZFA31200" and built[9:] == "NA482913"


@pytest.mark.parametrize("module", [dms_a, gestionaleauto, multigestionale, mobilede], ids=lambda m: m.FORMAT.dms)
def test_each_writer_spells_the_codes_its_track_reads_back(module, tracks: dict[str, Track]) -> None:
    track = tracks[module.FORMAT.dms]
    for column, spellings in (("fuel", module.FUEL), ("gearbox", module.GEARBOX)):
        vocabulary = track.columns[column].vocabulary or {}
        for code, spelling in spellings.items():
            word = (spelling[0] if isinstance(spelling, tuple) else spelling).upper()  # mobile.de: (key, text)
            assert vocabulary.get(word, word) == code, f"{module.FORMAT.dms} writes {code} as {spelling!r}"


def test_every_format_has_one_writer_named_as_its_track(tracks: dict[str, Track]) -> None:
    assert FORMATS.keys() == {"DMS_A", "GESTIONALEAUTO", "MULTIGESTIONALE", "MOBILEDE"} <= tracks.keys()


def test_values_are_escaped_and_cdata_is_kept() -> None:
    ad: dms_a.Ad = {
        "Id": 'A&1 "x"', "DealerCode": "D", "Vin": "", "Brand": "Fiat <Mopar>", "Model": "500", "Version": "1.0",
        "RegistrationDate": "2021-03-15", "Mileage": 10, "Fuel": "Petrol", "Gearbox": "Manual", "Color": "Rosso",
        "ListPrice": "1.00", "MakeCode": "FIA", "images": ["https://img/1.jpg?a=1&b=2"],
        "options": [("A&B", "plain <b>text</b>"), ("C", cdata("<b>as written</b>"))],
    }  # fmt: skip
    record = etree.fromstring(dms_a.record(ad))
    assert record.findtext("Id") == 'A&1 "x"' and record.findtext("Public/Brand") == "Fiat <Mopar>"
    assert record.findtext("Images/Image") == "https://img/1.jpg?a=1&b=2"
    assert [(o.get("code"), o.text) for o in record.iter("Option")] == [
        ("A&B", "plain <b>text</b>"),
        ("C", "<b>as written</b>"),
    ]
    assert record.find("Codes/ModelCode") is None  # left out
    assert etree.tostring(record.find("Business/PromotionalPrice")) == b"<PromotionalPrice/>"  # empty


@pytest.mark.parametrize("name", ["GA_CARS", "MG_ELEMENTS", "MD_ADS", "A_DAY_1"])
def test_indented_and_one_line_documents_hold_the_same_elements(samples, name: str) -> None:
    fmt = {"A": dms_a, "GA": gestionaleauto, "MG": multigestionale, "MD": mobilede}[name.split("_")[0]].FORMAT
    records = getattr(samples, name)
    one_line, indented = fmt.document(records), fmt.document(records, indent=True)
    lines = one_line.splitlines()
    assert all(fmt.record(values) in lines for values in records)  # one record per line
    assert indented != one_line and tree(indented) == tree(one_line)


def test_bundled_sample_data_is_what_the_writers_write(samples, tmp_path: Path) -> None:
    written = samples.write_samples(tmp_path)
    assert len(written) == 5
    for path in written:
        assert path.read_bytes() == (SAMPLES / path.relative_to(tmp_path)).read_bytes(), path.name


@pytest.mark.parametrize("name", ["data.xml", "data.xml.zip", "data.xml.gz"])
def test_whole_and_streamed_exports_read_alike(tmp_path: Path, name: str) -> None:
    records = [dms_a.record({**_AD, "Id": f"S{n}"}) for n in range(1, 1200)]  # more than one write
    document = dms_a.FORMAT.document([{**_AD, "Id": f"S{n}"} for n in range(1, 1200)])
    whole = write_export(tmp_path / "whole" / name, document)
    with StreamedExport(tmp_path / "streamed" / name, dms_a.opening(len(records)), dms_a.FORMAT.closing) as stream:
        for record in records:
            stream.add(record)
    assert stream.records == len(records) and stream.xml_bytes == len(document.encode())
    assert read_back(whole) == read_back(tmp_path / "streamed" / name) == document.encode()


_AD: dms_a.Ad = {
    "DealerCode": "D", "Vin": "", "Brand": "Fiat", "Model": "Panda", "Version": "1.2", "RegistrationDate": "2021-03-15",
    "Mileage": 35000, "Fuel": "Petrol", "Gearbox": "Manual", "Color": "Bianco", "ListPrice": "12900.00",
    "MakeCode": "FIA", "images": ["https://img.example/1.jpg"], "options": [("CLIMA", "Climatizzatore")],
}  # fmt: skip
