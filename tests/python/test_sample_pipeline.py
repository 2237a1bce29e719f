"""The whole pipeline on the bundled sample data: extract, then `dbt build`, on a fresh database."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import query, run_dbt, run_extract

from extract.warehouse import WarehouseAddress


@pytest.fixture
def sample_build(warehouse: WarehouseAddress, tmp_path: Path) -> WarehouseAddress:
    landing = tmp_path / "landing"
    landed = run_extract(warehouse, "sample-data", "--landing", str(landing))
    assert landed.returncode == 0, landed.stderr
    extracted = run_extract(warehouse, "--landing", str(landing))
    assert extracted.returncode == 0, extracted.stdout + extracted.stderr
    built = run_dbt(warehouse, tmp_path, "build")
    assert built.returncode == 0, built.stdout[-5000:]
    return warehouse


def test_dbt_build_on_sample_data_fills_the_marts(sample_build: WarehouseAddress) -> None:
    statuses = query(sample_build, "select domain, status, count(*) from marts.load_audit group by 1, 2 order by 1, 2")
    assert ("lab", "loaded", 2) in statuses
    schemas = {row[0] for row in query(sample_build, "select schema_name from information_schema.schemata")}
    assert {"raw", "staging", "marts"} <= schemas
