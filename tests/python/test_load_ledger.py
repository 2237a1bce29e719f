"""The ledger: one row per file, skip on same content, rejected files moved aside with their reason."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from support import PROJECT_ROOT, query, run_extract

from extract.warehouse import WarehouseAddress

SAMPLE_LAB = PROJECT_ROOT / "sample_data" / "lab" / "unificado"


def land_lab_samples(landing: Path) -> list[str]:
    target = landing / "lab" / "unificado"
    target.mkdir(parents=True, exist_ok=True)
    names = []
    for path in sorted(SAMPLE_LAB.glob("*.csv")):
        shutil.copy2(path, target / path.name)
        names.append(f"lab/unificado/{path.name}")
    return names


def imported_files(landing: Path) -> list[str]:
    return sorted(p.name for p in (landing / "imported").rglob("*") if p.is_file())


def test_load_moves_files_and_records_ledger(warehouse: WarehouseAddress, landing_dir: Path) -> None:
    keys = land_lab_samples(landing_dir)

    done = run_extract(warehouse, "--landing", str(landing_dir))

    assert done.returncode == 0, done.stderr
    ledger = query(
        warehouse,
        "select landing_key, status, rows_loaded, length(sha256) from raw.load_ledger order by landing_key",
    )
    assert ledger == [(keys[0], "loaded", 6, 64), (keys[1], "loaded", 4, 64)]
    assert query(warehouse, "select count(*), count(distinct load_id) from raw.unificado_rows") == [(10, 2)]
    assert not (landing_dir / "lab" / "unificado").exists() or not any((landing_dir / "lab").rglob("*.csv"))
    moved = sorted(p.relative_to(landing_dir).as_posix() for p in (landing_dir / "imported").rglob("*.csv"))
    assert [m.split("/")[:3] for m in moved] == [["imported", "lab", "unificado"]] * 2
    assert all(len(m.split("/")) == 8 for m in moved)  # imported/lab/unificado/YYYY/MM/DD/HH/name
    assert "rows/s" in done.stdout and "total" in done.stdout


def test_same_content_again_is_skipped_not_loaded_twice(warehouse: WarehouseAddress, landing_dir: Path) -> None:
    land_lab_samples(landing_dir)
    assert run_extract(warehouse, "--landing", str(landing_dir)).returncode == 0

    land_lab_samples(landing_dir)  # the same files delivered again
    again = run_extract(warehouse, "--landing", str(landing_dir))

    assert again.returncode == 0, again.stderr
    statuses = query(warehouse, "select status, count(*) from raw.load_ledger group by status order by status")
    assert statuses == [("loaded", 2), ("skipped", 2)]
    assert query(warehouse, "select count(*) from raw.unificado_rows") == [(10,)]
    assert not any((landing_dir / "lab").rglob("*.csv"))  # skipped files are archived too


def test_changed_content_at_same_path_loads_again(warehouse: WarehouseAddress, landing_dir: Path) -> None:
    land_lab_samples(landing_dir)
    run_extract(warehouse, "--landing", str(landing_dir))
    first = sorted(SAMPLE_LAB.glob("*.csv"))[0]
    changed = landing_dir / "lab" / "unificado" / first.name
    changed.parent.mkdir(parents=True, exist_ok=True)
    changed.write_text(first.read_text().rstrip("\n").rsplit("\n", 1)[0] + "\n")  # one row fewer

    done = run_extract(warehouse, "--landing", str(landing_dir))

    assert done.returncode == 0, done.stderr
    rows = query(
        warehouse,
        "select status, rows_loaded from raw.load_ledger where landing_key = %s order by load_id",
        (f"lab/unificado/{first.name}",),
    )
    assert rows == [("loaded", 6), ("loaded", 5)]


def test_rejected_file_moves_aside_with_reason_while_others_load(
    warehouse: WarehouseAddress, landing_dir: Path
) -> None:
    land_lab_samples(landing_dir)
    bad = landing_dir / "lab" / "unificado" / "broken.csv"
    bad.write_text("CHROM,POS,REF\nchr1,1,A\n")

    done = run_extract(warehouse, "--landing", str(landing_dir))

    assert done.returncode == 1
    assert "broken.csv line 1: the header lacks ID, ALT" in done.stdout
    rejected = list((landing_dir / "rejected").rglob("broken.csv"))
    assert len(rejected) == 1
    reason = rejected[0].with_name("broken.csv.reason.txt").read_text()
    assert "the header lacks ID, ALT, QUAL" in reason
    ledger = query(warehouse, "select status, error is not null from raw.load_ledger order by landing_key")
    assert sorted(ledger) == [("loaded", False), ("loaded", False), ("rejected", True)]
    assert query(warehouse, "select count(*) from raw.unificado_rows") == [(10,)]


def test_file_outside_any_domain_is_rejected_with_the_known_folders(
    warehouse: WarehouseAddress, landing_dir: Path
) -> None:
    (landing_dir / "misc").mkdir()
    (landing_dir / "misc" / "notes.txt").write_text("hello\n")

    done = run_extract(warehouse, "--landing", str(landing_dir))

    assert done.returncode == 1
    assert "no domain handles the folder 'misc'" in done.stdout
    assert list((landing_dir / "rejected" / "misc").rglob("notes.txt.reason.txt"))


def test_bad_line_is_set_aside_and_the_rest_of_the_file_loads(warehouse: WarehouseAddress, landing_dir: Path) -> None:
    folder = landing_dir / "lab" / "unificado"
    folder.mkdir(parents=True)
    header = (SAMPLE_LAB / "unificado_2026-11-09.csv").read_text().splitlines()[0]
    (folder / "week.csv").write_text(header + "\nchr1,1,rs1,A,C,1,PASS,X,GT,M1,0/1,O,,POS\nchr1,2,too,few\n")

    done = run_extract(warehouse, "--landing", str(landing_dir))

    assert done.returncode == 0, done.stdout
    assert query(warehouse, "select count(*) from raw.unificado_rows") == [(1,)]
    assert query(warehouse, "select record_index, reason from raw.rejected_records") == [
        (3, "lab/unificado/week.csv line 3: expected 14 fields separated by ',', found 4")
    ]
    assert query(warehouse, "select rows_loaded, rows_rejected from raw.load_ledger") == [(1, 1)]


def test_a_second_delivery_of_the_same_name_in_the_same_hour_keeps_both_archives(
    warehouse: WarehouseAddress, landing_dir: Path
) -> None:
    sample = sorted(SAMPLE_LAB.glob("*.csv"))[0]
    target = landing_dir / "lab" / "unificado" / "weekly.csv"
    target.parent.mkdir(parents=True)
    shutil.copy2(sample, target)
    assert run_extract(warehouse, "--landing", str(landing_dir)).returncode == 0
    target.write_text(sample.read_text() + "chr9,1,rs9,A,C,1,PASS,X,GT,M9,0/1,O,,POS\n")  # new content, same name
    assert run_extract(warehouse, "--landing", str(landing_dir)).returncode == 0

    archived = sorted(p.name for p in (landing_dir / "imported").rglob("*.csv"))

    assert archived in (["weekly-2.csv", "weekly.csv"], ["weekly.csv", "weekly.csv"])  # the latter across an hour


def test_load_ids_follow_the_files_order_whatever_the_workers(warehouse: WarehouseAddress, landing_dir: Path) -> None:
    """Rules break ties by load id (unificado's copy of a row on equal copy times, a ticker's files landed at the
    same time): load ids must follow the landing order (oldest file first), not which worker started first."""
    template = (SAMPLE_LAB / "unificado_2026-11-09.csv").read_text()
    folder = landing_dir / "lab" / "unificado"
    folder.mkdir(parents=True)
    keys = []
    for week in range(24):
        path = folder / f"week_{23 - week:02d}.csv"  # names in the other order than times: the time decides
        path.write_text(template + f"chr9,{week},rs{week},A,C,1,PASS,X,GT,W{week},0/1,O,,POS\n")
        os.utime(path, (1_790_000_000 + week * 3600, 1_790_000_000 + week * 3600))
        keys.append(f"lab/unificado/{path.name}")

    assert run_extract(warehouse, "--landing", str(landing_dir), "--workers", "2").returncode == 0

    assert [key for (key,) in query(warehouse, "select landing_key from raw.load_ledger order by load_id")] == keys
