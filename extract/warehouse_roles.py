"""`python -m extract warehouse roles [--target dev|prod]`: the three logins of the warehouse, each allowed
only what its job needs. Run it as the warehouse's superuser (the embedded one's `postgres`, Redshift's
admin user); it is idempotent, so run it again after any change.

- loader: owns the raw schema and everything in it; `python -m extract` runs as it. Nothing else.
- transformer: dbt. Reads raw (SELECT on its tables, and by default privileges on every table the loader
  creates later), may create schemas in the database and so owns the ones dbt builds (staging,
  intermediate, marts, market_data, snapshots, seeds).
- bi_reader: what BI tools log in as. This command gives it nothing but the login: dbt grants it SELECT
  on every relation of marts and market_data when it builds them (`+grants` in dbt_project.yml, the
  per-ticker views' post-hook) and USAGE on their schemas (an on-run-end hook). No default privileges:
  dbt revokes the grants it does not know about when it rebuilds an incremental model.

Passwords: LOADER_PASSWORD, TRANSFORMER_PASSWORD, BI_READER_PASSWORD, or the secret stores
(LOADER_SECRET_ID / LOADER_SSM_PARAMETER, ...: extract.credentials). A login whose variable is not set
keeps its password; a new one needs it, except on the embedded warehouse, where it gets its local
password (loader_local, transformer_local, bi_reader_local; the embedded warehouse creates the three
logins with them at start).

PostgreSQL logins are roles with LOGIN. On Redshift they are users with the privileges granted to them
directly, not RBAC roles granted to users: a Redshift role cannot have a user's name, so roles would need
a second set of names on Redshift only, and dbt-redshift compares the grants it manages against users
only (unless its grants-extended behaviour is switched on), so a role grantee would be granted again on
every build and never revoked. One login per service needs no indirection; a second BI login is
`--vars '{bi_reader_role: "group bi"}'` (or a role) away, as dbt writes grantees.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg2
import yaml
from psycopg2.extensions import connection as Connection

from extract import embedded_warehouse, redact
from extract.ledger import RAW_SCHEMA
from extract.warehouse import WarehouseUnreachable, connect
from extract.warehouse_target import ConfigurationError, target_name

EXIT_OK, EXIT_CANNOT_RUN = 0, 2
POSTGRES, REDSHIFT = "postgres", "redshift"


@dataclass(frozen=True)
class Login:
    name: str
    password_variable: str  # its store variables are <PREFIX>_SECRET_ID / <PREFIX>_SSM_PARAMETER
    local_password: str  # on the embedded warehouse (README "Roles")
    job: str

    @property
    def prefix(self) -> str:
        return self.password_variable.removesuffix("_PASSWORD")


LOADER = Login("loader", "LOADER_PASSWORD", "loader_local", "owns schema raw: python -m extract runs as it")
TRANSFORMER = Login("transformer", "TRANSFORMER_PASSWORD", "transformer_local", "reads raw, owns dbt's schemas: dbt")
BI_READER = Login(
    "bi_reader",
    "BI_READER_PASSWORD",
    "bi_reader_local",
    "reads marts and market_data (dbt grants them as it builds them): BI tools",
)
LOGINS = (LOADER, TRANSFORMER, BI_READER)

# relkind -> the ALTER ... OWNER TO keyword; sequences owned by a column follow their table
_RELATION_KINDS = {"r": "table", "p": "table", "v": "view", "m": "materialized view", "S": "sequence"}
_PLAIN_NAME = re.compile(r"^[a-z_][a-z0-9_$]*$")


class RolesError(RuntimeError):
    """The roles cannot be set up as asked; the message says what to set or do."""


@dataclass(frozen=True)
class Statement:
    """One statement; `password` is the value of its one %s parameter, never printed."""

    sql: str
    password: str | None = None

    def shown(self) -> str:
        return self.sql.replace("%s", "'********'") if self.password is not None else self.sql


@dataclass(frozen=True)
class WarehouseState:
    """What the statements depend on, read from the warehouse (or written by a test)."""

    database: str
    logins: frozenset[str]  # which of the three exist
    raw_owner: str | None  # None: no schema raw yet
    raw_not_loaders: tuple[tuple[str, str], ...] = ()  # (ALTER keyword, name) of raw relations others own
    has_public_schema: bool = True
    foreign_dbt_schemas: tuple[tuple[str, str], ...] = ()  # (schema, owner) of dbt's schemas others own


def quote(name: str) -> str:
    """An identifier as SQL: plain lower-case names as they are, anything else double-quoted."""
    return name if _PLAIN_NAME.match(name) else '"' + name.replace('"', '""') + '"'


def statements(dialect: str, state: WarehouseState, passwords: Mapping[str, str | None]) -> list[Statement]:
    """Everything `warehouse roles` sends, in order, for PostgreSQL or Redshift. `passwords`: login name ->
    password, or None to keep an existing login's password."""
    postgres = dialect == POSTGRES
    loader, transformer, bi_reader = LOADER.name, TRANSFORMER.name, BI_READER.name
    database = quote(state.database)
    sent: list[Statement] = []
    for login in LOGINS:
        kind, can_login = ("role", " login") if postgres else ("user", "")
        password = passwords.get(login.name)
        if login.name not in state.logins:
            if password is None:
                raise RolesError(f"no password for the new login {login.name}: set {login.password_variable}")
            sent.append(Statement(f"create {kind} {login.name}{can_login} password %s", password))
        elif password is not None:
            sent.append(Statement(f"alter {kind} {login.name}{can_login} password %s", password))
    if postgres:  # PUBLIC has CONNECT unless a hardened database revoked it; Redshift has no such privilege
        sent.append(Statement(f"grant connect on database {database} to {loader}, {transformer}, {bi_reader}"))
    sent.append(Statement(f"grant temporary on database {database} to {loader}"))  # raw compaction
    sent.append(Statement(f"grant create, temporary on database {database} to {transformer}"))
    if state.has_public_schema:  # PostgreSQL 15's default; Redshift lets every user create tables in public
        sent.append(Statement("revoke create on schema public from public"))
    if state.raw_owner is None:
        sent.append(Statement(f"create schema if not exists {RAW_SCHEMA} authorization {loader}"))
    elif state.raw_owner != loader:
        sent.append(Statement(f"alter schema {RAW_SCHEMA} owner to {loader}"))
    for keyword, name in state.raw_not_loaders:  # the extractor alters and comments its tables: owner only
        sent.append(Statement(f"alter {keyword} {RAW_SCHEMA}.{quote(name)} owner to {loader}"))
    sent.append(Statement(f"grant usage on schema {RAW_SCHEMA} to {transformer}"))
    sent.append(Statement(f"grant select on all tables in schema {RAW_SCHEMA} to {transformer}"))
    sent.append(
        Statement(
            f"alter default privileges for {'role' if postgres else 'user'} {loader} in schema {RAW_SCHEMA} "
            f"grant select on tables to {transformer}"
        )
    )
    return sent


def resolve_passwords(env: Mapping[str, str], existing: frozenset[str], embedded: bool) -> dict[str, str | None]:
    """Each login's password from the environment (stores already resolved into it); None keeps an existing
    login's; a new login on the embedded warehouse gets its local password. RolesError names what is missing."""
    passwords: dict[str, str | None] = {}
    missing = []
    for login in LOGINS:
        value = env.get(login.password_variable) or None
        if value is None and login.name not in existing:
            value = login.local_password if embedded else None
            if value is None:
                missing.append(login)
        passwords[login.name] = value
    if missing:
        names = ", ".join(login.name for login in missing)
        variables = "; ".join(
            f"{login.password_variable} (or {login.prefix}_SECRET_ID / {login.prefix}_SSM_PARAMETER)"
            for login in missing
        )
        raise RolesError(f"the new login(s) {names} need a password: set {variables}")
    return passwords


def dbt_schemas(project_root: Path | None = None) -> list[str]:
    """The custom schemas of dbt_project.yml (`+schema` of models, seeds and snapshots), in order; none
    without the project (only a note depends on them)."""
    path = (project_root or embedded_warehouse.project_root()) / "dbt_project.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("+schema", "schema") and isinstance(value, str) and value not in found:
                    found.append(value)
                else:
                    walk(value)

    for section in ("models", "seeds", "snapshots"):
        walk(document.get(section) or {})
    return found


def read_state(conn: Connection, dialect: str, database: str, schemas: Sequence[str]) -> WarehouseState:
    """The logins, the owner of raw and its relations, and the owners of dbt's schemas, as they are now."""
    names = tuple(login.name for login in LOGINS)
    with conn.cursor() as cur:
        if dialect == POSTGRES:
            cur.execute("select rolname from pg_catalog.pg_roles where rolname in %s", (names,))
            logins = frozenset(row[0] for row in cur.fetchall())
            owner_of = "pg_catalog.pg_get_userbyid({})"
            cur.execute(
                f"""select c.relname, c.relkind from pg_catalog.pg_class as c
                join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
                where n.nspname = %s and c.relkind in ('r', 'p', 'v', 'm', 'S')
                    and {owner_of.format("c.relowner")} <> %s
                    and not exists (
                        select 1 from pg_catalog.pg_depend as d
                        where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i')
                    )
                order by c.relname""",
                (RAW_SCHEMA, LOADER.name),
            )
        else:
            cur.execute("select usename from pg_catalog.pg_user where usename in %s", (names,))
            logins = frozenset(row[0] for row in cur.fetchall())
            owner_of = "(select usename from pg_catalog.pg_user where usesysid = {})"
            cur.execute(
                f"""select c.relname, c.relkind from pg_catalog.pg_class as c
                join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
                where n.nspname = %s and c.relkind = 'r'
                    and coalesce({owner_of.format("c.relowner")}, '') <> %s
                order by c.relname""",
                (RAW_SCHEMA, LOADER.name),
            )
        raw_not_loaders = tuple((_RELATION_KINDS[kind], name) for name, kind in cur.fetchall())
        cur.execute(
            f"select nspname, {owner_of.format('nspowner')} from pg_catalog.pg_namespace where nspname in %s",
            ((RAW_SCHEMA, "public", *schemas),),
        )
        owners = dict(cur.fetchall())
    conn.commit()
    foreign = tuple(
        (schema, owners[schema] or "?") for schema in schemas if schema in owners and owners[schema] != TRANSFORMER.name
    )
    return WarehouseState(database, logins, owners.get(RAW_SCHEMA), raw_not_loaders, "public" in owners, foreign)


def apply(conn: Connection, dialect: str, planned: Sequence[Statement]) -> None:
    """Send the statements. PostgreSQL: one transaction, serialised with any other run of this (two GRANTs on
    one object at once fail). Redshift: one at a time (autocommit), as some DDL may not run in a block."""
    if dialect == POSTGRES:
        with conn.cursor() as cur:
            cur.execute("select pg_advisory_xact_lock(hashtextextended('extract:roles', 0))")
            for statement in planned:
                cur.execute(statement.sql, None if statement.password is None else (statement.password,))
        conn.commit()
        return
    conn.autocommit = True
    with conn.cursor() as cur:
        for statement in planned:
            cur.execute(statement.sql, None if statement.password is None else (statement.password,))


def create_missing_logins(conn: Connection) -> list[str]:
    """The three logins with their local passwords, where missing (the embedded warehouse at start; the
    tests' server). A role is the cluster's: another session creating it at the same moment is no error."""
    created = []
    conn.autocommit = True
    with conn.cursor() as cur:
        for login in LOGINS:
            cur.execute("select 1 from pg_catalog.pg_roles where rolname = %s", (login.name,))
            if cur.fetchone() is not None:
                continue
            try:
                cur.execute(f"create role {login.name} login password %s", (login.local_password,))
                created.append(login.name)
            except (psycopg2.errors.DuplicateObject, psycopg2.errors.UniqueViolation):
                pass
    return created


def grant_embedded(address_dbname: str) -> None:
    """`warehouse start`: the grants of `warehouse roles` in the embedded warehouse's database, as its
    superuser; the logins keep their passwords (start created them with the local ones)."""
    from extract.warehouse import resolve_address

    address = replace(resolve_address({}), dbname=address_dbname)
    conn = connect(address, application_name="extract warehouse start")
    try:
        state = read_state(conn, POSTGRES, address.dbname, dbt_schemas())
        apply(conn, POSTGRES, statements(POSTGRES, state, resolve_passwords({}, state.logins, embedded=True)))
    finally:
        conn.close()


def _redshift_connection(env: Mapping[str, str]) -> tuple[Connection, str, str]:
    """Redshift as its admin user: REDSHIFT_* only (no staging or COPY role is needed to grant)."""
    from extract.redshift_target import RedshiftAddress, connect_redshift

    address = RedshiftAddress.from_env(env)
    return connect_redshift(address, "extract warehouse roles"), address.dbname, address.describe()


def _postgres_connection(env: Mapping[str, str]) -> tuple[Connection, str, str, bool]:
    from extract.postgres_target import PostgresTarget

    address = PostgresTarget.from_env(env).address
    if address.embedded:  # its superuser, whatever PGUSER says: only it may create roles there
        address = replace(address, user=embedded_warehouse.SUPERUSER, password=None)
    conn = PostgresTarget(address).connect(application_name="extract warehouse roles")
    return conn, address.dbname, address.describe(), address.embedded


def roles_command(cli_target: str | None, env: Mapping[str, str] | None = None) -> int:
    """The command: read the state, plan, print and send the statements, then say who does what."""
    env = os.environ if env is None else env
    try:
        dialect = REDSHIFT if target_name(cli_target, env) == "prod" else POSTGRES
        if dialect == REDSHIFT:
            conn, database, where = _redshift_connection(env)
            embedded = False
        else:
            conn, database, where, embedded = _postgres_connection(env)
    except (WarehouseUnreachable, ConfigurationError) as exc:
        return _fail(str(exc))
    try:
        state = read_state(conn, dialect, database, dbt_schemas())
        planned = statements(dialect, state, resolve_passwords(env, state.logins, embedded))
        print(f"warehouse roles on {where}:")
        for statement in planned:
            print(f"  {statement.shown()}")
        apply(conn, dialect, planned)
    except RolesError as exc:
        return _fail(f"{exc}; nothing was changed.")
    except psycopg2.Error as exc:
        diagnostic = getattr(exc, "diag", None)
        message = (diagnostic.message_primary if diagnostic else None) or type(exc).__name__  # never the SQL text
        done = "nothing was changed" if dialect == POSTGRES else "the statements before it were applied"
        return _fail(f"the warehouse refused a statement ({message}); {done}. Run it as a superuser, again.")
    finally:
        conn.close()
    for login in LOGINS:
        print(f"{login.name:<12} {login.job}")
    for schema, owner in state.foreign_dbt_schemas:
        print(
            f"note: schema {schema} belongs to {owner}: dbt as {TRANSFORMER.name} cannot replace what is in it; "
            f"keep building it as {owner}, or drop it (or give it and its relations to {TRANSFORMER.name})"
        )
    return EXIT_OK


def _fail(message: str) -> int:
    print(f"extract warehouse roles: {redact.text(message)}", file=sys.stderr)
    return EXIT_CANNOT_RUN
