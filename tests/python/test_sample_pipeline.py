"""The whole pipeline on the bundled sample data: extract, then `dbt build`, on a fresh database."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import PROJECT_ROOT, extract_env, query, run_extract

from extract.warehouse import WarehouseAddress


def dbt(address: WarehouseAddress, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run dbt as a user would, against `address`, with its own profile and target folders."""
    profiles = workdir / "profiles"
    profiles.mkdir(exist_ok=True)
    shutil.copyfile(PROJECT_ROOT / "profiles.yml.example", profiles / "profiles.yml")
    return subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), *args, "--profiles-dir", str(profiles),
         "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")],
        env=extract_env(address, DBT_TARGET="dev"), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


@pytest.fixture
def sample_build(warehouse: WarehouseAddress, tmp_path: Path) -> WarehouseAddress:
    landing = tmp_path / "landing"
    landed = run_extract(warehouse, "sample-data", "--landing", str(landing))
    assert landed.returncode == 0, landed.stderr
    extracted = run_extract(warehouse, "--landing", str(landing))
    assert extracted.returncode == 0, extracted.stdout + extracted.stderr
    built = dbt(warehouse, tmp_path, "build")
    assert built.returncode == 0, built.stdout[-5000:]
    return warehouse


def test_dbt_build_on_sample_data_fills_the_marts(sample_build: WarehouseAddress) -> None:
    statuses = query(sample_build, "select domain, status, count(*) from marts.load_audit group by 1, 2 order by 1, 2")
    assert ("lab", "loaded", 2) in statuses
    schemas = {row[0] for row in query(sample_build, "select schema_name from information_schema.schemata")}
    assert {"raw", "staging", "marts"} <= schemas
