"""What `python -m extract run` prints on stdout: one line per step as it ends, then one for the run.

On a terminal a table row a person reads; otherwise (a scheduler, CloudWatch, a pipe) one JSON object per
line: {"step", "status", "exit_code", "seconds", "counts"} (the build adds "note": what it built and why)
and, last, {"step": "run", ...}. The steps' own output (the extractor's summary, dbt's log) goes to
stderr. Nothing here holds a password or a connection string: counts, statuses, the landing zone's
address and what the build selected only.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import TextIO

EXTRACT, DBT_BUILD, DBT_FRESHNESS, RUN = "extract", "dbt build", "dbt source freshness", "run"


@dataclass(frozen=True)
class StepResult:
    step: str
    exit_code: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)  # e.g. files loaded, dbt nodes per status
    note: str = ""  # e.g. the build's "nothing new since the build of ...: built feed health only (...)"

    @property
    def status(self) -> str:
        """ok | warn (dbt warnings, exit 0) | partial (extract: some files not loaded) | failed | error."""
        if self.exit_code == 0:
            return "warn" if self.counts.get("warn") else "ok"
        if self.exit_code == 1:
            return "partial" if self.step == EXTRACT else "failed"
        return "error"


class RunReport:
    def __init__(self, stream: TextIO = sys.stdout) -> None:
        self.stream = stream
        self.interactive = stream.isatty()

    def step(self, result: StepResult) -> None:
        if self.interactive:
            counts = ", ".join(f"{name} {value:,}" for name, value in result.counts.items())
            if result.step == DBT_FRESHNESS and not counts and result.exit_code == 0:
                counts = "nothing to check (no source has freshness thresholds)"
            note = f"  ({result.note})" if result.note else ""
            self._write(
                f"{result.step:<21} {result.status:<8} exit {result.exit_code}  {result.seconds:7.1f} s  {counts}{note}"
            )
        else:
            line: dict[str, object] = {
                "step": result.step,
                "status": result.status,
                "exit_code": result.exit_code,
                "seconds": round(result.seconds, 1),
                "counts": result.counts,
            }
            if result.note:
                line["note"] = result.note
            self._json(line)

    def finish(self, exit_code: int, seconds: float, target: str, landing: str, error: str | None = None) -> None:
        status = {0: "ok", 1: "failed"}.get(exit_code, "error")
        if self.interactive:
            said = {0: "all good", 1: "some files or dbt steps failed: see above"}.get(exit_code, error or "")
            self._write(f"{RUN:<21} {status:<8} exit {exit_code}  {seconds:7.1f} s  target {target}: {said}")
            return
        line: dict[str, object] = {
            "step": RUN,
            "status": status,
            "exit_code": exit_code,
            "seconds": round(seconds, 1),
            "target": target,
            "landing": landing,
        }
        if error:
            line["error"] = error
        self._json(line)

    def _json(self, line: dict[str, object]) -> None:
        self._write(json.dumps(line))

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()
