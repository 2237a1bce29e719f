"""The results: a Markdown report (docs/benchmarks.md) whose tables are also printed on the console."""

from __future__ import annotations

from pathlib import Path

from bench.loading_floor import FLOOR_TABLE, FloorRun
from bench.phases import FAILED, PhaseResult
from bench.run import BenchRun, RawGrowth

MiB = 2**20


def _number(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def _mib(value: int | None) -> str:
    return "" if value is None else f"{value / MiB:,.0f}"


def _floor_of(run: BenchRun, phase: PhaseResult) -> FloorRun | None:
    """The loading-floor run a phase reports (same rows and seconds), if it is one."""
    return next((f for f in run.floor if f.rows == phase.rows and f.seconds == phase.seconds), None)


def per_worker(run: BenchRun, phase: PhaseResult) -> float | None:
    """rows/s per extractor worker (an extract: the processes it ran) or per connection (the floor)."""
    rate = phase.rows_per_second
    if rate is None:
        return None
    floor = _floor_of(run, phase)
    if floor is not None:
        return floor.rows_per_second_per_stream
    if phase.peak_rss_mib is not None:  # only the extractor's phases measure a peak RSS
        return rate / max(phase.workers or run.workers, 1)
    return None


def results_table(run: BenchRun) -> str:
    lines = [
        "| phase | status | wall s | rows | rows/s | rows/s per worker or connection | extractor peak RSS MiB "
        "| database MiB after | notes |",
        "|---|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for p in run.phases:
        lines.append(
            f"| {p.name} | {p.status} | {_number(p.seconds, 1)} | {_number(p.rows)} | {_number(p.rows_per_second)} "
            f"| {_number(per_worker(run, p))} | {_number(p.peak_rss_mib)} | {_mib(p.db_bytes)} | {p.note} |"
        )
    return "\n".join(lines)


def _measured(phase: PhaseResult, target_text: str) -> str:
    if "records/s" in target_text:
        return f"{_number(phase.rows_per_second)} records/s"
    if "RSS" in target_text:
        return f"{_number(phase.peak_rss_mib)} MiB"
    return f"{_number(phase.seconds, 1)} s"


def targets_table(run: BenchRun) -> str:
    full = run.scale >= 1.0
    lines = ["| target | phase | measured | met |", "|---|---|--:|---|"]
    for phase in run.phases:
        for target in phase.targets:
            if full:
                met = "yes" if target.met else "**no**"
            elif target.scale_independent:
                met = f"indicative: {'yes' if target.met else 'no'}"
            else:
                met = f"n/a at scale {run.scale:g}"
            lines.append(f"| {target.text} | {phase.name} | {_measured(phase, target.text)} | {met} |")
    return "\n".join(lines)


def _scale_note(run: BenchRun) -> str:
    if run.scale >= 1.0:
        return f"Scale {run.scale:g}: N = {run.datasets.sizes.vehicles:,} vehicles; the targets of issue 6 apply."
    return (
        f"**Scale {run.scale:g}** (N = {run.datasets.sizes.vehicles:,} vehicles): the targets of issue 6 apply at "
        "scale 1.0 (N = 1,000,000). Rates and peak memory are indicative here; wall-time bounds are not comparable."
    )


def _data_section(run: BenchRun) -> list[str]:
    data, v = run.datasets, run.datasets.vehicles
    return [
        "## Data generated",
        "",
        f"Seed {data.seed}, generated in {data.seconds:.1f} s (`bench/datasets.py`).",
        "",
        f"- vehicles: {v.day1:,} day-1 listings of {v.cars:,} cars in {v.feeds} feeds (13 corporates x 4 DMS "
        f"minus 2); {v.shared_cars:,} cars listed by two DMS; {v.xml_bytes / MiB:,.0f} MiB of XML "
        f"({v.xml_bytes / max(v.day1, 1):,.0f} bytes per record), {v.zip_bytes / MiB:,.0f} MiB zipped per day",
        f"- day 2: {v.day2:,} listings: {v.changed:,} changed (price, mileage), {v.gone:,} gone, {v.new:,} new; "
        "every other record byte-identical",
        f"- crypto: {data.crypto.tickers} tickers x {data.sizes.years} years: {data.crypto.price_rows:,} daily price "
        f"rows, {data.crypto.trend_rows:,} weekly trend rows in {data.crypto.files} files",
        f"- lab: {data.lab.rows:,} unificado rows in {data.lab.files} weekly files ({data.lab.repeated_keys:,} "
        f"repeat an earlier key, {data.lab.too_long} too long for the contract)",
        "",
    ]


def _growth_row(label: str, rows: int, size: int, json_size: int) -> str:
    return f"| {label} | {rows:,} | {_mib(size)} | {size / max(rows, 1):,.0f} | {_mib(json_size)} |"


def _growth_section(growth: RawGrowth | None) -> list[str]:
    if growth is None:
        return []
    g = growth
    return [
        "## Raw growth per day (`raw.vehicle_records`)",
        "",
        "| after | rows | MiB on disk (table + TOAST + indexes) | bytes per row | MiB of JSON held |",
        "|---|--:|--:|--:|--:|",
        _growth_row("day 1", g.day1_rows, g.day1_bytes, g.day1_json_bytes),
        _growth_row("day 2", g.day2_rows, g.day2_bytes, g.day2_json_bytes),
        _growth_row(
            "growth of day 2",
            g.day2_rows - g.day1_rows,
            g.day2_bytes - g.day1_bytes,
            g.day2_json_bytes - g.day1_json_bytes,
        ),
        "",
        "Each feed is a full snapshot, so a day lands about N records whatever changed. What keeps raw bounded:",
        "after loading vehicle feeds the extractor's raw compaction (`extract/raw_compaction.py`) drops the JSON",
        "of every record that repeats the previous feed's record of its stock id byte for byte (same record",
        "hash): the row stays (the history needs the delivery), and the content's first delivery, the one dbt",
        "types, keeps the JSON. The JSON held grows by the changed and new records only; the disk size of day 2",
        "still includes the TOAST space the compaction freed, which VACUUM hands to the next day's loads.",
        "Identical files are skipped by the ledger (phase 4a adds nothing).",
        "",
    ]  # fmt: skip


def floor_comparison(run: BenchRun) -> list[str]:
    """The day-1 extract's records/s per worker beside the bare COPY's rows/s per connection."""
    day1 = next((p for p in run.phases if p.peak_rss_mib is not None), None)
    if not run.floor or day1 is None or not day1.rows_per_second:
        return []
    lines = [
        "| load | rows/s | workers or connections | rows/s per worker or connection |",
        "|---|--:|--:|--:|",
        f"| {day1.name} (`python -m extract`) | {_number(day1.rows_per_second)} | {run.workers} "
        f"| {_number(per_worker(run, day1))} |",
    ]
    for floor in run.floor:
        lines.append(
            f"| bare COPY, {floor.streams} connection{'s' if floor.streams > 1 else ''} "
            f"| {_number(floor.rows_per_second)} | {floor.streams} | {_number(floor.rows_per_second_per_stream)} |"
        )
    return [*lines, ""]


def _floor_section(run: BenchRun) -> list[str]:
    if not run.floor:
        return []
    return [
        "## Loading floor (phase 5)",
        "",
        "Day 1's `raw.vehicle_records.record` values, exported with `COPY ... TO STDOUT` (not timed), loaded with a",
        f"bare `COPY ... FROM STDIN` into `{FLOOR_TABLE}`: a plain logged table (like the raw table) with one",
        "`jsonb` column and no index, once over one connection and once over two in parallel (the extractor ran",
        f"with {run.workers} workers). The ratio in the notes is the day-1 extract's records/s over the floor's.",
        "Per worker: the extract's records/s divided by its worker processes, beside what one connection of the",
        "floor ingests (on a machine with few cores the workers, their PostgreSQL backends and the floor's",
        "connections share them).",
        "",
        *floor_comparison(run),
    ]


def _dbt_section(phases: list[PhaseResult]) -> list[str]:
    lines = ["## Slowest dbt nodes per build", ""]
    for phase in phases:
        if phase.slowest:
            nodes = ", ".join(f"`{n.unique_id}` {n.seconds:.1f} s ({n.status})" for n in phase.slowest)
            lines.append(f"- {phase.name}: {nodes}")
    return [*lines, ""] if len(lines) > 2 else []


def _failures_section(phases: list[PhaseResult]) -> list[str]:
    failed = [p for p in phases if p.status == FAILED and p.failure]
    lines = ["## Failed phases", ""] if failed else []
    for phase in failed:
        lines += [f"### {phase.name}", "", "```text", phase.failure or "", "```", ""]
    return lines


def markdown(run: BenchRun) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`, issue 6); rerun it rather than editing this file.",
        "",
        "## Run",
        "",
        f"- date: {run.started_at:%Y-%m-%d %H:%M} UTC; total wall time {run.seconds:.0f} s",
        f"- command: `{run.command}`",
        f"- scale: {run.scale:g}; extractor workers: {run.workers}; timeout per command: {run.timeout:.0f} s",
        *run.machine.lines(),
        "",
        _scale_note(run),
        "",
        *_data_section(run),
        "## Results",
        "",
        "Wall seconds of each command as a user runs it (dbt's start-up included); rows/s = rows / wall seconds.",
        "Peak RSS: the largest resident set of the extractor and its worker processes (`wait4` rusage).",
        "",
        results_table(run),
        "",
        "## Targets (issues 6 and 14)",
        "",
        targets_table(run),
        "",
        "What bounds each figure, and why a missed target is missed: [benchmark_bounds.md](benchmark_bounds.md).",
        "",
        *_growth_section(run.growth),
        *_floor_section(run),
        *_dbt_section(run.phases),
        *_failures_section(run.phases),
    ]
    return "\n".join(lines).rstrip() + "\n"


def console(run: BenchRun) -> str:
    return "\n".join([
        "", _scale_note(run), "", results_table(run), "", *floor_comparison(run), targets_table(run), "",
        f"total {run.seconds:.0f} s; {len(run.failed)} failed phase(s)",
    ])  # fmt: skip


def write(run: BenchRun, path: Path) -> None:
    path.write_text(markdown(run), encoding="utf-8")
