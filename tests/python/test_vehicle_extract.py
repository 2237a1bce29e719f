"""Vehicle feeds: one JSONB row per record, streamed; bad files and records rejected with reasons."""

from __future__ import annotations

import gzip
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from support import PROJECT_ROOT, query, run_extract
from vehicle_feeds import Ad, document, write_feed

from extract.warehouse import WarehouseAddress, connect

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "vehicles"
VIN = "ZFA31200000123456"


def test_each_record_lands_as_one_jsonb_row_with_its_context(warehouse: WarehouseAddress, landing_dir: Path) -> None:
    feed_at = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    ads = [
        Ad("S1", vin=VIN, images=["https://img/1.jpg", "https://img/2.jpg"], options=[("NAV", "Navi <b>pro</b>")]),
        Ad("S2", images=["https://img/3.jpg"], options=[]),
    ]
    write_feed(landing_dir, "101", "dms_a", "data.xml.zip", document(ads), feed_at)  # DMS folder in lower case

    done = run_extract(warehouse, "--landing", str(landing_dir))

    assert done.returncode == 0, done.stdout + done.stderr
    rows = query(
        warehouse,
        "select corporate_id, dms, record_index, feed_at, landing_key, record from raw.vehicle_records order by 3",
    )
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [("101", "DMS_A", 1, feed_at), ("101", "DMS_A", 2, feed_at)]
    assert rows[0][4] == "vehicles/corporate=101/source=dms_a/data.xml.zip"
    first, second = rows[0][5], rows[1][5]
    assert first["Id"] == "S1" and first["Public"]["Vin"] == VIN
    assert first["Options"]["Option"] == [{"@code": "NAV", "#text": "Navi <b>pro</b>"}]  # attribute + CDATA kept
    assert first["Images"]["Image"] == ["https://img/1.jpg", "https://img/2.jpg"]
    assert second["Images"]["Image"] == ["https://img/3.jpg"]  # a declared list is an array even with one element
    assert second["Business"]["PromotionalPrice"] == ""
    assert query(warehouse, "select corporate_id, dms, record_count, feed_at from raw.vehicle_feeds") == [
        ("101", "DMS_A", 2, feed_at)
    ]


def test_gzip_and_plain_xml_feeds_load(warehouse: WarehouseAddress, landing_dir: Path) -> None:
    write_feed(landing_dir, "1", "DMS_A", "a.xml.gz", document([Ad("G1"), Ad("G2")]))
    write_feed(landing_dir, "2", "DMS_A", "b.xml", document([Ad("P1")]))

    done = run_extract(warehouse, "--landing", str(landing_dir))

    assert done.returncode == 0, done.stdout
    assert query(warehouse, "select corporate_id, count(*) from raw.vehicle_records group by 1 order by 1") == [
        ("1", 2),
        ("2", 1),
    ]


def test_malformed_file_is_rejected_whole_while_the_others_load(warehouse: WarehouseAddress, landing_dir: Path) -> None:
    write_feed(landing_dir, "1", "DMS_A", "good.xml", document([Ad("S1")]))
    broken = document([Ad("B1"), Ad("B2")]).replace("</Ad>", "", 1)  # unclosed <Ad>: not well-formed
    write_feed(landing_dir, "1", "DMS_A", "broken.xml.zip", broken)

    done = run_extract(warehouse, "--landing", str(landing_dir))

    assert done.returncode == 1
    assert "broken.xml.zip!data.xml: not well-formed XML" in done.stdout
    assert query(warehouse, "select record #>> '{Id}' from raw.vehicle_records") == [("S1",)]
    reason = next((landing_dir / "rejected").rglob("broken.xml.zip.reason.txt")).read_text()
    assert "not well-formed XML" in reason and "line" in reason


def test_record_without_stock_id_is_set_aside_and_the_rest_loads(
    warehouse: WarehouseAddress, landing_dir: Path
) -> None:
    write_feed(landing_dir, "1", "DMS_A", "data.xml", document([Ad("S1"), Ad(""), Ad("S3")]))

    done = run_extract(warehouse, "--landing", str(landing_dir))

    assert done.returncode == 1, done.stdout  # a vehicle set aside fails the run: the feed says it is gone
    assert "vehicles/corporate=1/source=DMS_A/data.xml (load 1): 1 record(s)" in done.stdout
    assert query(warehouse, "select record_index from raw.vehicle_records order by 1") == [(1,), (3,)]
    [(index, reason)] = query(warehouse, "select record_index, reason from raw.rejected_records")
    assert index == 2
    assert "record 2 (<Ad> at line 4): no stock id; expected a non-empty Id" in reason
    assert query(warehouse, "select rows_loaded, rows_rejected from raw.load_ledger") == [(2, 1)]


def test_doctype_entity_bombs_and_external_entities_are_refused(warehouse: WarehouseAddress, landing_dir: Path) -> None:
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE Ads [\n <!ENTITY a "aaaaaaaaaa">\n'
        ' <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n'
        "<Ads><Ad><Id>&c;</Id></Ad></Ads>\n"
    )
    external = (
        '<?xml version="1.0"?>\n<!DOCTYPE Ads [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        "<Ads><Ad><Id>X1</Id><DealerCode>&xxe;</DealerCode></Ad></Ads>\n"
    )
    write_feed(landing_dir, "1", "DMS_A", "laughs.xml", laughs)
    write_feed(landing_dir, "1", "DMS_A", "external.xml.zip", external)

    done = run_extract(warehouse, "--landing", str(landing_dir))

    assert done.returncode == 1
    assert done.stdout.count("refused: the document declares a DOCTYPE") == 2
    assert query(warehouse, "select count(*) from raw.vehicle_records") == [(0,)]
    assert query(warehouse, "select count(*) from raw.load_ledger where status = 'rejected'") == [(2,)]


def test_decompression_bomb_is_refused_by_size_and_by_ratio(warehouse: WarehouseAddress, landing_dir: Path) -> None:
    folder = landing_dir / "vehicles" / "corporate=1" / "source=DMS_A"
    folder.mkdir(parents=True)
    with (
        zipfile.ZipFile(folder / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("data.xml", "w") as member,
    ):
        member.write(b"<Ads>")
        for _ in range(100):  # 100 MiB of blank text nodes: deflates to about 100 KiB
            member.write(b"<p>" + b" " * (1024 * 1024) + b"</p>")
        member.write(b"</Ads>")

    by_ratio = run_extract(warehouse, "--landing", str(landing_dir), "--workers", "1")

    assert by_ratio.returncode == 1
    assert "bomb.zip!data.xml: refused as a decompression bomb: expands more than 200 times" in by_ratio.stdout
    (folder / "big.xml.gz").write_bytes(gzip.compress(b"<Ads>" + b"<p/>" * 1024 * 1024 + b"</Ads>"))
    by_size = run_extract(warehouse, "--landing", str(landing_dir), EXTRACT_MAX_UNCOMPRESSED_MB="1")
    assert by_size.returncode == 1
    assert "big.xml.gz: refused as a decompression bomb: more than 1 MiB uncompressed" in by_size.stdout


def test_zip_member_names_are_never_used_as_paths(
    warehouse: WarehouseAddress, landing_dir: Path, tmp_path: Path
) -> None:
    folder = landing_dir / "vehicles" / "corporate=1" / "source=DMS_A"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "slip.zip", "w") as archive:
        archive.writestr("../../../../zipslip-evil.xml", document([Ad("Z1")]))

    done = run_extract(warehouse, "--landing", str(landing_dir))

    assert done.returncode == 1, done.stdout  # refused whole: no DMS export names a member outside its archive
    assert "slip.zip: refused: zip member 1 of 1, '../../../../zipslip-evil.xml', names a path outside" in done.stdout
    assert query(warehouse, "select count(*) from raw.vehicle_records") == [(0,)]
    assert not list(tmp_path.parent.rglob("zipslip-evil.xml"))


def test_feed_of_an_unknown_dms_is_rejected_naming_the_track_file(
    warehouse: WarehouseAddress, landing_dir: Path
) -> None:
    write_feed(landing_dir, "1", "NewDms", "data.xml", document([Ad("S1")]))

    done = run_extract(warehouse, "--landing", str(landing_dir))

    assert done.returncode == 1
    assert "no track file for DMS 'NewDms'" in done.stdout and "tracks/newdms.sql" in done.stdout


def test_each_record_carries_its_stock_id_and_a_hash_and_a_repeated_record_drops_its_json(
    warehouse: WarehouseAddress, landing_dir: Path
) -> None:
    day1, day2 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC), datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
    write_feed(landing_dir, "101", "DMS_A", "day1.xml", document([Ad(" S1 "), Ad("S2", mileage="100")]), day1)
    assert run_extract(warehouse, "--landing", str(landing_dir)).returncode == 0
    write_feed(landing_dir, "101", "DMS_A", "day2.xml", document([Ad(" S1 "), Ad("S2", mileage="200")]), day2)
    assert run_extract(warehouse, "--landing", str(landing_dir)).returncode == 0

    hashes = query(
        warehouse,
        "select stock_id, count(*), count(distinct record_hash), min(length(record_hash))"
        " from raw.vehicle_records group by 1 order by 1",
    )
    assert hashes == [("S1", 2, 1, 32), ("S2", 2, 2, 32)]  # the stock id trimmed; same content, same hash
    # raw compaction: S1's repeated record keeps its row but not its JSON, which its first delivery holds
    assert query(
        warehouse,
        "select stock_id, feed_at, record = 'null'::jsonb from raw.vehicle_records order by 1, 2",
    ) == [("S1", day1, False), ("S1", day2, True), ("S2", day1, False), ("S2", day2, False)]
    assert query(warehouse, "select count(*) from raw.vehicle_feeds where compacted_at is null") == [(0,)]


def test_a_raw_table_from_an_older_extractor_is_reported_not_filled(
    warehouse: WarehouseAddress, landing_dir: Path
) -> None:
    conn = connect(warehouse)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "create schema if not exists raw; create table raw.vehicle_records (load_id bigint, corporate_id varchar,"
            " dms varchar, landing_key varchar, record_index integer, feed_at timestamptz, record jsonb)"
        )
    conn.close()
    write_feed(landing_dir, "101", "DMS_A", "day1.xml", document([Ad("S1")]))

    done = run_extract(warehouse, "--landing", str(landing_dir))

    assert done.returncode != 0
    assert "raw.vehicle_records was made by an older extractor (no stock_id, record_hash columns)" in done.stderr
    assert "dbt build --full-refresh" in done.stderr
    assert list((landing_dir / "vehicles").rglob("day1.xml"))  # left where it was, for the next run


def test_a_run_that_changes_a_raw_table_leaves_statistics_for_the_next_build(
    warehouse: WarehouseAddress, landing_dir: Path
) -> None:
    def planned_rows() -> float:  # what PostgreSQL's planner believes raw.vehicle_records holds
        return query(warehouse, "select reltuples from pg_class where oid = 'raw.vehicle_records'::regclass")[0][0]

    write_feed(landing_dir, "1", "DMS_A", "day1.xml", document([Ad(f"S{i}") for i in range(300)]))
    first = run_extract(warehouse, "--landing", str(landing_dir))

    assert first.returncode == 0, first.stdout + first.stderr
    assert "statistics refreshed for dbt's plans: " in first.stdout
    assert "raw.vehicle_records" in first.stdout.split("statistics refreshed for dbt's plans: ")[1]
    assert planned_rows() == 300  # analyzed, not left to autovacuum's next round (-1: never analyzed)

    write_feed(landing_dir, "2", "DMS_A", "small.xml", document([Ad(f"T{i}") for i in range(20)]))
    second = run_extract(warehouse, "--landing", str(landing_dir))  # 20 rows onto 300: under a tenth

    assert second.returncode == 0, second.stdout + second.stderr
    assert "raw.vehicle_records" not in second.stdout
    assert planned_rows() == 300

    write_feed(landing_dir, "3", "DMS_A", "large.xml", document([Ad(f"U{i}") for i in range(200)]))
    third = run_extract(warehouse, "--landing", str(landing_dir))

    assert third.returncode == 0, third.stdout + third.stderr
    assert "raw.vehicle_records" in third.stdout
    assert planned_rows() == 520

    nothing_new = run_extract(warehouse, "--landing", str(landing_dir))
    assert nothing_new.returncode == 0 and "statistics refreshed" not in nothing_new.stdout
