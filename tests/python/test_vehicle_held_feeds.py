"""Broken feeds are held, never applied (extract/held_feeds.py), on a real PostgreSQL.

Each vehicle feed is a full snapshot: applied, a misfiled export (another DMS's format: its record
element matches nothing) or an empty one would make a dealer's whole stock unavailable. Such a feed
lands in raw with ledger status `held`, the run exits 1, dbt ignores it; `python -m extract release`
applies it on purpose, and a later applied feed supersedes it.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from support import query, run_dbt, run_extract
from vehicle_feeds import Ad, document, write_feed

from extract.warehouse import WarehouseAddress, connect

T1, T2, T3 = (datetime(2026, 11, day, 6, 0, tzinfo=UTC) for day in (20, 21, 22))
STOCK = ["S1", "S2", "S3", "S4", "S5"]
BUILD = (
    "build", "--select", "+vehicle_layer", "+vehicle_layer_history", "+load_audit", "stg_dms_a__vehicles",
    "int_vehicle_versions_unioned",
)  # fmt: skip

# A GestionaleAuto export (<export_gestionaleauto><car id=...>), which a DMS_A track reads as no record at all.
GESTIONALEAUTO_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<export_gestionaleauto>
  <car id="GA-1"><model><make>Fiat</make><model>Tipo</model></model><km>1200</km></car>
  <car id="GA-2"><model><make>Fiat</make><model>500</model></model><km>300</km></car>
</export_gestionaleauto>
"""
EMPTY_EXPORT = '<?xml version="1.0" encoding="UTF-8"?>\n<Ads></Ads>\n'


def stock(*ids: str, price: str = "12900.00") -> str:
    return document([Ad(stock_id, list_price=price) for stock_id in ids])


def extract(warehouse: WarehouseAddress, landing: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run_extract(warehouse, "--landing", str(landing), "--domain", "vehicles", "--workers", "1", **env)


def ledger(warehouse: WarehouseAddress, corporate: str) -> list[tuple[int, str, str | None]]:
    """(load id, status, error) of a corporate's feeds, in load order."""
    return query(
        warehouse,
        "select load_id, status, error from raw.load_ledger where landing_key like %s order by load_id",
        (f"vehicles/corporate={corporate}/%",),
    )


def available(warehouse: WarehouseAddress, corporate: str) -> list[str]:
    rows = query(
        warehouse,
        "select external_source_id from marts.vehicle_layer where corporate_id = %s and is_available order by 1",
        (corporate,),
    )
    return [row[0] for row in rows]


def test_broken_feeds_are_held_until_released(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    for corporate in ("901", "902", "903"):
        write_feed(landing, corporate, "DMS_A", "day1.xml", stock(*STOCK), T1)
    # corporate 904 sent day 1 and day 3; its day-2 feed arrives late, and empty
    write_feed(landing, "904", "DMS_A", "day1.xml", stock(*STOCK), T1)
    write_feed(landing, "904", "DMS_A", "day3.xml", stock(*STOCK), T3)
    first = extract(warehouse, landing)
    assert first.returncode == 0, first.stdout + first.stderr

    write_feed(landing, "901", "DMS_A", "day2.xml", GESTIONALEAUTO_EXPORT, T2)  # misfiled
    write_feed(landing, "902", "DMS_A", "day2.xml.zip", EMPTY_EXPORT, T2)  # empty
    write_feed(landing, "903", "DMS_A", "day2.xml", stock("S1"), T2)  # 4 of 5 gone: 80%
    write_feed(landing, "904", "DMS_A", "day2.xml", EMPTY_EXPORT, T2)  # empty and late
    second = extract(warehouse, landing)

    assert second.returncode == 1, second.stdout + second.stderr
    held = {corporate: ledger(warehouse, corporate)[-1] for corporate in ("901", "902", "903", "904")}
    assert {corporate: status for corporate, (_, status, _) in held.items()} == dict.fromkeys(held, "held")
    misfiled, empty, drop, late = (held[c][2] or "" for c in ("901", "902", "903", "904"))
    assert misfiled.startswith(
        "held: no <Ad> record element in the file (its document element <export_gestionaleauto> holds <car>, "
        "the record element of GESTIONALEAUTO): is it another DMS's export dropped in the DMS_A folder?"
    )
    assert "would remove 5 of 5 available vehicles of corporate 901 in DMS_A (100%)" in misfiled
    assert empty.startswith("held: the export lists no vehicles: <Ads> holds no <Ad> record.")
    assert "would remove 5 of 5 available vehicles of corporate 902 in DMS_A" in empty
    assert drop.startswith(
        "held: it would remove 4 of 5 available vehicles of corporate 903 in DMS_A "
        "(80% > 50%, EXTRACT_HOLD_REMOVAL_SHARE) compared with load "
    )
    assert "is older than the applied feed of corporate 904 in DMS_A" in late
    for corporate, (load_id, _, reason) in held.items():
        assert (reason or "").endswith(f"release with: python -m extract release {load_id}"), corporate
        assert f"(load {load_id}): {reason}" in second.stdout  # the summary lists each with its reason
    assert "Held (landed in raw, not applied" in second.stdout
    # the held files' rows are in raw, and the files moved to imported/ like loaded ones
    assert query(warehouse, "select rows_loaded from raw.load_ledger where load_id = %s", (held["903"][0],)) == [(1,)]
    assert not [p for p in (landing / "vehicles").rglob("day2.xml*")]
    assert len(list((landing / "imported").rglob("day2.xml*"))) == 4

    built = run_dbt(warehouse, tmp_path, *BUILD)
    assert built.returncode == 0, built.stdout[-5000:]
    for corporate in ("901", "902", "903", "904"):
        assert available(warehouse, corporate) == STOCK, corporate
    assert query(
        warehouse,
        "select status, is_applied, error from marts.load_audit where load_id = %s",
        (held["903"][0],),
    ) == [("held", False, drop)]
    # the views for looking at typed records show applied feeds only
    for view in ("staging.stg_dms_a__vehicles", "intermediate.int_vehicle_versions_unioned"):
        assert query(warehouse, f"select count(*) from {view} where load_id = %s", (held["903"][0],)) == [(0,)]
        assert query(warehouse, f"select count(*) from {view}") == [(5 * len(STOCK),)], (
            view
        )  # four day-1 feeds and the day-3 one

    for corporate, (load_id, _, reason) in held.items():
        released = run_extract(warehouse, "release", str(load_id))
        assert released.returncode == 0, released.stdout + released.stderr
        assert f"released load {load_id}" in released.stdout
        [(status, note)] = query(warehouse, "select status, error from raw.load_ledger where load_id = %s", (load_id,))
        assert status == "released" and note.startswith("released by hand at ")
        assert note.endswith(f"(was {reason.split('. Check the export with the DMS')[0]})"), corporate
    rebuilt = run_dbt(warehouse, tmp_path, *BUILD)
    assert rebuilt.returncode == 0, rebuilt.stdout[-5000:]

    assert available(warehouse, "901") == available(warehouse, "902") == []
    assert available(warehouse, "903") == ["S1"]
    assert query(
        warehouse,
        "select count(*), min(removed_at), max(removed_at) from marts.vehicle_layer"
        " where corporate_id = '903' and not is_available",
    ) == [(4, T2, T2)]
    # the late empty feed, released, sorts before day 3 (built already): its sequence was rebuilt with
    # every vehicle absent on day 2; day 3 still decides what is available
    assert available(warehouse, "904") == STOCK
    history = query(
        warehouse,
        "select external_source_id, version_number, valid_from, valid_to from marts.vehicle_layer_history"
        " where corporate_id = '904' order by 1, 2",
    )
    assert history == [row for s in STOCK for row in ((s, 1, T1, T2), (s, 2, T3, None))]


def test_a_later_feed_supersedes_a_held_one_and_keeps_its_repeated_records(
    warehouse: WarehouseAddress, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    write_feed(landing, "905", "DMS_A", "day1.xml", stock(*STOCK), T1)
    assert extract(warehouse, landing).returncode == 0
    write_feed(landing, "905", "DMS_A", "day2.xml", stock("S1", price="9900.00"), T2)  # held: 80% gone
    day3 = document([Ad("S1", list_price="9900.00"), *(Ad(s) for s in STOCK[1:])])  # S1 as on day 2
    write_feed(landing, "905", "DMS_A", "day3.xml", day3, T3)

    done = extract(warehouse, landing)

    assert done.returncode == 1, done.stdout + done.stderr  # the day-2 feed was held in this run
    (day1_id, _, _), (held_id, held_status, held_note), (day3_id, day3_status, _) = ledger(warehouse, "905")
    assert (held_status, day3_status) == ("superseded", "loaded")
    assert held_note.startswith(
        f"superseded by load {day3_id}, a later applied feed of corporate 905 in DMS_A: no longer releasable "
        "(was held: it would remove 4 of 5"
    )
    # raw compaction compared day 3 with day 1 (the previous applied feed), not with the held day 2:
    # day 3's S1 repeats day 2's record but keeps its JSON, which dbt types the new price from
    compacted = query(
        warehouse,
        "select load_id, stock_id, record = 'null'::jsonb from raw.vehicle_records where load_id <> %s order by 1, 2",
        (day1_id,),
    )
    assert compacted == [(held_id, "S1", False)] + [(day3_id, s, s != "S1") for s in STOCK]

    refused = run_extract(warehouse, "release", str(held_id))
    assert refused.returncode == 1
    assert f"refused: load {held_id}" in refused.stderr and f"superseded by load {day3_id}" in refused.stderr

    built = run_dbt(warehouse, tmp_path, *BUILD)
    assert built.returncode == 0, built.stdout[-5000:]
    assert available(warehouse, "905") == STOCK
    assert query(
        warehouse,
        "select list_price, valid_from, valid_to from marts.vehicle_layer_history"
        " where external_source_id = 'S1' order by version_number",
    ) == [(Decimal("12900.00"), T1, T3), (Decimal("9900.00"), T3, None)]  # the held day 2 left no trace
    assert query(warehouse, "select status, is_applied from marts.load_audit order by load_id") == [
        ("loaded", True),
        ("superseded", False),
        ("loaded", True),
    ]


def test_a_normal_change_is_not_held_and_the_share_is_configurable(
    warehouse: WarehouseAddress, landing_dir: Path
) -> None:
    write_feed(landing_dir, "906", "DMS_A", "day1.xml", stock(*STOCK), T1)
    write_feed(landing_dir, "907", "DMS_A", "day1.xml", stock(*STOCK), T1)
    assert extract(warehouse, landing_dir).returncode == 0
    write_feed(landing_dir, "906", "DMS_A", "day2.xml", stock(*STOCK[:4]), T2)  # 1 of 5 sold: 20%
    normal = extract(warehouse, landing_dir)
    assert normal.returncode == 0, normal.stdout + normal.stderr
    assert [status for _, status, _ in ledger(warehouse, "906")] == ["loaded", "loaded"]

    write_feed(landing_dir, "907", "DMS_A", "day2.xml", stock(*STOCK[:4]), T2)
    strict = extract(warehouse, landing_dir, EXTRACT_HOLD_REMOVAL_SHARE="0.1")
    assert strict.returncode == 1
    [_, (_, status, reason)] = ledger(warehouse, "907")
    assert status == "held" and "would remove 1 of 5 available vehicles of corporate 907 in DMS_A (20% > 10%" in reason

    write_feed(landing_dir, "906", "DMS_A", "day3.xml", stock("S1"), T3)
    misconfigured = extract(warehouse, landing_dir, EXTRACT_HOLD_REMOVAL_SHARE="half")
    assert misconfigured.returncode == 2
    assert "EXTRACT_HOLD_REMOVAL_SHARE='half' is not a share between 0 and 1" in misconfigured.stderr
    assert (landing_dir / "vehicles/corporate=906/source=DMS_A/day3.xml").exists()  # nothing was touched


def test_release_says_what_it_can_and_cannot_do(warehouse: WarehouseAddress, landing_dir: Path) -> None:
    write_feed(landing_dir, "908", "DMS_A", "data.xml", stock(*STOCK), T1)
    assert extract(warehouse, landing_dir).returncode == 0
    write_feed(landing_dir, "908", "DMS_A", "data.xml", EMPTY_EXPORT, T2)  # the same key, re-uploaded empty
    assert extract(warehouse, landing_dir).returncode == 1
    [(loaded_id, _, _), (held_id, _, reason)] = ledger(warehouse, "908")

    listed = run_extract(warehouse, "release")
    assert listed.returncode == 0
    assert f"load {held_id}  vehicles/corporate=908/source=DMS_A/data.xml" in listed.stdout and reason in listed.stdout

    # the same broken content delivered again (or a run killed after the commit) is not landed twice
    write_feed(landing_dir, "908", "DMS_A", "data.xml", EMPTY_EXPORT, T2)
    again = extract(warehouse, landing_dir)
    assert again.returncode == 0, again.stdout
    assert ledger(warehouse, "908")[-1][1:] == ("skipped", f"same content as load {held_id}")

    unknown = run_extract(warehouse, "release", "999")
    assert unknown.returncode == 2
    assert "no load 999 in raw.load_ledger" in unknown.stderr
    not_held = run_extract(warehouse, "release", str(loaded_id))
    assert not_held.returncode == 1
    assert f"load {loaded_id} (vehicles/corporate=908/source=DMS_A/data.xml) is loaded, not held" in not_held.stderr

    released = run_extract(warehouse, "release", str(held_id))
    assert released.returncode == 0, released.stderr
    assert "its 0 vehicles are now the stock of corporate 908 in DMS_A" in released.stdout
    twice = run_extract(warehouse, "release", str(held_id))
    assert twice.returncode == 1 and "is released, not held" in twice.stderr
    assert "No held vehicle feeds." in run_extract(warehouse, "release").stdout


def test_a_ledger_from_before_held_feeds_accepts_the_new_statuses(
    warehouse: WarehouseAddress, landing_dir: Path
) -> None:
    conn = connect(warehouse)
    with conn, conn.cursor() as cur:  # the ledger as extractors before held feeds made it
        cur.execute(
            "create schema raw; create table raw.load_ledger (load_id bigserial primary key, domain text not null,"
            " landing_uri text not null, landing_key text not null, size_bytes bigint not null,"
            " sha256 char(64) not null, feed_at timestamptz not null, started_at timestamptz not null,"
            " finished_at timestamptz, status text not null check (status in ('loaded', 'rejected', 'skipped')),"
            " rows_loaded bigint not null default 0, rows_rejected bigint not null default 0, error text)"
        )
    conn.close()
    write_feed(landing_dir, "909", "DMS_A", "day1.xml", EMPTY_EXPORT, T1)

    done = extract(warehouse, landing_dir)

    assert done.returncode == 1, done.stdout + done.stderr
    assert [status for _, status, _ in ledger(warehouse, "909")] == ["held"]
    assert run_extract(warehouse, "release", str(ledger(warehouse, "909")[0][0])).returncode == 0
    assert [status for _, status, _ in ledger(warehouse, "909")] == ["released"]
    checks = query(
        warehouse,
        "select pg_get_constraintdef(oid) from pg_constraint"
        " where conrelid = 'raw.load_ledger'::regclass and contype = 'c'",
    )
    assert len(checks) == 1 and "'superseded'" in checks[0][0]  # replaced, not added beside the old one
