"""Planner statistics of the raw tables after a run that changed them (PostgreSQL).

dbt usually runs right after the extractor. PostgreSQL learns a table's size and value spread from
ANALYZE, which autovacuum runs on its own schedule (about a minute after a large load, or during it):
a `dbt build` that starts before it plans its joins on the counts of the previous day, or of an empty
table. Measured on a million vehicles (EXPLAIN ANALYZE of `int_vehicle_contents` from empty): 29 s with
statistics, 48 s without those of raw.vehicle_feeds, 96 s without those of raw.vehicle_records; a
benchmark build that started before autovacuum's round took 98 s for it. So a run that changed a raw
table by more than a tenth of its rows (autovacuum's share), or filled one never analyzed, analyzes it
before returning (1.5 s at a million vehicle records: ANALYZE reads a sample). Redshift analyzes after
a COPY by itself: nothing to do there.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from psycopg2 import sql

from extract.ledger import RAW_SCHEMA
from extract.warehouse import WarehouseAddress, connect

STALE_SHARE = 0.1  # autovacuum's own default threshold (autovacuum_analyze_scale_factor)

_STALE_TABLES = """
select tables.relname, stored.reltuples < 0 as never_analyzed
from pg_stat_user_tables as tables
inner join pg_class as stored on tables.relid = stored.oid
where
    tables.schemaname = %s
    and (
        stored.reltuples < 0  -- never analyzed nor vacuumed: the planner guesses its size
        or tables.n_mod_since_analyze > %s * greatest(tables.n_live_tup - tables.n_mod_since_analyze, 0)
    )
order by tables.relname
"""


@dataclass(frozen=True)
class Refresh:
    tables: tuple[str, ...]  # schema-qualified names of the tables analyzed
    seconds: float


def refresh_raw_statistics(address: WarehouseAddress) -> Refresh:
    """Analyze the raw tables whose statistics a run made stale (see the module's docstring)."""
    started = time.perf_counter()
    conn = connect(address, application_name="extract: raw statistics")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(_STALE_TABLES, (RAW_SCHEMA, STALE_SHARE))
            tables = []
            for table, never_analyzed in cur.fetchall():
                name = sql.SQL("{}.{}").format(sql.Identifier(RAW_SCHEMA), sql.Identifier(table))
                if never_analyzed:  # a table no run has filled yet (the crypto rows of a vehicles-only warehouse)
                    cur.execute(sql.SQL("select exists (select from {})").format(name))
                    if not cur.fetchone()[0]:
                        continue
                cur.execute(sql.SQL("analyze {}").format(name))
                tables.append(table)
    finally:
        conn.close()
    return Refresh(tuple(f"{RAW_SCHEMA}.{table}" for table in tables), time.perf_counter() - started)
