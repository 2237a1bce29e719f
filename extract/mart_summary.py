"""What BI can read right now: the relations of the BI schemas with their row counts, and the held feeds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from psycopg2 import sql
from psycopg2.extensions import cursor as Cursor

from extract.warehouse import WarehouseAddress, WarehouseUnreachable, connect

BI_SCHEMAS = ("marts", "market_data", "snapshots")


@contextmanager
def _status_cursor(address: WarehouseAddress) -> Iterator[Cursor | None]:
    """A cursor on the warehouse, or None when it cannot be reached (a status shows what it can)."""
    try:
        conn = connect(address, application_name="extract-status")
    except WarehouseUnreachable:
        yield None
        return
    try:
        with conn.cursor() as cur:
            yield cur
    finally:
        conn.close()


def mart_rows(address: WarehouseAddress) -> list[tuple[str, str, int]]:
    """(schema, relation, rows) of every table and view in the BI schemas; empty when unreachable."""
    with _status_cursor(address) as cur:
        if cur is None:
            return []
        cur.execute(
            "select table_schema, table_name from information_schema.tables where table_schema = any(%s) order by 1, 2",
            (list(BI_SCHEMAS),),
        )
        counts = []
        for schema, name in cur.fetchall():
            cur.execute(sql.SQL("select count(*) from {}.{}").format(sql.Identifier(schema), sql.Identifier(name)))
            counts.append((schema, name, int(cur.fetchone()[0])))
        return counts


def held_in_load_audit(address: WarehouseAddress) -> list[tuple[int, str, str]]:
    """(load id, landing key, reason) of the held vehicle feeds marts.load_audit shows; empty without it."""
    with _status_cursor(address) as cur:
        if cur is None:
            return []
        cur.execute("select to_regclass('marts.load_audit') is not null")
        if not cur.fetchone()[0]:
            return []
        cur.execute("select load_id, landing_key, error from marts.load_audit where status = 'held' order by 1")
        return [(int(load_id), key, error) for load_id, key, error in cur.fetchall()]
