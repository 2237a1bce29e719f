"""The columns BI joins and filters the catalogue by: vehicle_layer.vehicle_id and vehicle.removed_at,
through an incremental build (day 1, then day 2), on a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from support import query, run_dbt, run_extract
from vehicle_feeds import Ad, document, write_feed

from extract.warehouse import WarehouseAddress

DAY1, DAY2 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC), datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
VIN = "ZFA31200000000007"
# cautious: not the tests of vehicle_image and vehicle_optional, which this build does not make
BUILD = ("build", "--select", "+vehicle", "+vehicle_layer", "--indirect-selection", "cautious")


def extract_and_build(warehouse: WarehouseAddress, landing: Path, tmp_path: Path) -> None:
    extracted = run_extract(warehouse, "--landing", str(landing), "--domain", "vehicles", "--workers", "1")
    assert extracted.returncode == 0, extracted.stdout + extracted.stderr
    built = run_dbt(warehouse, tmp_path, *BUILD)
    assert built.returncode == 0, built.stdout[-5000:]


def vehicles_by_layer(warehouse: WarehouseAddress) -> list[tuple]:
    """Each layer joined to its vehicle by vehicle_id, as BI joins them."""
    return query(
        warehouse,
        "select layer.corporate_id, layer.external_source_id, layer.is_available, vehicle.vin,"
        " vehicle.is_available, vehicle.removed_at"
        " from marts.vehicle_layer as layer"
        " inner join marts.vehicle as vehicle on layer.vehicle_id = vehicle.vehicle_id"
        " order by 1, 2",
    )


def test_layers_join_their_vehicle_and_a_vehicle_is_removed_with_its_last_layer(
    warehouse: WarehouseAddress, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    # N1 has no VIN (a vehicle of its own); corporates 921 and 922 both list the vehicle with VIN
    kept = [Ad("K1"), Ad("K2"), Ad("K3")]  # so that day 2 removes 2 of 5, not a feed to hold
    write_feed(landing, "921", "DMS_A", "day1.xml", document([Ad("N1"), Ad("W1", vin=VIN), *kept]), DAY1)
    write_feed(landing, "922", "DMS_A", "day1.xml", document([Ad("W2", vin=VIN)]), DAY1)
    extract_and_build(warehouse, landing, tmp_path)

    assert vehicles_by_layer(warehouse) == [
        *(("921", ad.stock_id, True, None, True, None) for ad in kept),
        ("921", "N1", True, None, True, None),
        ("921", "W1", True, VIN, True, None),
        ("922", "W2", True, VIN, True, None),
    ]
    assert query(warehouse, "select count(*) from marts.vehicle") == [(5,)]

    # day 2: 921 sold both (N1's only layer, and one of the VIN's two layers)
    write_feed(landing, "921", "DMS_A", "day2.xml", document([Ad("N2"), *kept]), DAY2)
    write_feed(landing, "922", "DMS_A", "day2.xml", document([Ad("W2", vin=VIN)]), DAY2)
    extract_and_build(warehouse, landing, tmp_path)  # incremental

    assert vehicles_by_layer(warehouse) == [
        *(("921", ad.stock_id, True, None, True, None) for ad in kept),
        ("921", "N1", False, None, False, DAY2),  # its only layer gone: removed with it
        ("921", "N2", True, None, True, None),
        ("921", "W1", False, VIN, True, None),  # 922 still lists the vehicle: not removed
        ("922", "W2", True, VIN, True, None),
    ]
    layer_ids = query(warehouse, "select vehicle_id, 'layer:' || layer_id from marts.vehicle_layer where vin is null")
    assert all(vehicle_id == own_key for vehicle_id, own_key in layer_ids) and len(layer_ids) == 5
