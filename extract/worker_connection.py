"""A loader's connection to the warehouse, opened again when the warehouse dropped it (a restart, a failover, a
network cut): the file in flight fails and stays pending, the next file waits for the warehouse and goes on.

The wait is EXTRACT_RECONNECT_SECONDS (default 30): long enough for a restart or a failover, short enough that a
scheduled run does not hang on a warehouse that is down. A loader that could not reach the warehouse again within
it tries no more: its remaining files fail at once, each with the reason, and stay pending for the next run.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass

import psycopg2
from psycopg2.extensions import connection as Connection

from extract.warehouse import WarehouseUnreachable
from extract.warehouse_target import WarehouseTarget

RECONNECT_SECONDS = 30.0
_FIRST_PAUSE, _LONGEST_PAUSE = 0.5, 4.0


def reconnect_seconds() -> float:
    """EXTRACT_RECONNECT_SECONDS, or the default when it is unset or not a number."""
    try:
        return max(float(os.environ.get("EXTRACT_RECONNECT_SECONDS", RECONNECT_SECONDS)), 0.0)
    except ValueError:
        return RECONNECT_SECONDS


def is_open(conn: Connection) -> bool:
    """psycopg2 marks a connection the server dropped as closed (2) at the first statement that finds out."""
    return getattr(conn, "closed", 0) == 0


def lost_connection(exc: BaseException, conn: Connection) -> bool:
    """Whether `exc` is the warehouse going away (not a statement of the file failing on a live connection)."""
    return isinstance(exc, psycopg2.OperationalError | psycopg2.InterfaceError) and not is_open(conn)


@dataclass
class WorkerConnection:
    """One loader's connection: the same one while it works, a new one after the warehouse dropped it."""

    target: WarehouseTarget
    conn: Connection | None = None
    gave_up: str | None = None  # why the warehouse could not be reached again: no more attempts

    def get(self) -> Connection:
        """The open connection, or a new one, waiting up to reconnect_seconds() for the warehouse to answer.
        WarehouseUnreachable when it does not (at once, once it gave up)."""
        if self.conn is not None and is_open(self.conn):
            return self.conn
        if self.gave_up is not None:
            raise WarehouseUnreachable(self.gave_up)
        self.close()
        started, pause = time.monotonic(), _FIRST_PAUSE
        deadline = started + reconnect_seconds()
        while True:
            try:
                self.conn = self.target.connect(application_name="extract-worker")
                return self.conn
            except WarehouseUnreachable as exc:
                if time.monotonic() + pause > deadline:
                    waited = time.monotonic() - started
                    self.gave_up = f"the warehouse did not answer for {waited:.0f} s ({str(exc).rstrip('.')})"
                    raise WarehouseUnreachable(self.gave_up) from None
            time.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):
                self.conn.close()
        self.conn = None
