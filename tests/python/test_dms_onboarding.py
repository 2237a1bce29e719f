"""Onboarding a fifth DMS is adding its track file and a one-line staging model: no Python.

On a checkout that has built before, as a user's is: dbt then parses only the changed files (partial
parsing), so no model may depend on the set of track files through its refs."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from support import PROJECT_ROOT, query, run_dbt, run_extract

from extract.warehouse import WarehouseAddress

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "fifth_dms"
STAGING_MODEL = Path("models/staging/dms/stg_autoscout__vehicles.sql")


def copy_project(target: Path) -> Path:
    for name in ("dbt_project.yml", "profiles.yml.example"):
        shutil.copy2(PROJECT_ROOT / name, target / name)
    for folder in ("models", "macros", "tracks", "seeds", "snapshots", "tests/dbt"):
        shutil.copytree(PROJECT_ROOT / folder, target / folder)
    return target


def test_fifth_dms_from_its_track_file(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    landing = tmp_path / "landing"
    landing.mkdir()
    # a checkout that has built once: dbt keeps its parsed project (target/partial_parse.msgpack)
    first_extract = run_extract(warehouse, "--landing", str(landing), cwd=project)
    assert first_extract.returncode == 0, first_extract.stdout + first_extract.stderr
    first_build = run_dbt(warehouse, tmp_path, "build", project_dir=project)
    assert first_build.returncode == 0, first_build.stdout[-4000:]

    # the onboarding, as the README describes it
    shutil.copy2(FIXTURE / "autoscout.sql", project / "tracks" / "autoscout.sql")
    (project / STAGING_MODEL).write_text("{{ dms_vehicle_staging('autoscout') }}\n")
    feed = landing / "vehicles" / "corporate=7" / "source=AutoScout"
    feed.mkdir(parents=True)
    shutil.copy2(FIXTURE / "listings.xml", feed / "listings.xml")

    extracted = run_extract(warehouse, "--landing", str(landing), cwd=project)
    built = run_dbt(warehouse, tmp_path, "build", project_dir=project)

    assert extracted.returncode == 0, extracted.stdout + extracted.stderr
    assert built.returncode == 0, built.stdout[-4000:]
    assert "Partial parsing: added file: dealer_warehouse://tracks/autoscout.sql" in dbt_log(tmp_path)
    rows = query(
        warehouse,
        "select external_source_id, vin, make, list_price, mileage, registration_date, fuel, gearbox"
        " from intermediate.int_vehicle_versions_unioned where source = 'AUTOSCOUT' order by 1",
    )
    # make as the export spells it (docs/track_files.md: no case change)
    assert [tuple(map(str, r)) for r in rows] == [
        ("AS-1", "WBA8E9C55GK644215", "bmw", "15900.00", "88400", "2016-04-01", "PETROL", "AUTOMATIC"),
        ("AS-2", "None", "Skoda", "11250.50", "120000", "2017-11-01", "DIESEL", "MANUAL"),
    ]
    assert query(warehouse, "select distinct feed_at from raw.vehicle_records where dms = 'AUTOSCOUT'") == [
        (datetime(2026, 11, 20, 10, 0, tzinfo=UTC),)  # named inside the XML (track's feed_time), not the mtime
    ]
    images = query(
        warehouse,
        "select external_source_id, position, url from marts.vehicle_image where source = 'AUTOSCOUT' order by 1, 2",
    )
    assert images == [
        ("AS-1", 1, "https://as.example/AS-1/a.jpg"),
        ("AS-1", 2, "https://as.example/AS-1/b.jpg"),
        ("AS-2", 1, "https://as.example/AS-2/a.jpg"),
    ]

    # and off-boarding: both files removed, the next build on the same checkout still passes
    (project / "tracks" / "autoscout.sql").unlink()
    (project / STAGING_MODEL).unlink()
    rebuilt = run_dbt(warehouse, tmp_path, "build", project_dir=project)
    assert rebuilt.returncode == 0, rebuilt.stdout[-4000:]
    assert "Partial parsing: deleted file: dealer_warehouse://tracks/autoscout.sql" in dbt_log(tmp_path)
    unioned = "select count(*) from intermediate.int_vehicle_versions_unioned where source = 'AUTOSCOUT'"
    assert query(warehouse, unioned) == [(0,)]


def dbt_log(workdir: Path) -> str:
    """The debug log of the dbt runs in `workdir` (run_dbt's --log-path): says what partial parsing did."""
    return (workdir / "logs" / "dbt.log").read_text()
