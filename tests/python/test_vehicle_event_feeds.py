"""A DMS in feed_mode events (an ad-stream in the style of mobile.de's): each file adds, updates or deletes
ads; absence means nothing. The track lives in the test's copied project (tests/fixtures/event_feeds/), so
the bundled catalogue is unchanged."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from support import PROJECT_ROOT, query, run_dbt, run_extract
from test_dms_onboarding import copy_project

from extract.domain import RejectedFile
from extract.tracks import DeleteRecords, TrackError, load_track
from extract.warehouse import WarehouseAddress
from extract.xml_records import parse_feed_time

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "event_feeds"
TRACK = FIXTURE / "adstream.sql"
# event times as the XML writes them, with a +01:00 offset
EVENT_1_AT = datetime(2014, 1, 14, 8, 12, 5, tzinfo=UTC)
EVENT_2_AT = datetime(2014, 1, 14, 10, 40, 0, tzinfo=UTC)
EVENT_3_AT = datetime(2014, 1, 14, 14, 30, 0, tzinfo=UTC)
EVENT_4_AT = datetime(2014, 1, 14, 17, 56, 42, tzinfo=UTC)  # 2014-01-14T18:56:42+01:00
EVENT_5_AT = datetime(2014, 1, 14, 18, 5, 0, tzinfo=UTC)
BUILD = ("build", "--select", "+vehicle_layer+", "+vehicle_layer_history")
LAYER_COLUMNS = (
    "external_source_id, version_number, list_price, is_available, feed_at, first_seen_at, last_seen_at, updated_at,"
    " removed_at, load_id, landing_key"
)
HISTORY_COLUMNS = (
    "external_source_id, version_number, content_hash, first_load_id, last_load_id, valid_from, valid_to,"
    " last_seen_at, is_current, landing_key, list_price, mileage"
)


def track_with(tmp_path: Path, old: str, new: str) -> Path:
    """The fixture track with one piece of its YAML replaced, as tracks/adstream.sql of a folder of its own."""
    text = TRACK.read_text()
    assert old in text
    folder = tmp_path / f"tracks-{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    path = folder / "adstream.sql"
    path.write_text(text.replace(old, new))
    return path


def test_events_track_names_its_delete_records(tmp_path: Path) -> None:
    track = load_track(TRACK)
    assert track.feed_mode == "events"
    assert track.deletes == DeleteRecords("deleted-ad", (("seller-inventory-key", "@value"), ("@key",)))

    deletes_block = (
        "deletes:\n  root: deleted-ad                # the record that ends an ad\n"
        '  stock_id: [seller-inventory-key/@value, "@key"]   # as the ad\'s own stock id: first non-empty wins\n'
    )
    refused = {
        "events without deletes": (deletes_block, ""),
        "deletes in a snapshot track": ("feed_mode: events ", "feed_mode: snapshot "),
        "unknown key": ("  root: deleted-ad ", "  tag: x\n  root: deleted-ad "),
        "no stock id paths": ('  stock_id: [seller-inventory-key/@value, "@key"]', "  stock_id: []"),
        "the record's own tag": ("  root: deleted-ad ", "  root: ad "),
    }
    messages = {}
    for case, (old, new) in refused.items():
        path = track_with(tmp_path, old, new)
        with pytest.raises(TrackError) as refusal:
            load_track(path)
        messages[case] = str(refusal.value)
        assert str(path) in messages[case], case
    assert "deletes: {root: <tag of the delete record element>, stock_id:" in messages["events without deletes"]
    assert "only with feed_mode: events" in messages["deletes in a snapshot track"]
    assert "deletes.tag: unknown key; allowed: root, stock_id" in messages["unknown key"]
    assert "deletes.stock_id" in messages["no stock id paths"]
    assert "deletes.root" in messages["the record's own tag"]


def test_iso_feed_times_with_an_offset() -> None:
    assert parse_feed_time("2014-01-14T18:56:42+01:00", "ISO", "UTC", "e.xml") == EVENT_4_AT
    assert parse_feed_time("2014-01-14T17:56:42Z", "ISO", "Europe/Rome", "e.xml") == EVENT_4_AT
    # no offset: the track's time zone
    assert parse_feed_time("2014-01-14T18:56:42", "ISO", "Europe/Berlin", "e.xml") == EVENT_4_AT
    with pytest.raises(RejectedFile, match="does not read as ISO"):
        parse_feed_time("14/01/2014 18:56", "ISO", "UTC", "e.xml")


def events_project(tmp_path: Path) -> Path:
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    shutil.copy2(TRACK, project / "tracks" / "adstream.sql")
    (project / "models/staging/dms/stg_adstream__vehicles.sql").write_text("{{ dms_vehicle_staging('adstream') }}\n")
    return project


def deliver(landing: Path, *names: str) -> None:
    folder = landing / "vehicles" / "corporate=301" / "source=ADSTREAM"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy2(FIXTURE / name, folder / name)


def test_delete_records_land_marked_and_one_without_stock_id_is_rejected(
    warehouse: WarehouseAddress, tmp_path: Path
) -> None:
    project = events_project(tmp_path)
    landing = tmp_path / "landing"
    deliver(landing, "event_1_created_a.xml", "event_4_deleted_a.xml")
    # a delete naming its ad, then one naming none (the file still loads: it has a delete)
    two_deletes = (FIXTURE / "event_5_deleted_unknown.xml").read_text()
    two_deletes = two_deletes.replace("</stream:event>", "  <stream:deleted-ad/>\n</stream:event>")
    (landing / "vehicles/corporate=301/source=ADSTREAM/event_6_two_deletes.xml").write_text(two_deletes)

    extracted = run_extract(warehouse, "--landing", str(landing), "--domain", "vehicles", cwd=project)

    assert extracted.returncode == 1, extracted.stdout + extracted.stderr  # 1: a record was set aside
    assert query(
        warehouse,
        "select landing_key, stock_id, is_delete, feed_at, record ->> '@key' from raw.vehicle_records order by 1",
    ) == [
        ("vehicles/corporate=301/source=ADSTREAM/event_1_created_a.xml", "ST-1001", False, EVENT_1_AT, "301118741"),
        ("vehicles/corporate=301/source=ADSTREAM/event_4_deleted_a.xml", "ST-1001", True, EVENT_4_AT, "301118741"),
        ("vehicles/corporate=301/source=ADSTREAM/event_6_two_deletes.xml", "ST-9999", True, EVENT_5_AT, "309999999"),
    ]
    [(reason,)] = query(warehouse, "select reason from raw.rejected_records")
    assert "event_6_two_deletes.xml delete record 2 (<deleted-ad> at line 6): no stock id" in reason
    assert "expected a non-empty seller-inventory-key/@value or @key" in reason


def history_and_layers(warehouse: WarehouseAddress) -> tuple[list[tuple], list[tuple]]:
    history = query(
        warehouse, f"select {HISTORY_COLUMNS} from marts.vehicle_layer_history order by external_source_id, 2"
    )
    layers = query(warehouse, f"select {LAYER_COLUMNS} from marts.vehicle_layer order by external_source_id")
    return history, layers


def extract_and_build(warehouse: WarehouseAddress, project: Path, landing: Path, tmp_path: Path, *extra: str) -> None:
    extracted = run_extract(warehouse, "--landing", str(landing), "--domain", "vehicles", cwd=project)
    assert extracted.returncode == 0, extracted.stdout + extracted.stderr
    started = time.monotonic()
    built = run_dbt(warehouse, tmp_path, *BUILD, *extra, project_dir=project)
    assert built.returncode == 0, built.stdout[-5000:]
    print(f"dbt {' '.join(BUILD + extra)}: {time.monotonic() - started:.0f} s")


def load_of(warehouse: WarehouseAddress, name: str) -> int:
    [(load_id,)] = query(warehouse, "select load_id from raw.vehicle_feeds where landing_key like %s", (f"%/{name}",))
    return load_id


def test_events_add_update_and_delete_ads_incrementally_as_a_full_rebuild_does(
    warehouse: WarehouseAddress, tmp_path: Path
) -> None:
    project = events_project(tmp_path)
    landing = tmp_path / "landing"

    # events 1 and 2 create ads A and B: under snapshot rules the second would have removed A
    deliver(landing, "event_1_created_a.xml", "event_2_created_b.xml")
    extract_and_build(warehouse, project, landing, tmp_path)
    layers = query(warehouse, "select external_source_id, is_available, list_price from marts.vehicle_layer order by 1")
    assert layers == [("ST-1001", True, Decimal("17990.00")), ("ST-1002", True, Decimal("13450.00"))]

    # event 3 updates A: a new version; B, not mentioned, stays as it is
    deliver(landing, "event_3_updated_a.xml")
    extract_and_build(warehouse, project, landing, tmp_path)
    history, layers = history_and_layers(warehouse)
    a_versions = [(r[1], r[10], r[6]) for r in history if r[0] == "ST-1001"]
    assert a_versions == [(1, Decimal("17990.00"), EVENT_3_AT), (2, Decimal("17490.00"), None)]
    assert [(r[0], r[3], r[9]) for r in layers] == [
        ("ST-1001", True, load_of(warehouse, "event_3_updated_a.xml")),
        ("ST-1002", True, load_of(warehouse, "event_2_created_b.xml")),  # its own last event, not the latest feed
    ]

    # event 4 deletes A (18:56:42+01:00); event 5 deletes an ad never created
    deliver(landing, "event_4_deleted_a.xml", "event_5_deleted_unknown.xml")
    extract_and_build(warehouse, project, landing, tmp_path)
    history, layers = history_and_layers(warehouse)
    event_1, event_3 = load_of(warehouse, "event_1_created_a.xml"), load_of(warehouse, "event_3_updated_a.xml")
    event_2 = load_of(warehouse, "event_2_created_b.xml")
    assert [r[:2] + r[3:] for r in history] == [
        ("ST-1001", 1, event_1, event_1, EVENT_1_AT, EVENT_3_AT, EVENT_1_AT, False,
         "vehicles/corporate=301/source=ADSTREAM/event_1_created_a.xml", Decimal("17990.00"), 45000),
        ("ST-1001", 2, event_3, event_3, EVENT_3_AT, EVENT_4_AT, EVENT_3_AT, False,
         "vehicles/corporate=301/source=ADSTREAM/event_3_updated_a.xml", Decimal("17490.00"), 45000),
        ("ST-1002", 1, event_2, event_2, EVENT_2_AT, None, EVENT_2_AT, True,
         "vehicles/corporate=301/source=ADSTREAM/event_2_created_b.xml", Decimal("13450.00"), 12000),
    ]  # fmt: skip
    assert [(r[0], r[3], r[8], r[9]) for r in layers] == [
        ("ST-1001", False, EVENT_4_AT, event_3),  # unavailable, removed at the delete's feed time
        ("ST-1002", True, None, event_2),
    ]
    # the deletes are no vehicles: nothing typed from them, no layer for the unknown ad
    assert query(warehouse, "select count(*) from intermediate.int_vehicle_contents") == [(3,)]
    assert query(warehouse, "select count(*) from staging.stg_dms__vehicle_deletes") == [(2,)]

    rebuilt_from = history_and_layers(warehouse)
    extract_and_build(warehouse, project, landing, tmp_path, "--full-refresh")
    assert history_and_layers(warehouse) == rebuilt_from
