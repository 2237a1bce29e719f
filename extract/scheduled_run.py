"""`python -m extract run`: the whole pipeline as one command for a scheduler (cron, EventBridge -> ECS).

Under the landing zone's run lock (extract.run_lock), in order:
1. the extract: `python -m extract` as a child process with the same landing, domain and worker options,
   so its exit code and summary are exactly the extractor's;
2. `dbt build --target T` of what can have changed since the last successful build (extract.changed_build:
   new ledger rows per domain, dbt's state:modified+, feed health every time; everything on a first run),
   also after an extract exit 1 (the files that loaded must reach the marts);
3. `dbt source freshness --target T` (a warning is not a failure).
dbt runs in this process (dbt.cli.main.dbtRunner), so the project is parsed once for both dbt steps.
An extract exit 2 (nothing could run) stops the run. The target (--target, else DBT_TARGET, else dev)
reaches the extractor as DBT_TARGET. Credentials were resolved into this process's environment by
`python -m extract` before this runs (extract.credentials); the extract child inherits it, nothing else.

The extract's and dbt's output goes to stderr as it comes; stdout has one line per step (extract.run_report),
the build's saying what it built and why ("note").
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from extract import changed_build, embedded_warehouse, redact, run_lock
from extract.domains import DOMAINS
from extract.run_report import DBT_BUILD, DBT_FRESHNESS, EXTRACT, RunReport, StepResult

EXIT_OK, EXIT_SOME_FAILED, EXIT_CANNOT_RUN = 0, 1, 2
TARGETS = ("dev", "prod")
# the columns of the extractor's summary table (extract.report.summary_table), in order, after "domain"
_SUMMARY_COLUMNS = ("files", "loaded", "held", "skipped", "rejected", "failed", "rows", "rejected_rows")
_SUMMARY_HEADER = ["domain", "files", "loaded", "held", "skipped", "rejected", "failed", "rows", "rej.", "rows"]
_NO_FILES = "No pending files in the landing zone."

DESCRIPTION = """\
One scheduled run: take the landing zone's run lock, load pending files (python -m extract), then
dbt build and dbt source freshness on the same target. Warehouse passwords may come from AWS
(PG_SECRET_ID, PG_SSM_PARAMETER, REDSHIFT_SECRET_ID, REDSHIFT_SSM_PARAMETER).

The build takes only what can have changed since the last successful build, recorded in
<dbt target path>/last_successful_build/: the models and tests downstream of the domains with new (or
released) files, what changed in the project (dbt's state:modified+), and feed health, which depends on
the clock, every time. With nothing new it builds feed health only and says so. No record (a first run,
dbt clean), a changed dbt_project.yml, dbt version or warehouse: it builds everything. A failed build
is retried by the next run.

Output: the steps' own output on stderr; on stdout one line per step, a table row on a terminal, else
JSON: {"step", "status", "exit_code", "seconds", "counts"} (the build's also "note": what it built and
why), and last {"step": "run", ...}.

Lock: a local landing folder is locked with flock on <landing>/.run.lock; an S3 landing zone with the
object <prefix>/.run.lock, which a crashed run leaves behind until EXTRACT_RUN_LOCK_TTL (default 6h;
e.g. 90m, 3600) has passed. A run must end within it.

exit codes:
  0  everything loaded (or skipped), built and fresh
  1  some files were rejected, failed or held, or a dbt step failed (dbt still runs after the extract)
  2  nothing could run: bad configuration or credentials, warehouse unreachable, another run holds the lock
"""


def add_parser(commands: Any, landing_default: str) -> None:
    """The `run` command in `python -m extract`'s command parser."""
    parser = commands.add_parser(
        "run",
        help="the whole scheduled run: lock, extract, dbt build, dbt source freshness",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--target",
        choices=TARGETS,
        default=os.environ.get("DBT_TARGET") or "dev",
        help="dbt target, dev (PostgreSQL) or prod (Redshift); the extractor gets it as DBT_TARGET "
        "(env DBT_TARGET; default dev)",
    )
    parser.add_argument("--landing", default=landing_default, help="the landing zone (env EXTRACT_LANDING)")
    parser.add_argument("--domain", action="append", choices=sorted(DOMAINS), help="passed to the extract")
    parser.add_argument("--workers", type=int, help="passed to the extract (env EXTRACT_WORKERS)")


def run(args: argparse.Namespace) -> int:
    report = RunReport()
    started = time.perf_counter()

    def stop(message: str) -> int:
        message = redact.text(message)  # a lock's S3 error may quote the endpoint URL, with its password
        print(f"extract run: {message}", file=sys.stderr)
        report.finish(EXIT_CANNOT_RUN, time.perf_counter() - started, args.target, args.landing, message)
        return EXIT_CANNOT_RUN

    if args.target not in TARGETS:
        return stop(f"the dbt target must be one of {', '.join(TARGETS)}, got {args.target!r} (--target, DBT_TARGET).")
    if not _dbt_installed():
        return stop(f"dbt is not installed in this Python ({sys.executable}); install the project: pip install -e .")
    root = embedded_warehouse.project_root()
    _ensure_dbt_profile(root)
    os.environ["DBT_TARGET"] = args.target  # the profile reads it; dbt runs in this process
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    steps: list[StepResult] = []
    previous_handler = signal.signal(signal.SIGTERM, _stop_on_sigterm)  # a stopped task still releases the lock
    try:
        with run_lock.hold(args.landing):
            extract = _extract(args, env)
            report.step(extract)
            if extract.exit_code not in (EXIT_OK, EXIT_SOME_FAILED):
                return stop("the extract could not run (its reason is above); dbt did not run.")
            steps.append(extract)
            with changed_build.dbt_session(root, args.target) as dbt:
                steps.append(_dbt_build(dbt))
                report.step(steps[-1])
                steps.append(_dbt_freshness(dbt))
                report.step(steps[-1])
    except run_lock.RunLockError as exc:
        return stop(f"{exc} This run did nothing.")
    except SystemExit as exc:  # SIGTERM: the lock was released on the way out
        report.finish(int(exc.code or 0), time.perf_counter() - started, args.target, args.landing, "stopped (SIGTERM)")
        raise
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
    code = EXIT_SOME_FAILED if any(step.exit_code != EXIT_OK for step in steps) else EXIT_OK
    report.finish(code, time.perf_counter() - started, args.target, args.landing)
    return code


def _dbt_installed() -> bool:
    """Without importing it (about 1.5 s: the build step's, when it starts)."""
    try:
        return importlib.util.find_spec("dbt.cli") is not None
    except ModuleNotFoundError:
        return False


def _extract(args: argparse.Namespace, env: dict[str, str]) -> StepResult:
    command = [sys.executable, "-m", "extract", "--landing", args.landing]
    for domain in args.domain or ():
        command += ["--domain", domain]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    started = time.perf_counter()
    code, output = _stream(command, env, cwd=Path.cwd())
    return StepResult(EXTRACT, code, time.perf_counter() - started, _extract_counts(output))


def _dbt_build(dbt: changed_build.Dbt) -> StepResult:
    """What can have changed since the last successful build (extract.changed_build), and why, in `note`."""
    started_at, started = time.time(), time.perf_counter()
    outcome = changed_build.build(dbt)
    seconds = time.perf_counter() - started
    counts = _dbt_counts(dbt.target_path / "run_results.json", started_at)
    return StepResult(DBT_BUILD, outcome.exit_code, seconds, counts, outcome.sentence)


def _dbt_freshness(dbt: changed_build.Dbt) -> StepResult:
    started_at, started = time.time(), time.perf_counter()
    code = changed_build.freshness(dbt)
    seconds = time.perf_counter() - started
    return StepResult(DBT_FRESHNESS, code, seconds, _dbt_counts(dbt.target_path / "sources.json", started_at))


_child: subprocess.Popen[str] | None = None


def _stream(command: list[str], env: dict[str, str], cwd: Path) -> tuple[int, list[str]]:
    """Run a child: its stdout is copied to stderr line by line (and returned), its stderr is ours."""
    global _child
    lines: list[str] = []
    with subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, text=True, errors="replace", bufsize=1
    ) as child:
        _child = child
        assert child.stdout is not None
        for line in child.stdout:
            sys.stderr.write(line)
            sys.stderr.flush()
            lines.append(line)
    _child = None
    return child.returncode, lines


def _stop_on_sigterm(signum: int, frame: object) -> None:
    """ECS stops a task with SIGTERM: stop the current step, then leave through the lock's release. During a
    dbt step the SystemExit goes through dbt, which cancels its running queries first."""
    if _child is not None and _child.poll() is None:
        _child.terminate()
    raise SystemExit(128 + signum)


def _extract_counts(output: list[str]) -> dict[str, int]:
    """Files and rows from the total row of the extractor's summary table; {} if it is not there."""
    if any(line.strip() == _NO_FILES for line in output):
        return {"files": 0}
    header = next((i for i, line in enumerate(output) if line.split()[: len(_SUMMARY_HEADER)] == _SUMMARY_HEADER), None)
    total = next((line.split() for line in output[header or 0 :] if line.startswith("total ")), None)
    if header is None or total is None or len(total) < len(_SUMMARY_COLUMNS) + 1:
        return {}
    try:
        return {name: int(value) for name, value in zip(_SUMMARY_COLUMNS, total[1:], strict=False)}
    except ValueError:
        return {}


def _dbt_counts(artifact: Path, since: float) -> dict[str, int]:
    """Nodes per status (success, pass, warn, error, fail, skipped...) from the step's own dbt artifact."""
    try:
        if artifact.stat().st_mtime < since:
            return {}  # an earlier run's: this step wrote none (nothing to check, or dbt stopped early)
        results = json.loads(artifact.read_text(encoding="utf-8")).get("results", [])
    except (OSError, ValueError):
        return {}
    counts: dict[str, int] = {}
    for result in results:
        status = str(result.get("status", "unknown")).replace(" ", "_")
        counts[status] = counts.get(status, 0) + 1
    return counts


def _ensure_dbt_profile(root: Path) -> None:
    """dbt reads ./profiles.yml first: give it the documented example (all from the environment) when no
    profile is configured at all, as `python -m extract warehouse start` does."""
    profile, example = root / "profiles.yml", root / "profiles.yml.example"
    if os.environ.get("DBT_PROFILES_DIR") or profile.exists() or (Path.home() / ".dbt" / "profiles.yml").exists():
        return
    if example.exists():
        shutil.copyfile(example, profile)
