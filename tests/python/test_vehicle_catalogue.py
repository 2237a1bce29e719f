"""The vehicle catalogue on a real PostgreSQL: extract the sample feeds of four DMS, `dbt build`, and
check what a catalogue user would (sample_data/vehicles/README.md lists the expected values)."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from support import PROJECT_ROOT, query, run_dbt, run_extract
from test_dms_onboarding import copy_project
from vehicle_feeds import Ad, document, write_feed

from extract.warehouse import WarehouseAddress

# every vehicle mart and the snapshot, with what they are built from
CATALOGUE_BUILD = (
    "build", "--select", "+vehicle_snapshot+", "+vehicle_conflict+", "+vehicle_image+", "+vehicle_optional+",
    "+vehicle_layer+", "+vehicle_field_lineage+", "+vehicle_layer_history",
)  # fmt: skip

GIULIA, GOLF, PANDA = "ZARFAEDN8M7345127", "WVWZZZCD3LW204518", "ZFA31200XNJ482913"


def build_sample(warehouse: WarehouseAddress, tmp_path: Path, project: Path = PROJECT_ROOT) -> Path:
    landing = tmp_path / "landing"
    assert run_extract(warehouse, "sample-data", "--landing", str(landing)).returncode == 0
    extracted = run_extract(warehouse, "--landing", str(landing), "--domain", "vehicles", cwd=project)
    assert extracted.returncode == 0, extracted.stdout + extracted.stderr
    built = run_dbt(warehouse, tmp_path, *CATALOGUE_BUILD, project_dir=project)
    assert built.returncode == 0, built.stdout[-5000:]
    return landing


def vehicle(warehouse: WarehouseAddress, vehicle_id: str, *columns: str) -> tuple:
    [row] = query(warehouse, f"select {', '.join(columns)} from marts.vehicle where vehicle_id = %s", (vehicle_id,))
    return row


def test_sample_catalogue(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    build_sample(warehouse, tmp_path)

    assert query(warehouse, "select count(*), sum(case when is_available then 1 else 0 end) from marts.vehicle") == [
        (11, 10)
    ]
    # field-level last writer wins across two DMS: GestionaleAuto changed the Giulia's price on day 1 at
    # 09:00; DMS_A re-sent its unchanged price on day 2, which is not a new write
    assert vehicle(warehouse, GIULIA, "list_price", "mileage", "color", "make_code", "layer_count") == (
        Decimal("31900.00"), 45350, "Rosso Competizione", "ALF7148", 2,
    )  # fmt: skip
    lineage = dict(
        query(
            warehouse,
            "select field_name, source from marts.vehicle_field_lineage where vehicle_id = %s",
            (GIULIA,),
        )
    )
    assert lineage["list_price"] == "GESTIONALEAUTO" and lineage["dealer_code"] == "DMS_A"  # only DMS_A has it
    assert query(
        warehouse,
        "select source, value, is_winner from marts.vehicle_conflict"
        " where vehicle_id = %s and field_name = 'list_price' order by source",
        (GIULIA,),
    ) == [("DMS_A", "32500.00", False), ("GESTIONALEAUTO", "31900.00", True)]
    # the same car listed by two corporates in two DMS
    assert vehicle(warehouse, GOLF, "list_price", "model_code", "dealer_code") == (
        Decimal("18490.00"),
        "GOLF",
        "20381745",
    )
    # day 2 changed the Panda; the Jeep (invalid VIN: its own vehicle id) vanished from the snapshot
    assert vehicle(warehouse, PANDA, "list_price", "mileage") == (Decimal("12500.00"), 28950)
    [(jeep_available, jeep_removed, jeep_vin)] = query(
        warehouse,
        "select is_available, removed_at, vin from marts.vehicle_layer where external_source_id = 'A-1004'",
    )
    assert (jeep_available, jeep_removed, jeep_vin) == (False, datetime(2026, 11, 21, 6, 0, tzinfo=UTC), None)
    # Italian numbers and month-precision dates (Multigestionale), YYYY-MM (mobile.de)
    layers = dict(
        (r[0], r[1:])
        for r in query(
            warehouse,
            "select external_source_id, list_price, mileage, registration_date from marts.vehicle_layer"
            " where source in ('MULTIGESTIONALE', 'MOBILEDE')",
        )
    )
    assert layers["88301"] == (Decimal("21900.00"), 38500, datetime(2021, 3, 1).date())
    assert layers["88302"][0] == Decimal("24750.00")
    assert layers["MB-7781"][2] == datetime(2020, 9, 1).date()
    # Multigestionale's images reuse the record's own tag <element>: still 3 vehicles, with their images
    assert query(
        warehouse,
        "select l.external_source_id, count(*) from marts.vehicle_image i"
        " join marts.vehicle_layer l on i.vehicle_id = 'layer:' || l.layer_id"
        " where l.source = 'MULTIGESTIONALE' group by 1 order by 1",
    ) == [("88301", 3), ("88302", 2), ("88303", 2)]
    # images of the winning layer, largest size present (GestionaleAuto: big when hd is empty)
    assert query(
        warehouse, "select source, url from marts.vehicle_image where vehicle_id = %s and position = 1", (GIULIA,)
    ) == [("GESTIONALEAUTO", "https://img.gestionaleauto.example/101/GA-5521/1_big.jpg")]
    assert query(warehouse, "select count(*) from snapshots.vehicle_snapshot where dbt_valid_to is null") == [(11,)]


def test_late_feed_does_not_win_and_a_returning_vehicle_is_available_again(
    warehouse: WarehouseAddress, tmp_path: Path
) -> None:
    landing = build_sample(warehouse, tmp_path)
    # loaded after the day-2 feed but written on 19 November: older than everything DMS_A sent
    late = [Ad("A-1001", vin=PANDA, make="Fiat", model="Panda", list_price="99999.00")]
    write_feed(landing, "101", "DMS_A", "late.xml", document(late), datetime(2026, 11, 19, 6, 0, tzinfo=UTC))
    assert run_extract(warehouse, "--landing", str(landing)).returncode == 0
    built = run_dbt(warehouse, tmp_path, *CATALOGUE_BUILD)
    assert built.returncode == 0, built.stdout[-4000:]

    assert vehicle(warehouse, PANDA, "list_price") == (Decimal("12500.00"),)
    history = query(
        warehouse,
        "select list_price, valid_from, valid_to from marts.vehicle_layer_history"
        " where external_source_id = 'A-1001' order by valid_from",
    )
    assert [(price, start.day, end.day if end else None) for price, start, end in history] == [
        (Decimal("99999.00"), 19, 20),  # slotted in before the versions already built
        (Decimal("12900.00"), 20, 21),
        (Decimal("12500.00"), 21, None),
    ]

    # day 3: the Jeep comes back (same content as on day 1), everything else as on day 2
    samples = PROJECT_ROOT / "sample_data/vehicles/corporate=101/source=DMS_A"
    day1 = zipfile.ZipFile(samples / "data__20261120T0600Z.xml.zip").read("data.xml").decode()
    day2 = zipfile.ZipFile(samples / "data__20261121T0600Z.xml.zip").read("data.xml").decode()
    jeep = "<Ad>" + day1.split("<Ad>")[4].split("</Ads>")[0]
    body = day2.replace("</Ads>", jeep + "</Ads>")
    write_feed(landing, "101", "DMS_A", "data.xml.zip", body, datetime(2026, 11, 22, 6, 0, tzinfo=UTC))
    assert run_extract(warehouse, "--landing", str(landing)).returncode == 0
    rebuilt = run_dbt(warehouse, tmp_path, *CATALOGUE_BUILD)
    assert rebuilt.returncode == 0, rebuilt.stdout[-4000:]

    assert query(
        warehouse, "select is_available, removed_at from marts.vehicle_layer where external_source_id = 'A-1004'"
    ) == [(True, None)]
    jeep_versions = query(
        warehouse,
        "select version_number, valid_from, valid_to from marts.vehicle_layer_history"
        " where external_source_id = 'A-1004' order by version_number",
    )
    assert [(n, start.day, end.day if end else None) for n, start, end in jeep_versions] == [(1, 20, 21), (2, 22, None)]


def test_priority_seed_ranks_a_source_above_time(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    (project / "seeds" / "source_priority.csv").write_text("source,priority\nDMS_A,100\n")

    build_sample(warehouse, tmp_path, project)

    # DMS_A outranks GestionaleAuto's later write of the Giulia's price and colour
    assert vehicle(warehouse, GIULIA, "list_price", "color") == (Decimal("32500.00"), "Rosso Alfa")
