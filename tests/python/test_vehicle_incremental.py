"""Incremental `dbt build`s of the vehicle marts give what a full rebuild of the same feeds gives.

Day 1, then day 2 with every kind of change a daily snapshot brings (a price change on a vehicle two
corporates list, a removal, a new stock id taking over a VIN, a corrected VIN that leaves its old
vehicle with no layer), then day 3 (a conflict resolved, the removed stock id back), built incrementally;
then the same marts rebuilt with --full-refresh.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from support import query, run_dbt, run_extract
from vehicle_feeds import Ad, document, write_feed

from extract.warehouse import WarehouseAddress, connect

V1, V1_CORRECTED, V2, V3 = "ZFA31200000000001", "ZFA31200000000011", "ZFA31200000000002", "ZFA31200000000003"
MARTS = (
    "vehicle", "vehicle_field_lineage", "vehicle_conflict", "vehicle_image", "vehicle_optional", "vehicle_layer",
    "vehicle_layer_history",
)  # fmt: skip
BUILD = (
    "build",
    "--select",
    "+vehicle_snapshot+",
    "+vehicle+",
    "+vehicle_conflict+",
    "+vehicle_image+",
    "+vehicle_optional+",
    "+vehicle_layer+",
    "+vehicle_field_lineage+",
    "+vehicle_layer_history+",
)


def mart_rows(warehouse: WarehouseAddress) -> dict[str, list[tuple]]:
    """Every row of every vehicle mart, without the columns that say when dbt wrote it."""
    rows = {}
    for table in MARTS:
        columns = [
            name
            for (name,) in query(
                warehouse,
                "select column_name from information_schema.columns where table_schema = 'marts'"
                " and table_name = %s and column_name not in ('batch_at', 'built_at') order by ordinal_position",
                (table,),
            )
        ]
        rows[table] = sorted(query(warehouse, f"select {', '.join(columns)} from marts.{table}"), key=repr)
    return rows


def failed_rows(dbt_output: str, test_name: str) -> int | None:
    """The rows the failing data test whose name starts with `test_name` returned ("Got N results"), if it failed."""
    found = re.search(rf"Failure in test {test_name}.*?Got (\d+) result", dbt_output, re.DOTALL)
    return int(found.group(1)) if found else None


def extract_and_build(warehouse: WarehouseAddress, landing: Path, tmp_path: Path, *extra: str) -> None:
    extracted = run_extract(warehouse, "--landing", str(landing), "--domain", "vehicles")
    assert extracted.returncode == 0, extracted.stdout + extracted.stderr
    built = run_dbt(warehouse, tmp_path, *BUILD, *extra)
    assert built.returncode == 0, built.stdout[-5000:]


def test_incremental_builds_equal_a_full_rebuild(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    day1, day2 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC), datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
    first = [Ad("X1", vin=V1), Ad("X2", vin=V2, list_price="8000.00"), Ad("X3", vin=V3, list_price="10000.00")]
    write_feed(landing, "901", "DMS_A", "day1.xml", document(first), day1)
    write_feed(landing, "902", "DMS_A", "day1.xml", document([Ad("Y3", vin=V3, list_price="10500.00")]), day1)
    extract_and_build(warehouse, landing, tmp_path)
    assert query(warehouse, "select vehicle_id from marts.vehicle order by 1") == [(V1,), (V2,), (V3,)]

    second = [
        Ad("X1", vin=V1_CORRECTED),  # the VIN corrected: vehicle V1 has no layer left
        Ad("X3", vin=V3, list_price="9000.00"),  # the later write wins over corporate 902's price
        Ad("X4", vin=V2, list_price="7900.00", images=["https://img.example/x4-1.jpg", "https://img.example/x4-2.jpg"]),
    ]  # X2 is gone
    write_feed(landing, "901", "DMS_A", "day2.xml", document(second), day2)
    write_feed(landing, "902", "DMS_A", "day2.xml", document([Ad("Y3", vin=V3, list_price="10500.00")]), day2)
    extract_and_build(warehouse, landing, tmp_path)
    incremental = mart_rows(warehouse)

    assert query(warehouse, "select vehicle_id, list_price, layer_count from marts.vehicle order by 1") == [
        (V2, Decimal("7900.00"), 2),
        (V3, Decimal("9000.00"), 2),
        (V1_CORRECTED, Decimal("12900.00"), 1),
    ]
    assert query(warehouse, "select url from marts.vehicle_image where vehicle_id = %s order by position", (V2,)) == [
        ("https://img.example/x4-1.jpg",),
        ("https://img.example/x4-2.jpg",),
    ]
    assert query(
        warehouse,
        "select external_source_id, value, is_winner from marts.vehicle_conflict"
        " where vehicle_id = %s and field_name = 'list_price' order by 1",
        (V3,),
    ) == [("X3", "9000.00", True), ("Y3", "10500.00", False)]

    snapshot = query(
        warehouse,
        "select vehicle_id, list_price, layer_count, dbt_valid_to is null from snapshots.vehicle_snapshot"
        " where vehicle_id in (%s, %s) order by 1, dbt_valid_from",
        (V1, V3),
    )
    assert [row for row in snapshot if row[0] == V1] == [
        (V1, Decimal("12900.00"), 1, False),
        (V1, None, 0, True),  # left without layers: a last row says so
    ]
    assert [row[1:] for row in snapshot if row[0] == V3][-1] == (Decimal("9000.00"), 2, True)
    assert len([row for row in snapshot if row[0] == V3]) == 2

    # nothing new: the marts keep every row as it is (not even rewritten)
    written = query(warehouse, "select max(batch_at) from marts.vehicle")
    built = run_dbt(warehouse, tmp_path, *BUILD)
    assert built.returncode == 0, built.stdout[-5000:]
    assert query(warehouse, "select max(batch_at) from marts.vehicle") == written
    assert mart_rows(warehouse) == incremental

    # day 3: corporate 902 lowers its price to 9000 too: the conflict is gone, its rows with it; X2 is back
    day3 = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
    third = [*second, Ad("X2", vin=V2, list_price="8100.00")]
    write_feed(landing, "901", "DMS_A", "day3.xml", document(third), day3)
    write_feed(landing, "902", "DMS_A", "day3.xml", document([Ad("Y3", vin=V3, list_price="9000.00")]), day3)
    extract_and_build(warehouse, landing, tmp_path)
    assert query(warehouse, "select count(*) from marts.vehicle_conflict where vehicle_id = %s", (V3,)) == [(0,)]
    assert query(
        warehouse,
        "select version_number, list_price, is_current from marts.vehicle_layer_history"
        " where external_source_id = 'X2' order by 1",
    ) == [(1, Decimal("8000.00"), False), (2, Decimal("8100.00"), True)]
    incremental = mart_rows(warehouse)

    rebuilt = run_dbt(warehouse, tmp_path, *BUILD, "--full-refresh")
    assert rebuilt.returncode == 0, rebuilt.stdout[-5000:]
    assert mart_rows(warehouse) == incremental

    # the data tests of the big tables check their latest batch (batch_column): a broken row of it fails
    # `dbt test` (the lineage of a shared vehicle is its winners' table; the mart is a view over it) ...
    conn = connect(warehouse)
    with conn, conn.cursor() as cur:
        cur.execute("update intermediate.int_vehicle_field_winners set value = null where vehicle_id = %s", (V2,))
        cur.execute("update marts.vehicle set first_seen_at = null where vehicle_id = %s", (V3,))
        # ... a broken row of an earlier batch is not the latest batch's
        cur.execute(
            "update marts.vehicle set first_seen_at = null, batch_at = batch_at - interval '1 day'"
            " where vehicle_id = %s",
            (V1_CORRECTED,),
        )
    conn.close()
    tested = run_dbt(warehouse, tmp_path, "test", "--select", "vehicle_field_lineage", "vehicle")
    assert tested.returncode == 1
    assert "Failure in test not_null_columns_vehicle_field_lineage" in tested.stdout
    assert failed_rows(tested.stdout, "not_null_columns_vehicle_batch_at") == 1
    # every row with test_all_rows: both broken vehicles
    everything = run_dbt(warehouse, tmp_path, "test", "--select", "vehicle", "--vars", "{test_all_rows: true}")
    assert everything.returncode == 1
    assert failed_rows(everything.stdout, "not_null_columns_vehicle_batch_at") == 2


def test_two_new_feeds_in_one_build_give_the_versions_a_build_per_feed_gives(
    warehouse: WarehouseAddress, tmp_path: Path
) -> None:
    """A build that finds two new feeds of one corporate + DMS (the scheduled build missed a day) compares each
    feed with the one before: a stock id missing from one of them closes its version and opens another when it
    is back; one listed twice with the same content is unchanged; a change in the later feed starts a version."""
    landing = tmp_path / "landing"
    day1, day2, day3 = (datetime(2026, 11, 20 + day, 6, 0, tzinfo=UTC) for day in range(3))
    a, b, c = Ad("A1", vin=V1, list_price="8000.00"), Ad("B1", vin=V2), Ad("C1", vin=V3)
    write_feed(landing, "903", "DMS_A", "day1.xml", document([a, b, c]), day1)
    extract_and_build(warehouse, landing, tmp_path)
    write_feed(landing, "903", "DMS_A", "day2.xml", document([a, b, b]), day2)  # C1 missing, B1 listed twice
    write_feed(landing, "903", "DMS_A", "day3.xml", document([Ad("A1", vin=V1, list_price="7500.00"), b, c]), day3)
    extract_and_build(warehouse, landing, tmp_path)
    history = (
        "select external_source_id, version_number, list_price, valid_from, valid_to, is_current"
        " from marts.vehicle_layer_history order by 1, 2"
    )
    assert query(warehouse, history) == [
        ("A1", 1, Decimal("8000.00"), day1, day3, False),
        ("A1", 2, Decimal("7500.00"), day3, None, True),
        ("B1", 1, Decimal("12900.00"), day1, None, True),
        ("C1", 1, Decimal("12900.00"), day1, day2, False),
        ("C1", 2, Decimal("12900.00"), day3, None, True),
    ]
    incremental = mart_rows(warehouse)

    rebuilt = run_dbt(warehouse, tmp_path, *BUILD, "--full-refresh")
    assert rebuilt.returncode == 0, rebuilt.stdout[-5000:]
    assert mart_rows(warehouse) == incremental
