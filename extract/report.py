"""What a run prints: a progress line on a terminal, plain log lines otherwise, and a summary table."""

from __future__ import annotations

import sys
from collections import defaultdict
from typing import TextIO

from extract import redact
from extract.load_run import FAILED, GONE, HELD, LOADED, REJECTED, SKIPPED, FileResult


class Progress:
    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.interactive = stream.isatty()

    def __call__(self, result: FileResult, done: int, total: int) -> None:
        line = f"[{done}/{total}] {result.status:<8} {result.key}"
        if result.status in (LOADED, HELD):
            line += f"  {result.rows} rows in {result.seconds:.1f} s"
            if result.rejected_rows:
                line += f", {result.rejected_rows} records rejected"
        if result.findings:
            line += f", {len(result.findings)} finding(s) of the track's checks (see the summary)"
        if result.error:
            line += f"\n    {redact.text(result.error)}"
        if result.warning:  # e.g. a landing zone's error, which may quote its endpoint URL
            line += f"\n    warning: {redact.text(result.warning)}"
        if self.interactive and result.status in (LOADED, SKIPPED, GONE) and not result.warning:
            self.stream.write("\r\033[K" + line[:200])
            if done == total:
                self.stream.write("\n")
        else:
            if self.interactive:
                self.stream.write("\r\033[K")
            self.stream.write(line + "\n")
        self.stream.flush()


def summary_table(results: list[FileResult], seconds: float) -> str:
    by_domain: dict[str, list[FileResult]] = defaultdict(list)
    for result in results:
        by_domain[result.domain].append(result)
    header = (
        "domain",
        "files",
        "loaded",
        "held",
        "skipped",
        "rejected",
        "failed",
        "rows",
        "rej. rows",
        "seconds",
        "rows/s",
    )
    lines: list[tuple[str, ...]] = [header]

    def row(name: str, items: list[FileResult], elapsed: float) -> tuple[str, ...]:
        count = {s: sum(1 for r in items if r.status == s) for s in (LOADED, HELD, SKIPPED, REJECTED, FAILED)}
        rows = sum(r.rows for r in items)
        rate = rows / elapsed if elapsed > 0 else 0.0
        return (
            name,
            str(len(items)),
            str(count[LOADED]),
            str(count[HELD]),
            str(count[SKIPPED]),
            str(count[REJECTED]),
            str(count[FAILED]),
            str(rows),
            str(sum(r.rejected_rows for r in items)),
            f"{elapsed:.1f}",
            f"{rate:,.0f}",
        )

    for name in sorted(by_domain):
        items = by_domain[name]
        lines.append(row(name, items, sum(r.seconds for r in items)))
    lines.append(row("total", results, seconds))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    rendered = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        )
        for line in lines
    ]
    rendered.insert(1, "-" * len(rendered[0]))
    rendered.insert(len(rendered) - 1, "-" * len(rendered[0]))
    problems = [r for r in results if r.status in (REJECTED, FAILED)]
    if problems:
        rendered.append("")
        rendered.append("Not loaded:")
        rendered.extend(f"  {r.status}: {redact.text(r.error or '')}" for r in problems)
    held = [r for r in results if r.status == HELD]
    if held:
        rendered.append("")
        rendered.append("Held (landed in raw, not applied: dbt ignores them until released):")
        rendered.extend(f"  {r.key} (load {r.load_id}): {r.error}" for r in held)
    set_aside = [r for r in results if r.rejected_rows and r.status in (LOADED, HELD)]
    if set_aside:
        rendered.append("")
        rendered.append("Loaded, but records were set aside (raw.rejected_records has each with its reason):")
        rendered.extend(f"  {r.key} (load {r.load_id}): {r.rejected_rows} record(s)" for r in set_aside)
    unread = [r for r in results if r.findings]
    if unread:
        rendered.append("")
        rendered.append("Loaded, but the track could not read everything (raw.load_ledger.warnings):")
        for r in unread:
            rendered.append(f"  {r.key} (load {r.load_id}):")
            rendered.extend(f"    {finding}" for finding in r.findings)
    if not results:
        rendered = ["No pending files in the landing zone."]
    return "\n".join(rendered)


# Domains whose rejected records fail the run: a vehicle feed is a full snapshot, and a record set aside there is
# a vehicle that looks sold. A lab or market-data row set aside is reported in the summary only.
RECORDS_MUST_LOAD = frozenset({"vehicles"})


def exit_code(results: list[FileResult]) -> int:
    """0: everything loaded (or skipped); 1: some files were rejected, failed or held, or a vehicle feed set
    records aside; the rest loaded."""
    failed = any(r.status in (REJECTED, FAILED, HELD) for r in results)
    return 1 if failed or any(r.rejected_rows and r.domain in RECORDS_MUST_LOAD for r in results) else 0
