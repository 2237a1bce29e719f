"""Where the dashboard reads from, and how: one read-only role, one query per connection, results cached.

The dashboard connects as the BI role `bi_reader`, never as the loader or dbt's role. Settings, each
optional:

| variable | default |
|---|---|
| DASHBOARD_PGHOST, DASHBOARD_PGPORT | the embedded warehouse: 127.0.0.1, EMBEDDED_PG_PORT or 54329 |
| DASHBOARD_PGDATABASE | warehouse |
| DASHBOARD_PGUSER | bi_reader |
| DASHBOARD_PGPASSWORD | bi_reader_local (the embedded warehouse's local password of bi_reader) |

The project's own PG* variables are deliberately not read: they name the loader's login.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
import psycopg2
import psycopg2.errors
import streamlit as st

from extract import embedded_warehouse
from extract.warehouse import WarehouseUnreachable, open_connection

BI_READER = "bi_reader"
BI_READER_LOCAL_PASSWORD = "bi_reader_local"  # only the embedded warehouse's; set DASHBOARD_PGPASSWORD elsewhere
CACHE_SECONDS = 300  # marts change once per build: five minutes old is fresh enough, and spares Redshift


class WarehouseError(RuntimeError):
    """The warehouse cannot answer; the message is one sentence a person can act on."""


class NotBuilt(WarehouseError):
    """A relation or column the page reads does not exist (yet): the server's message says which."""


@dataclass(frozen=True)
class DashboardSettings:
    host: str
    port: int
    dbname: str
    user: str
    password: str | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DashboardSettings:
        env = os.environ if env is None else env
        embedded = not env.get("DASHBOARD_PGHOST") and not env.get("DASHBOARD_PGPORT")
        port_text = env.get("DASHBOARD_PGPORT") or str(embedded_warehouse.port() if embedded else 5432)
        try:
            port = int(port_text)
        except ValueError as exc:
            raise WarehouseError(f"DASHBOARD_PGPORT must be a number, got {port_text!r}.") from exc
        return cls(
            host=env.get("DASHBOARD_PGHOST") or "127.0.0.1",
            port=port,
            dbname=env.get("DASHBOARD_PGDATABASE") or embedded_warehouse.DEFAULT_DATABASE,
            user=env.get("DASHBOARD_PGUSER") or BI_READER,
            password=env.get("DASHBOARD_PGPASSWORD") or (BI_READER_LOCAL_PASSWORD if embedded else None),
        )

    def describe(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.dbname}"


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def read(settings: DashboardSettings, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run one SELECT and return its rows; numeric columns come back as floats."""
    try:
        conn = open_connection(
            "the warehouse", settings.host, settings.port, settings.user, settings.password, settings.dbname,
            "dashboard",
        )  # fmt: skip
    except WarehouseUnreachable as exc:
        raise WarehouseError(
            f"{exc}. Is it running (make demo), and does the role exist with that password (DASHBOARD_PGUSER, "
            "DASHBOARD_PGPASSWORD)?"
        ) from exc
    try:
        conn.autocommit = True  # plain reads: no transaction left open between reruns
        with conn.cursor() as cur:
            cur.execute(sql, tuple(params))
            columns = [column.name for column in cur.description]
            rows = cur.fetchall()
    except (psycopg2.errors.UndefinedTable, psycopg2.errors.UndefinedColumn) as exc:
        raise NotBuilt(_first_line(exc)) from exc
    except psycopg2.errors.InsufficientPrivilege as exc:
        raise WarehouseError(
            f"{settings.user} may not read it: {_first_line(exc)}. The BI role needs USAGE on the schema and "
            "SELECT on its relations."
        ) from exc
    except psycopg2.Error as exc:
        raise WarehouseError(f"The warehouse refused a query: {_first_line(exc)}.") from exc
    finally:
        conn.close()
    return _with_floats(pd.DataFrame.from_records(rows, columns=columns))


def _first_line(exc: psycopg2.Error) -> str:
    return (exc.pgerror or str(exc)).strip().splitlines()[0].removeprefix("ERROR:").strip()


def _with_floats(frame: pd.DataFrame) -> pd.DataFrame:
    """NUMERIC arrives as Decimal, which charts and tables treat as text: make those columns floats."""
    for name in frame.columns:
        values = frame[name].dropna()
        if frame[name].dtype == object and not values.empty and all(isinstance(v, Decimal) for v in values):
            frame[name] = frame[name].astype(float)
    return frame
