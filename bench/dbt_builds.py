"""`dbt build` as a user runs it (the venv's dbt executable, a subprocess), timed start-up included.

dbt gets its own profile (a copy of profiles.yml.example), target and log folders under .bench/, so a
developer's ./profiles.yml, ./target and ./logs are never touched; run_results.json says what ran.
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

    def summary(self) -> str:
        return ", ".join(f"{count} {status}" for status, count in sorted(self.statuses.items())) or "no nodes ran"


def dbt_executable() -> Path:
    return Path(sys.executable).parent / "dbt"


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
        command = [
            str(dbt_executable()), "build", "--profiles-dir", str(self.profiles),
            "--target-path", str(self.target), "--log-path", str(self.logs / label),
        ]  # fmt: skip
        if select:
            command += ["--select", *select.split()]
        (self.target / "run_results.json").unlink(missing_ok=True)
        run = run_measured(command, subprocess_env(), self.project, self.logs / f"{label}.log", timeout)
        statuses, nodes = _read_run_results(self.target / "run_results.json")
        failed = [n.unique_id for n in nodes if n.status in ("error", "fail", "runtime error")]
        return DbtBuild(run, statuses, nodes[:5], failed)
