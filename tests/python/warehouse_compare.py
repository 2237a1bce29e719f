"""Compare two warehouses that loaded the same files: one that was killed, rerun or raced, one clean.

A fingerprint is, per relation, the multiset of its rows with what legitimately differs between two databases
left out or replaced:
- a load id (`load_id`, `*_load_id`, and `load N` / `release N` in texts) becomes the delivery it names
  (landing key and sha256): load ids depend on what reserved one first, and a killed run leaves gaps;
- a load or build time (started_at, batch_at, compacted_at...) becomes whether it is set, and a time in a
  message (`... UTC`) becomes `<time>`;
- values relative to the build's now() (hours since the last feed, the sentence that quotes them), the
  database's name and host, and the landing zone's URI are left out;
- ledger rows with status `skipped`, and load_audit's rows of them, are left out: a skipped row records that a
  file was seen again, which a rerun after a crash between commit and move (or a concurrent run) does more
  often; nothing of it lands. `skipped_deliveries` returns them for the test to judge.

`raw_fingerprint(address)`: the ledger and every raw table. `marts_fingerprint(address)`: every relation in
schemas marts and market_data. `snapshot_fingerprint(address)`: the current row of each key in schema snapshots.
`differences(expected, actual)` says what differs, '' when nothing does.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from support import query

from extract.warehouse import WarehouseAddress

Row = tuple[object, ...]

SKIPPED = "skipped"
# Times the run or the build sets: only whether they are set is compared.
RUN_TIMES = frozenset({"started_at", "finished_at", "compacted_at", "batch_at", "built_at", "checked_at"})
# Raw columns that differ between two databases that loaded the same files.
RAW_LEFT_OUT = frozenset({"landing_uri"})
MARTS_LEFT_OUT = frozenset(
    {
        "landing_uri",
        "database_name",  # marts.unificado_load_log: which database
        "database_host",
        "load_seconds",  # marts.load_audit: how long a load took
        "last_file_at",  # marts.feed_health: when the latest file was loaded (a run time)
        "hours_since_last_feed",  # marts.feed_health: relative to the build's now()
        "status_reason",  # marts.feed_health: quotes hours_since_last_feed
        "fecha_copia",  # marts.unificado*: the load's time when the file has none
    }
)
SNAPSHOT_COLUMNS = re.compile(r"^dbt_")  # dbt's snapshot bookkeeping: ids and times of the builds
MARTS_SCHEMAS = ("marts", "market_data")

_LOAD_REFERENCE = re.compile(r"\b(loads?|release) (\d+)")
# A time in the project's own messages ("released by hand at 2026-11-22 06:00 UTC"); data never reads like it.
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d(\.\d+)?)? UTC")


@dataclass(frozen=True)
class Fingerprint:
    """Per relation (`schema.name`): the columns compared and the multiset of rows."""

    columns: dict[str, tuple[str, ...]]
    rows: dict[str, Counter[Row]]


def _deliveries(address: WarehouseAddress) -> dict[int, str]:
    """Each load id's delivery: `landing_key@sha256` (the first 12 hex digits)."""
    ledger = query(address, "select load_id, landing_key, sha256 from raw.load_ledger")
    return {int(load_id): f"{key}@{sha[:12]}" for load_id, key, sha in ledger}


def _text(value: str, deliveries: dict[int, str]) -> str:
    def delivery(match: re.Match[str]) -> str:
        load_id = int(match.group(2))
        return f"{match.group(1)} <{deliveries.get(load_id, 'unknown load')}>"

    return _TIMESTAMP.sub("<time>", _LOAD_REFERENCE.sub(delivery, value))


def _value(value: object, deliveries: dict[int, str]) -> object:
    if isinstance(value, str):
        return _text(value, deliveries)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def _is_load_id(column: str) -> bool:
    return column == "load_id" or column.endswith("_load_id")


def _converter(column: str, deliveries: dict[int, str]) -> Callable[[object], object]:
    if _is_load_id(column):
        return lambda value: None if value is None else deliveries.get(int(value), f"unknown load {value}")
    if column in RUN_TIMES:
        return lambda value: value is not None
    return lambda value: _value(value, deliveries)


def _relations(address: WarehouseAddress, schemas: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """`schema.name` -> [(column, data type)] of every table and view in `schemas`, in column order."""
    listed = query(
        address,
        """
        select table_schema || '.' || table_name, column_name, data_type
        from information_schema.columns
        where table_schema = any(%s)
        order by table_schema, table_name, ordinal_position
        """,
        (list(schemas),),
    )
    relations: dict[str, list[tuple[str, str]]] = {}
    for relation, column, data_type in listed:
        relations.setdefault(relation, []).append((column, data_type))
    return relations


def _fingerprint(
    address: WarehouseAddress,
    schemas: Iterable[str],
    left_out: Callable[[str], bool],
    where: Callable[[str, list[str]], str] = lambda relation, columns: "",
) -> Fingerprint:
    deliveries = _deliveries(address)
    columns_of: dict[str, tuple[str, ...]] = {}
    rows_of: dict[str, Counter[Row]] = {}
    for relation, described in _relations(address, schemas).items():
        names = [name for name, _ in described if not left_out(name)]
        every = [name for name, _ in described]
        converters = [_converter(name, deliveries) for name in names]
        selected = ", ".join(f'"{name}"' for name in names)
        fetched = query(address, f"select {selected} from {relation} {where(relation, every)}")
        columns_of[relation] = tuple(names)
        rows_of[relation] = Counter(
            tuple(convert(v) for convert, v in zip(converters, row, strict=True)) for row in fetched
        )
    return Fingerprint(columns_of, rows_of)


def _without_skipped(relation: str, columns: list[str]) -> str:
    """Leave out skipped loads: the ledger's rows, and the marts' rows of them (a `status` column)."""
    return f"where status is distinct from '{SKIPPED}'" if "status" in columns and "load_id" in columns else ""


def raw_fingerprint(address: WarehouseAddress) -> Fingerprint:
    """The ledger (skipped rows left out) and every raw table, load ids replaced by their deliveries."""
    return _fingerprint(address, ("raw",), lambda column: column in RAW_LEFT_OUT, _without_skipped)


def marts_fingerprint(address: WarehouseAddress) -> Fingerprint:
    """Every relation in schemas marts and market_data, without load ids, build and load times."""
    return _fingerprint(address, MARTS_SCHEMAS, lambda column: column in MARTS_LEFT_OUT, _without_skipped)


def snapshot_fingerprint(address: WarehouseAddress) -> Fingerprint:
    """The current row (dbt_valid_to null) of each key of every snapshot, without dbt's columns: what the history
    says now, whatever the number of builds that made it."""
    return _fingerprint(
        address,
        ("snapshots",),
        lambda column: bool(SNAPSHOT_COLUMNS.match(column)),
        lambda relation, columns: "where dbt_valid_to is null" if "dbt_valid_to" in columns else "",
    )


def skipped_deliveries(address: WarehouseAddress) -> Counter[tuple[str, str]]:
    """(landing key, sha256) of every skipped ledger row, counted."""
    rows = query(address, f"select landing_key, sha256 from raw.load_ledger where status = '{SKIPPED}'")
    return Counter((key, sha) for key, sha in rows)


def differences(expected: Fingerprint, actual: Fingerprint, limit: int = 5) -> str:
    """What differs, relation by relation (at most `limit` rows each way); '' when nothing does."""
    lines: list[str] = []
    for relation in sorted(set(expected.rows) | set(actual.rows)):
        if relation not in actual.rows or relation not in expected.rows:
            lines.append(f"{relation}: only in the {'expected' if relation in expected.rows else 'actual'} warehouse")
            continue
        if expected.columns[relation] != actual.columns[relation]:
            lines.append(f"{relation}: columns {expected.columns[relation]} != {actual.columns[relation]}")
            continue
        missing = expected.rows[relation] - actual.rows[relation]
        extra = actual.rows[relation] - expected.rows[relation]
        if not missing and not extra:
            continue
        lines.append(f"{relation} {expected.columns[relation]}:")
        for label, rows in (("missing", missing), ("unexpected", extra)):
            listed = sorted(rows.elements(), key=repr)
            for row in listed[:limit]:
                lines.append(f"  {label}: {row}")
            if len(listed) > limit:
                lines.append(f"  ... and {len(listed) - limit} more {label}")
    return "\n".join(lines)
