"""The vehicle builds as `python -m extract run` does them, and `dbt build --select` as a user runs it; each a
subprocess, timed start-up included.

Without a selection, a build is the scheduled run's (extract.changed_build, one definition): dbt in one
process, building what can have changed since the last successful build of this target folder. prepare()
empties the target folder, so the first build (from empty) has no record and builds everything; the
next ones build the new files' models and feed health. With a selection it is the venv's dbt executable.

dbt gets its own profile (a copy of profiles.yml.example), target and log folders under .bench/, so a
developer's ./profiles.yml, ./target and ./logs are never touched; run_results.json says what ran, and
build_plan.json what the scheduled run's build selected and why.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.database import subprocess_env
from bench.processes import ProcessRun, run_measured
from extract.changed_build import PLAN_FILE


@dataclass(frozen=True)
class NodeTiming:
    unique_id: str
    status: str
    seconds: float


@dataclass(frozen=True)
class DbtBuild:
    run: ProcessRun
    statuses: dict[str, int]  # run_results status -> nodes, e.g. {"success": 40, "pass": 60, "error": 1}
    slowest: list[NodeTiming]
    failed_nodes: list[str]
    nodes: list[NodeTiming]  # every result, hooks included
    plan: str = ""  # the scheduled run's build: what it selected and why (build_plan.json)

    def summary(self) -> str:
        statuses = ", ".join(f"{count} {status}" for status, count in sorted(self.statuses.items()))
        hooks = sum(1 for node in self.nodes if node.unique_id.startswith("operation."))
        ran = f"{len(self.nodes) - hooks} nodes and {hooks} hooks ran: {statuses}" if statuses else "no nodes ran"
        return f"{ran} ({self.plan})" if self.plan else ran


def dbt_executable() -> Path:
    return Path(sys.executable).parent / "dbt"


def _read_plan(path: Path) -> str:
    try:
        return str(json.loads(path.read_text(encoding="utf-8")).get("sentence", ""))
    except (OSError, ValueError):
        return ""


def _read_run_results(path: Path) -> tuple[dict[str, int], list[NodeTiming]]:
    if not path.is_file():
        return {}, []
    results = json.loads(path.read_text(encoding="utf-8")).get("results", [])
    nodes = [NodeTiming(r["unique_id"], str(r["status"]), float(r.get("execution_time") or 0)) for r in results]
    return dict(Counter(n.status for n in nodes)), sorted(nodes, key=lambda n: -n.seconds)


class DbtRunner:
    def __init__(self, project: Path, work: Path) -> None:
        self.project, self.work = project, work
        self.profiles = work / "profiles"
        self.target = work / "target"
        self.logs = work / "logs"

    def prepare(self) -> None:
        """A fresh target folder (so the first build parses from scratch) and the documented profile."""
        shutil.rmtree(self.target, ignore_errors=True)
        self.profiles.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.project / "profiles.yml.example", self.profiles / "profiles.yml")

    def build(self, label: str, timeout: float, select: str | None = None) -> DbtBuild:
        """`select`: `dbt build --select ...`; none: the scheduled run's build (python -m extract.changed_build)."""
        env = subprocess_env()
        if select:
            command = [
                str(dbt_executable()), "build", "--profiles-dir", str(self.profiles),
                "--target-path", str(self.target), "--log-path", str(self.logs / label), "--select", *select.split(),
            ]  # fmt: skip
        else:
            command = [sys.executable, "-m", "extract.changed_build", "--target", env["DBT_TARGET"]]
            env.update(DBT_PROFILES_DIR=str(self.profiles), DBT_TARGET_PATH=str(self.target),
                       DBT_LOG_PATH=str(self.logs / label))  # fmt: skip
        for artifact in ("run_results.json", PLAN_FILE):
            (self.target / artifact).unlink(missing_ok=True)
        run = run_measured(command, env, self.project, self.logs / f"{label}.log", timeout)
        statuses, nodes = _read_run_results(self.target / "run_results.json")
        failed = [n.unique_id for n in nodes if n.status in ("error", "fail", "runtime error")]
        plan = "" if select else _read_plan(self.target / PLAN_FILE)
        return DbtBuild(run, statuses, nodes[:5], failed, nodes, plan)
