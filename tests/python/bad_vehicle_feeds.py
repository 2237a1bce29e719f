"""A corpus of bad vehicle feeds (issue 15, item 5): each case writes its file at test time, from the DMS
writers' good documents (dms_feeds, through vehicle_feeds.Ad), then broken; nothing large is committed.

Every case says how the extractor must end it:
- REJECTED: the whole file is refused: ledger status `rejected` with the reason, none of its rows in raw,
  the file in rejected/ with <name>.reason.txt;
- RECORD_REJECTED: the file loads but the records named by `rejected_indexes` are in raw.rejected_records
  with the reason, and only `loaded_stock_ids` are in raw.vehicle_records;
- HELD: the rows land but the feed is not applied (extract.held_feeds).

`reason` is a regular expression the reason must match (re.search): it names the file and a position (a
record index, line, byte or zip member). The run that reads them sets small decompression limits
(`RUN_ENV`): the bombs stay a few MB, and the good feeds are far below them.
"""

from __future__ import annotations

import gzip
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vehicle_feeds import Ad, document

from dms_feeds import dms_a, gestionaleauto
from dms_feeds.export import write_export

REJECTED, RECORD_REJECTED, HELD = "rejected", "record rejected", "held"
RUN_ENV = {"EXTRACT_MAX_UNCOMPRESSED_MB": "16", "EXTRACT_COMPRESSION_RATIO_FLOOR_MB": "1"}
MiB = 1024 * 1024
SLIP_NAMES = ("../../etc/x.xml", "/x.xml")  # zip slip: what a naive extractor would write outside its folder


@dataclass(frozen=True)
class BadFeed:
    id: str
    key: str  # landing key: vehicles/corporate=<id>/source=<DMS>/<name>
    write: Callable[[Path], None]  # writes the file at the path given (the landing root / key)
    outcome: str  # REJECTED | RECORD_REJECTED | HELD
    reason: str  # a regular expression the reason matches: the file's name and a position
    loaded_stock_ids: tuple[str, ...] = ()  # RECORD_REJECTED: what stays in raw.vehicle_records, in record order
    rejected_indexes: tuple[int, ...] = ()  # RECORD_REJECTED: the records in raw.rejected_records

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]


def _key(corporate: int, name: str, dms: str = "DMS_A") -> str:
    return f"vehicles/corporate={corporate}/source={dms}/{name}"


def _name(key: str) -> str:
    return re.escape(key.rsplit("/", 1)[-1])


def ads(prefix: str, count: int = 3) -> list[Ad]:
    return [Ad(f"{prefix}{n}", mileage=str(1000 * n)) for n in range(1, count + 1)]


def good_xml(prefix: str, count: int = 3) -> bytes:
    return document(ads(prefix, count)).encode("utf-8")


# --- writers of the broken files -------------------------------------------------------------------------


def _bytes(content: bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)

    return write


def _export(content: str | bytes, member: str = "data.xml") -> Callable[[Path], None]:
    """Through the project's export writer: .zip holds `member`, .gz is gzip, else plain."""

    def write(path: Path) -> None:
        write_export(path, content, member=member)

    return write


def _zip(members: list[tuple[str, bytes]]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in members:
                archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), content)

    return write


def _cut(writer: Callable[[Path], None], keep: Callable[[int], int]) -> Callable[[Path], None]:
    """The file `writer` makes, cut to its first keep(size) bytes (an interrupted upload)."""

    def write(path: Path) -> None:
        writer(path)
        data = path.read_bytes()
        path.write_bytes(data[: keep(len(data))])

    return write


def _corrupt_zip_member(path: Path) -> None:
    """A zip whose directory is intact but whose member's compressed bytes are overwritten half-way (its
    records before that point are read, and must not land)."""
    _export(good_xml("Z", 400))(path)
    with zipfile.ZipFile(path) as archive:
        info = archive.infolist()[0]
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    data[middle : middle + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


def _gzip_bad_crc(path: Path) -> None:
    data = gzip.compress(good_xml("C", 50), mtime=0)
    _bytes(data[:-8] + b"\0\0\0\0" + data[-4:])(path)  # the trailer's CRC-32 zeroed


def _gzip_garbage(path: Path) -> None:
    header = gzip.compress(b"", mtime=0)[:10]  # a valid gzip header (magic, deflate, no flags)
    _bytes(header + random.Random(5).randbytes(4096))(path)


def _streamed_zip(path: Path, member: str, blocks: int, block: bytes, level: int) -> None:
    """A zip member written block by block: `<Ads>`, `blocks` times `block`, `</Ads>`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive,
        archive.open(member, "w") as stream,
    ):
        stream.write(b"<Ads>\n")
        for _ in range(blocks):
            stream.write(block)
        stream.write(b"</Ads>\n")


def _incompressible_block() -> bytes:
    """1 MiB of XML that deflate barely shrinks (hex of random bytes, a 64 KiB block repeated beyond its window)."""
    text = random.Random(1).randbytes(32 * 1024).hex().encode()  # 64 KiB
    return b"".join(b"<Note>" + text[i : i + 1000] + b"</Note>\n" for i in range(0, len(text), 1000)) * 16


def _zip_bomb_by_size(path: Path) -> None:
    _streamed_zip(path, "data.xml", 20, _incompressible_block(), 1)  # 20 MiB at a ratio of about 2


def _blank_block() -> bytes:
    return b"<p>" + b" " * MiB + b"</p>\n"


def _zip_bomb_by_ratio(path: Path) -> None:
    _streamed_zip(path, "data.xml", 8, _blank_block(), 9)  # 8 MiB deflating to about 8 KiB


def _gzip_bomb(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb", compresslevel=9) as stream:
        stream.write(b"<Ads>\n")
        for _ in range(8):
            stream.write(_blank_block())
        stream.write(b"</Ads>\n")


def _with_prolog(prolog: str, body: str | None = None) -> bytes:
    """A DMS_A document with `prolog` (a DOCTYPE...) between the XML declaration and <Ads>."""
    text = body or document(ads("D", 2))
    declaration, rest = text.split("\n", 1)
    return f"{declaration}\n{prolog}\n{rest}".encode()


_BILLION_LAUGHS = (
    '<!DOCTYPE Ads [\n <!ENTITY lol0 "lol">\n'
    + "".join(f' <!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">\n' for n in range(1, 10))
    + "]>"
)


def _with_entity(reference: str) -> str:
    return document([Ad("E1"), Ad("E2", color=reference)]).replace(reference.replace("&", "&amp;"), reference)


def _cut_after(count: int) -> Callable[[Path], None]:
    """`count` good records, then the export stops in the middle of the next one."""

    def write(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(dms_a.opening(count))
            for batch in range(0, count, 500):
                stream.write("".join(ad.xml() + "\n" for ad in ads_range("K", batch + 1, min(batch + 500, count))))
            stream.write(Ad("K-CUT").xml()[:60])

    return write


def ads_range(prefix: str, first: int, last: int) -> list[Ad]:
    return [Ad(f"{prefix}{n}") for n in range(first, last + 1)]


def _latin1_declared_utf8_written() -> bytes:
    text = document([Ad("L1"), Ad("L2", make="Citroën", color="Grigio")])
    return text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("utf-8")


def _utf8_declared_latin1_written() -> bytes:
    return document([Ad("U1"), Ad("U2", color="Blu notte, sedili in pelle écru")]).encode("latin-1")


def _invalid_utf8() -> bytes:
    text = document([Ad("I1"), Ad("I2", color="COLOUR")]).split("\n", 1)[1]  # no XML declaration: UTF-8
    return text.encode().replace(b"COLOUR", b"Bianco \xc3\x28 perla")  # 0xC3 starts a sequence 0x28 cannot end


def _nul_in_text() -> bytes:
    return document([Ad("N1"), Ad("N2", color="NUL")]).encode().replace(b"NUL", b"Nero\x00metallizzato")


def _huge_text_record(path: Path) -> None:
    """A 100 MiB record: one <Image> holding 100 MiB of base64-like text, written 1 MiB at a time."""
    opening, closing = Ad("H2", images=["IMAGE"]).xml().split("IMAGE")
    block = b"QUJD" * (MiB // 4)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as stream:
        stream.write(f"{dms_a.opening(2)}{Ad('H1').xml()}\n{opening}".encode())
        for _ in range(100):
            stream.write(block)
        stream.write(f"{closing}\n{dms_a.FORMAT.closing}".encode())


def _huge_record_of_elements(path: Path) -> None:
    """A 70 MiB record of 1 MiB <Image> elements (each below the parser's text limit), written one at a time."""
    opening, closing = Ad("M2", images=["IMAGE"]).xml().split("<Image>IMAGE</Image>")
    image = b"<Image>" + b"QUJD" * (MiB // 4) + b"</Image>"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as stream:
        stream.write(f"{dms_a.opening(2)}{Ad('M1').xml()}\n{opening}".encode())
        for _ in range(70):
            stream.write(image)
        stream.write(f"{closing}\n{dms_a.FORMAT.closing}".encode())


def _oversized_record() -> str:
    """A 5 MB record (5,000 options of 1,000 characters): over the 4 MiB a record's JSON may have."""
    options = [(f"OPT{n}", "x" * 1000) for n in range(5000)]
    return document([Ad("O1"), Ad("O2", options=options), Ad("O3")])


def _gestionaleauto_car(stock_id: str) -> gestionaleauto.Car:
    return {
        "id": stock_id, "make": "Fiat", "model": "Panda", "version": "1.2 Easy", "body": "Berlina", "fuel": "Benzina",
        "traction": "Anteriore", "kwatt": 51, "cc": 1242, "cylinders": 4, "doors": 5, "seats": 5,
        "emission_class": "Euro 6", "emission_co2": 120, "urban": "5,9", "outer": "4,1", "combined": "4,8",
        "color": "Bianco", "paint": "Pastello", "interior_color": "Nero", "km": 35000, "registration_date": "03/2021",
        "gearbox": "Manuale", "plate": "AB123CD", "vin": None, "usage": "Usato", "customers_price": 12900,
        "images": [{"small": "https://img.example/1s.jpg"}], "options": [("CLIMA", "Climatizzatore", True)],
    }  # fmt: skip


def _misfiled() -> str:
    """A GestionaleAuto export dropped in a DMS_A folder: its record element is <car>, not <Ad>."""
    return gestionaleauto.FORMAT.document([_gestionaleauto_car("G1"), _gestionaleauto_car("G2")])


def _repeats() -> str:
    """R3 twice with different content (the second is set aside); R2 twice the same (harmless: both stay)."""
    return document([Ad("R1"), Ad("R2"), Ad("R3", mileage="100"), Ad("R4"), Ad("R3", mileage="200"), Ad("R2")])


def _two_members() -> Callable[[Path], None]:
    broken = document(ads("B", 3)).replace("</Ads>", "<Ad><Id>B9</Id><Deal")
    return _zip([("a.xml", good_xml("A", 3)), ("b.xml", broken.encode())])


# --- the corpus --------------------------------------------------------------------------------------------


def _case(
    id: str, corporate: int, name: str, write: Callable[[Path], None], outcome: str, reason: str, **more: object
) -> BadFeed:
    key = _key(corporate, name)
    return BadFeed(id, key, write, outcome, reason.replace("{name}", _name(key)), **more)  # type: ignore[arg-type]


_CUT_ZIP = _export(good_xml("T", 200))
_NUMBER = r"[\d,]+"

CASES: tuple[BadFeed, ...] = (
    _case("empty_xml", 801, "empty.xml", _bytes(b""), REJECTED, r"{name}: the file is empty \(0 bytes\)"),
    _case("empty_zip", 802, "empty.zip", _bytes(b""), REJECTED, r"{name}: the file is empty \(0 bytes\)"),
    _case(
        "zip_without_xml",
        803,
        "photos.zip",
        _zip([("readme.txt", b"see photos"), ("photos/1.jpg", b"\xff\xd8\xff")]),
        REJECTED,
        r"{name}: the zip holds no \.xml member \(its members: 'readme\.txt', 'photos/1\.jpg'\)",
    ),
    _case(
        "truncated_zip",
        804,
        "cut.zip",
        _cut(_CUT_ZIP, lambda size: size // 2),
        REJECTED,
        rf"{{name}}: not a readable zip archive \(File is not a zip file\): no directory of members at the end of "
        rf"its {_NUMBER} bytes",
    ),
    _case(
        "corrupt_zip_member",
        805,
        "corrupt.zip",
        _corrupt_zip_member,
        REJECTED,
        # damage inside deflate data is noticed where it shows first: here the XML it garbles (line 171), else
        # deflate's own error, or the checksum at the member's end
        rf"{{name}}!data\.xml: (not well-formed XML at line {_NUMBER}, column|the compressed data is corrupt at "
        rf"uncompressed byte {_NUMBER}|the checksum at the end of the compressed data does not match)",
    ),
    _case(
        "gzip_bad_crc",
        806,
        "bad_crc.xml.gz",
        _gzip_bad_crc,
        REJECTED,
        rf"{{name}}: the checksum at the end of the compressed data does not match what it held, read up to "
        rf"uncompressed byte {_NUMBER} \(line {_NUMBER}\) \(CRC check failed",
    ),
    _case(
        "gzip_garbage_after_magic",
        807,
        "garbage.xml.gz",
        _gzip_garbage,
        REJECTED,
        r"{name}: the compressed data is corrupt at uncompressed byte 0 \(line 1\) \(Error -3 while decompressing",
    ),
    _case(
        "truncated_gzip",
        808,
        "cut.xml.gz",
        _cut(_export(good_xml("T", 200)), lambda size: size // 2),
        REJECTED,
        rf"{{name}}: the compressed stream ends before its end marker, at uncompressed byte {_NUMBER} "
        rf"\(line {_NUMBER}\): the file was cut short",
    ),
    _case(
        "zip_slip_parent",
        809,
        "slip_parent.zip",
        _zip([(SLIP_NAMES[0], good_xml("Z", 1))]),
        REJECTED,
        r"{name}: refused: zip member 1 of 1, '\.\./\.\./etc/x\.xml', names a path outside the archive",
    ),
    _case(
        "zip_slip_absolute",
        810,
        "slip_absolute.zip",
        _zip([("data.xml", good_xml("Z", 1)), (SLIP_NAMES[1], good_xml("Y", 1))]),
        REJECTED,
        r"{name}: refused: zip member 2 of 2, '/x\.xml', names a path outside the archive",
    ),
    _case(
        "zip_bomb_by_size",
        811,
        "bomb_size.zip",
        _zip_bomb_by_size,
        REJECTED,
        rf"{{name}}!data\.xml: refused as a decompression bomb: more than 16 MiB uncompressed "
        rf"\(EXTRACT_MAX_UNCOMPRESSED_MB\); stopped at uncompressed byte {_NUMBER} \(line {_NUMBER}\)",
    ),
    _case(
        "zip_bomb_by_ratio",
        812,
        "bomb_ratio.zip",
        _zip_bomb_by_ratio,
        REJECTED,
        rf"{{name}}!data\.xml: refused as a decompression bomb: expands more than 200 times its \d+ compressed "
        rf"bytes \(EXTRACT_MAX_COMPRESSION_RATIO\); stopped at uncompressed byte {_NUMBER}",
    ),
    _case(
        "gzip_bomb",
        813,
        "bomb.xml.gz",
        _gzip_bomb,
        REJECTED,
        rf"{{name}}: refused as a decompression bomb: expands more than 200 times its \d+ compressed bytes "
        rf"\(EXTRACT_MAX_COMPRESSION_RATIO\); stopped at uncompressed byte {_NUMBER}",
    ),
    _case(
        "doctype",
        814,
        "doctype.xml",
        _bytes(_with_prolog('<!DOCTYPE Ads SYSTEM "ads.dtd">')),
        REJECTED,
        r"{name}: refused: the document declares a DOCTYPE at line 2",
    ),
    _case(
        "external_entity",
        815,
        "xxe.xml.zip",
        _export(_with_prolog('<!DOCTYPE Ads [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', _with_entity("&xxe;"))),
        REJECTED,
        r"{name}!data\.xml: refused: the document declares a DOCTYPE at line 2",
    ),
    _case(
        "billion_laughs",
        816,
        "laughs.xml",
        _bytes(_with_prolog(_BILLION_LAUGHS, _with_entity("&lol9;"))),
        REJECTED,
        r"{name}: refused: the document declares a DOCTYPE at line 2",
    ),
    _case(
        "cut_after_5000_records",
        817,
        "cut_after_5000.xml",
        _cut_after(5000),
        REJECTED,
        r"{name}: not well-formed XML at line 5,00[23], column \d+: .*; 5,000 records read before it, none of "
        r"the file is loaded",
    ),
    _case(
        "declares_latin1_is_utf8",
        818,
        "latin1_lie.xml",
        _bytes(_latin1_declared_utf8_written()),
        REJECTED,
        rf"{{name}}: declares encoding 'ISO-8859-1' but its bytes are UTF-8: at line 4 \(byte {_NUMBER}\) 'ë' would "
        r"load as 'Ã«'",
    ),
    _case(
        "declares_utf8_has_latin1",
        819,
        "utf8_lie.xml",
        _bytes(_utf8_declared_latin1_written()),
        REJECTED,
        r"{name}: not well-formed XML at line 4, column \d+: Invalid bytes in character encoding \(the bytes are not "
        r"'UTF-8', as the document declares\)",
    ),
    _case(
        "invalid_utf8",
        820,
        "invalid_utf8.xml",
        _bytes(_invalid_utf8()),
        REJECTED,
        r"{name}: not well-formed XML at line 3, column \d+: Invalid bytes in character encoding \(the bytes are not "
        r"UTF-8, XML's default: it declares none\)",
    ),
    _case(
        "nul_in_text",
        821,
        "nul.xml",
        _bytes(_nul_in_text()),
        REJECTED,
        r"{name}: not well-formed XML at line 4, column \d+: Invalid character: Char 0x0 out of allowed range",
    ),
    _case(
        "record_without_stock_id",
        822,
        "no_stock_id.xml",
        _export(document([Ad("S1"), Ad(""), Ad("S3")])),
        RECORD_REJECTED,
        r"{name} record 2 \(<Ad> at line 4\): no stock id; expected a non-empty Id",
        loaded_stock_ids=("S1", "S3"),
        rejected_indexes=(2,),
    ),
    _case(
        "repeated_stock_id",
        823,
        "repeats.xml",
        _export(_repeats()),
        RECORD_REJECTED,
        r"{name} record 5 \(<Ad> at line 7\) repeats stock id 'R3' of record 3 \(line 5\) with different content; "
        r"the first is kept",
        loaded_stock_ids=("R1", "R2", "R3", "R4", "R2"),
        rejected_indexes=(5,),
    ),
    _case(
        "record_of_100_mb",
        824,
        "huge_record.xml",
        _huge_text_record,
        REJECTED,
        r"{name}: line 4: a text node longer than 10,000,000 bytes, the XML parser's limit \(a record's JSON may "
        r"have at most 4,194,304 bytes\): record 2 cannot be read",
    ),
    _case(
        "record_of_70_mb_of_elements",
        825,
        "huge_elements.xml",
        _huge_record_of_elements,
        REJECTED,
        r"{name}: record 2 runs over 64 MiB of XML since record 1 \(<Ad> at line 3\) ended, without ending: a "
        r"record's JSON may have at most 4,194,304 bytes",
    ),
    _case(
        "record_over_4_mib",
        826,
        "oversized.xml",
        _export(_oversized_record()),
        RECORD_REJECTED,
        r"{name} record 2 \(<Ad> at line 4\): its JSON is 5,\d{3},\d{3} bytes, over the 4,194,304 bytes a record "
        r"may have",
        loaded_stock_ids=("O1", "O3"),
        rejected_indexes=(2,),
    ),
    _case(
        "misfiled_root",
        827,
        "misfiled.xml",
        _export(_misfiled()),
        HELD,
        r"{name} \(load \d+\): held: no <Ad> record element in the file \(its document element "
        r"<export_gestionaleauto> holds <car>, the record element of GESTIONALEAUTO\)",
    ),
    _case(
        "unknown_extension",
        828,
        "inventory.json",
        _bytes(b'{"ads": [{"Id": "J1"}]}'),
        REJECTED,
        r"""{name}: unknown file type '\.json' \(the file starts with b'\{"ads": \[\{"Id": '\)""",
    ),
    _case(
        "zip_second_member_broken",
        829,
        "two_members.zip",
        _two_members(),
        REJECTED,
        r"{name}!b\.xml: not well-formed XML at line 7, column 1: .*; 3 records read before it",
    ),
)

# Two good feeds of other corporates, in the same run: they load whole.
GOOD_FEEDS: tuple[tuple[str, Callable[[Path], None], tuple[str, ...]], ...] = (
    (_key(901, "good.xml.zip"), _export(good_xml("GA", 3)), ("GA1", "GA2", "GA3")),
    (_key(902, "good.xml.gz", "GESTIONALEAUTO"), _export(_misfiled()), ("G1", "G2")),
)
