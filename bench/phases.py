"""The measured phases: an extract of one delivery, a `dbt build`, and the loading floor.

Each phase returns a PhaseResult; a failed phase (non-zero exit, or counts that are not what was
generated) carries the exit code and the last lines of the tool's output, and the run goes on.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.database import connection, database_bytes, scalar, subprocess_env, terminate_sessions
from bench.dbt_builds import DbtBuild, DbtRunner, NodeTiming
from bench.loading_floor import FloorRun, copy_floor, drop_floor, export_records
from bench.processes import ProcessRun, run_measured
from extract.warehouse import WarehouseAddress

OK, FAILED, SKIPPED = "ok", "failed", "skipped"


def slug(name: str) -> str:
    """A file name for a phase's log: '3b. day 2: dbt build' -> '3b-day-2-dbt-build'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@dataclass(frozen=True)
class Target:
    text: str  # e.g. ">= 12,000 records/s"
    met: bool
    scale_independent: bool  # a rate or a memory bound: meaningful at any scale


@dataclass
class PhaseResult:
    name: str
    status: str = OK
    seconds: float | None = None
    rows: int | None = None
    peak_rss_mib: float | None = None
    db_bytes: int | None = None
    note: str = ""
    failure: str | None = None  # exit code, what was wrong, last lines of output
    targets: list[Target] = field(default_factory=list)
    slowest: list[NodeTiming] = field(default_factory=list)  # dbt builds only
    workers: int | None = None  # extracts only: how many worker processes it ran

    @property
    def rows_per_second(self) -> float | None:
        if self.rows and self.seconds:
            return self.rows / self.seconds
        return None


@dataclass(frozen=True)
class Expected:
    loaded_files: int | None = None
    skipped_files: int | None = None
    rows: int | None = None


def deliver(tree: Path, landing: Path, only: str = "") -> int:
    """Put every file of `tree` (whose path contains `only`) at the same path in `landing`: a hard link (same
    content, same mtime)."""
    count = 0
    for source in sorted(p for p in tree.rglob("*") if p.is_file() and only in str(p.relative_to(tree))):
        target = landing / source.relative_to(tree)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
        count += 1
    return count


def _ledger_since(address: WarehouseAddress, after_load_id: int) -> dict[str, tuple[int, int]]:
    """status -> (files, rows loaded) of the ledger rows written after `after_load_id`."""
    with connection(address) as conn, conn.cursor() as cur:
        cur.execute(
            "select status, count(*), coalesce(sum(rows_loaded), 0) from raw.load_ledger"
            " where load_id > %s group by status",
            (after_load_id,),
        )
        return {status: (int(files), int(rows)) for status, files, rows in cur.fetchall()}


def last_load_id(address: WarehouseAddress) -> int:
    return int(scalar(address, "select coalesce(max(load_id), 0) from raw.load_ledger"))  # type: ignore[arg-type]


def _mismatches(ledger: dict[str, tuple[int, int]], expected: Expected) -> list[str]:
    loaded_files, rows = ledger.get("loaded", (0, 0))
    skipped_files = ledger.get("skipped", (0, 0))[0]
    problems = []
    if expected.loaded_files is not None and loaded_files != expected.loaded_files:
        problems.append(f"expected {expected.loaded_files} files loaded, got {loaded_files}")
    if expected.skipped_files is not None and skipped_files != expected.skipped_files:
        problems.append(f"expected {expected.skipped_files} files skipped, got {skipped_files}")
    if expected.rows is not None and rows != expected.rows:
        problems.append(f"expected {expected.rows:,} rows loaded, got {rows:,}")
    if "rejected" in ledger:
        problems.append(f"{ledger['rejected'][0]} files rejected")
    return problems


@dataclass(frozen=True)
class PhaseContext:
    """What every phase needs: where the database, the project, the landing zone and the logs are."""

    address: WarehouseAddress
    project: Path
    landing: Path
    logs: Path
    workers: int
    timeout: float  # seconds per command; a command past it is killed and its phase fails
    dbt: DbtRunner


def _run_problems(run: ProcessRun, address: WarehouseAddress, what: str) -> list[str]:
    if run.timed_out:
        terminate_sessions(address)  # the killed client's query may still run in the server
        return [f"{what} killed after the {run.seconds:.0f} s timeout (--timeout)"]
    return [] if run.ok else [f"{what} exit code {run.returncode}"]


def extract_phase(ctx: PhaseContext, name: str, domain: str, expected: Expected) -> PhaseResult:
    """`python -m extract --domain D --workers W` on what is pending; rows from the ledger of this run."""
    before = last_load_id(ctx.address)
    command = [sys.executable, "-m", "extract", "--landing", str(ctx.landing), "--domain", domain,
               "--workers", str(ctx.workers)]  # fmt: skip
    env = {**subprocess_env(), "PGDATABASE": ctx.address.dbname}
    run = run_measured(command, env, ctx.project, ctx.logs / f"{slug(name)}.log", ctx.timeout)
    problems = _run_problems(run, ctx.address, "extract")
    ledger = _ledger_since(ctx.address, before)
    files = ", ".join(f"{count} {status}" for status, (count, _) in sorted(ledger.items())) or "no files"
    result = PhaseResult(
        name, seconds=run.seconds, rows=ledger.get("loaded", (0, 0))[1], peak_rss_mib=run.peak_rss_mib,
        db_bytes=database_bytes(ctx.address), note=f"files: {files}", workers=ctx.workers,
    )  # fmt: skip
    problems += _mismatches(ledger, expected)
    if problems:
        result.status = FAILED
        result.failure = "; ".join(problems) + f"\nlast lines of {run.log}:\n{run.tail()}"
    return result


def dbt_phase(ctx: PhaseContext, name: str, rows: int, select: str | None = None) -> PhaseResult:
    """Without `select`, the build `python -m extract run` does (bench.dbt_builds): everything the first time
    (from empty), then what can have changed since the previous build; its note says what ran and why."""
    build: DbtBuild = ctx.dbt.build(slug(name), ctx.timeout, select)
    problems = _run_problems(build.run, ctx.address, "dbt")
    result = PhaseResult(
        name, seconds=build.run.seconds, rows=rows or None, db_bytes=database_bytes(ctx.address),
        note=f"dbt: {build.summary()}", slowest=build.slowest,
    )  # fmt: skip
    if problems or build.failed_nodes:
        result.status = FAILED
        failed = ", ".join(build.failed_nodes[:10]) or "none reported"
        result.failure = (
            f"{'; '.join(problems) or 'dbt exit code 0'}; failed nodes: {failed}\n"
            f"last lines of {build.run.log}:\n{build.run.tail(25)}"
        )
    return result


def floor_phases(address: WarehouseAddress, work: Path, before: str) -> list[FloorRun]:
    """The bare COPY of day 1's record JSON over one and over two connections (see loading_floor)."""
    files = export_records(address, before, work)
    try:
        return [copy_floor(address, files, streams) for streams in (1, len(files))]
    finally:
        drop_floor(address)
        for path in files:
            path.unlink(missing_ok=True)


def skipped(name: str, reason: str) -> PhaseResult:
    return PhaseResult(name, status=SKIPPED, note=reason)
