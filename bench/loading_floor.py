"""The loading floor: how fast this PostgreSQL ingests the same records' JSON with nothing else to do.

Day 1's `raw.vehicle_records.record` values are exported with `COPY ... TO STDOUT` into two files
(split on record_index parity; not timed), then loaded with a bare `COPY ... FROM STDIN` into a plain,
logged table with one `jsonb` column and no index (`bench_floor.vehicle_json`), the way the raw table
is logged: once over one connection, once over two connections in parallel (the extractor runs with
two workers). Only the COPY statements are timed; the table is dropped afterwards.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.database import connection
from extract.warehouse import WarehouseAddress

FLOOR_TABLE = "bench_floor.vehicle_json"
_SETUP = f"create schema if not exists bench_floor; drop table if exists {FLOOR_TABLE}; " \
    f"create table {FLOOR_TABLE} (record jsonb not null)"  # fmt: skip
_EXPORT = "copy (select record from raw.vehicle_records where feed_at < %s and record_index %% 2 = {part}) to stdout"


@dataclass(frozen=True)
class FloorRun:
    streams: int
    rows: int
    seconds: float
    table_bytes: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def rows_per_second_per_stream(self) -> float:
        """What one connection ingests while `streams` load at once: beside an extract's rate per worker."""
        return self.rows_per_second / self.streams if self.streams else 0.0


def export_records(address: WarehouseAddress, before: str, folder: Path) -> list[Path]:
    """Day 1's record JSON (feeds before `before`, an ISO timestamp) as COPY text, in two files."""
    folder.mkdir(parents=True, exist_ok=True)
    parts = []
    with connection(address) as conn, conn.cursor() as cur:
        for part in (0, 1):
            path = folder / f"records_{part}.copy"
            with open(path, "wb") as out:
                cur.copy_expert(cur.mogrify(_EXPORT.format(part=part), (before,)).decode(), out)
            parts.append(path)
    return parts


def _copy_file(address: WarehouseAddress, path: Path) -> int:
    with connection(address) as conn, conn.cursor() as cur, open(path, "rb") as source:
        cur.copy_expert(f"copy {FLOOR_TABLE} (record) from stdin", source, size=256 * 1024)
        return cur.rowcount


def copy_floor(address: WarehouseAddress, files: list[Path], streams: int) -> FloorRun:
    """Load every file into a new empty floor table over `streams` connections (1 or len(files))."""
    with connection(address) as conn, conn.cursor() as cur:
        cur.execute(_SETUP)
        started = time.perf_counter()
        if streams == 1:
            rows = sum(_copy_file(address, path) for path in files)
        else:
            with ThreadPoolExecutor(max_workers=streams) as pool:
                rows = sum(pool.map(lambda path: _copy_file(address, path), files))
        seconds = time.perf_counter() - started
        cur.execute("select pg_total_relation_size(%s::regclass)", (FLOOR_TABLE,))
        table_bytes = int(cur.fetchone()[0])
    return FloorRun(streams, rows, seconds, table_bytes)


def drop_floor(address: WarehouseAddress) -> None:
    with connection(address) as conn, conn.cursor() as cur:
        cur.execute("drop schema if exists bench_floor cascade")
