"""`python -m extract`: land pending files into the warehouse's raw schema; manage the embedded warehouse."""

from __future__ import annotations

import argparse
import getpass
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2

from extract import (
    catalogue,
    credentials,
    embedded_warehouse,
    fault_points,
    held_feeds,
    load_run,
    redact,
    report,
    scheduled_run,
)
from extract.domain import StagingUnavailable
from extract.domains import DOMAINS
from extract.fetch import FetchError, FetchSettings, fetch_unificado
from extract.landing import LandingError, open_landing
from extract.ledger import RAW_SCHEMA
from extract.mart_summary import held_in_load_audit, mart_rows
from extract.postgres_target import PostgresTarget, prepare_raw_schema
from extract.raw_compaction import Compaction, compact_vehicle_records
from extract.raw_statistics import Refresh, refresh_raw_statistics
from extract.warehouse import WarehouseAddress, WarehouseUnreachable, connect, resolve_address
from extract.warehouse_roles import grant_embedded, roles_command
from extract.warehouse_target import TARGETS, ConfigurationError, choose_target

EXIT_OK, EXIT_SOME_REJECTED, EXIT_CANNOT_RUN = 0, 1, 2
DEFAULT_LANDING = "landing"
SAMPLE_DATA = "sample_data"
_SAMPLE_FEED_TIME = re.compile(r"__(\d{8}T\d{4}Z)")
# sample-data --broken-feed: the GestionaleAuto sample export, dropped in corporate 101's DMS_A folder a day later
_MISFILED_SAMPLE = (
    "vehicles/corporate=101/source=GESTIONALEAUTO/export__20261120T0900Z.xml.zip",
    "vehicles/corporate=101/source=DMS_A/export__20261122T0600Z.xml.zip",
)

DESCRIPTION = """\
Land pending files from the landing zone into the warehouse's raw schema, one transaction per file,
then move each file to imported/ (or rejected/, with the reason beside it). dbt does the rest.

The landing zone is a local folder or s3://bucket/prefix. Its first folder names the domain:
  vehicles/corporate={id}/source={DMS}/...   DMS inventory feeds (.xml, .xml.gz, .zip)
  crypto/ticker={TICKER}/...                 price and Google Trends CSV files
  lab/unificado/...                          weekly lab-results CSV files

The warehouse is the PostgreSQL named by PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE; when neither
PGHOST nor PGPORT is set, the project's embedded PostgreSQL (127.0.0.1:54329, data in .warehouse/) is
started on demand.

Every file is recorded in raw.load_ledger. A file whose content was already loaded from the same path
is skipped (recorded as skipped, never loaded twice). Rerunning is always safe.

A vehicle feed that looks like a broken export is held: its rows land but dbt does not apply it. That is
a feed with no records, or a snapshot that would make more than EXTRACT_HOLD_REMOVAL_SHARE (default 0.5)
of its corporate's available vehicles in that DMS unavailable. `python -m extract release <load id>`
applies it on purpose; a later applied feed of the same corporate and DMS supersedes it.
"""

EPILOG = """\
other commands:
  python -m extract warehouse start|stop|status|env|reset   the embedded PostgreSQL
  python -m extract warehouse roles [--target dev|prod]     the logins loader, transformer, bi_reader and their grants
  python -m extract sample-data [--landing ...] [--broken-feed]
                                                            copy the bundled sample files into the landing zone
  python -m extract release [LOAD_ID]                       apply a held vehicle feed (no id: list the held ones)
  python -m extract fetch unificado --url URL               download the weekly lab-results CSV into lab/unificado/
  python -m extract run [--target dev|prod]                 the scheduled run: lock, extract, dbt build, freshness

exit codes:
  0  every file loaded or skipped
  1  some files were rejected, failed or held (the others loaded); the summary lists them with reasons
     (and, for a held feed, the release command)
  2  nothing could run (warehouse unreachable, bad configuration); one sentence says why

examples:
  python -m extract                                   load everything pending in ./landing
  python -m extract --domain lab --workers 1          only lab files, one at a time
  EXTRACT_LANDING=s3://my-bucket/feeds python -m extract
  python -m extract warehouse status                  where the embedded warehouse is and whether it runs
  python -m extract sample-data                       copy the bundled sample files into ./landing
"""


def _load_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m extract",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--landing",
        default=os.environ.get("EXTRACT_LANDING", DEFAULT_LANDING),
        help="landing zone: a folder or s3://bucket/prefix (env EXTRACT_LANDING; default ./landing). "
        "AWS_ENDPOINT_URL points boto3 at an S3-compatible server.",
    )
    parser.add_argument(
        "--domain",
        action="append",
        choices=sorted(DOMAINS),
        help="load only this domain's folder (repeatable; default: every domain)",
    )
    _add_target_option(parser)
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("EXTRACT_WORKERS", min(2, os.cpu_count() or 1))),
        help="files loaded in parallel, one process and one connection each (env EXTRACT_WORKERS; "
        "default: number of cores, at most 2)",
    )
    return parser


def _add_target_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target",
        choices=TARGETS,
        help="the warehouse, as dbt's target: dev = PostgreSQL (PG* variables, else the embedded one), prod = "
        "Redshift through S3 (REDSHIFT_*, EXTRACT_STAGING, REDSHIFT_COPY_ROLE_ARN); default: env DBT_TARGET, else dev",
    )


def _commands_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m extract", formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    wh = commands.add_parser("warehouse", help="start, stop or show the embedded PostgreSQL; create the logins")
    wh.add_argument(
        "action",
        choices=["start", "stop", "status", "env", "reset", "roles"],
        help="start: idempotent; env: PG* lines for a shell or a BI tool; reset: stop and delete its data; "
        "roles: create the logins loader, transformer, bi_reader (passwords LOADER_PASSWORD, ...) and grant "
        "each what it needs, on the target's warehouse, as its superuser (see the README's Roles)",
    )
    _add_target_option(wh)  # roles only: the others manage the embedded PostgreSQL
    sample = commands.add_parser("sample-data", help="copy the bundled sample files into the landing zone")
    sample.add_argument("--landing", default=os.environ.get("EXTRACT_LANDING", DEFAULT_LANDING))
    sample.add_argument(
        "--broken-feed",
        action="store_true",
        help="also drop the GestionaleAuto sample export into corporate 101's DMS_A folder, a day later: "
        "a misfiled export, which the extractor holds (exit 1) instead of marking the dealer's stock sold",
    )
    release = commands.add_parser(
        "release",
        help="apply a held vehicle feed on purpose",
        description="Apply a held vehicle feed (raw.load_ledger status held): it becomes status released and "
        "the next dbt build applies it; held feeds of the same corporate and DMS before it are superseded. "
        "Without a load id, list the held feeds with their reasons. Exit 0 when released (or listed), 1 when "
        "refused (the load is not held, or a later applied feed superseded it), 2 when the load id is "
        "unknown or the warehouse cannot be reached.",
    )
    release.add_argument("load_id", type=int, nargs="?", help="the held feed's load id (raw.load_ledger.load_id)")
    _add_target_option(release)
    catalogue = commands.add_parser(
        "catalogue",
        help="write the catalogue fields' doc blocks from their list",
        description="Write models/marts/vehicles/_catalogue_fields__docs.md (what dbt docs shows for every "
        "catalogue field) from macros/vehicles/catalogue_fields.sql, the one list of the fields.",
    )
    catalogue.add_argument("action", choices=["docs"])
    fetch = commands.add_parser(
        "fetch",
        help="download a source into the landing zone",
        description="Download the weekly lab-results CSV into lab/unificado/ of the landing zone. "
        "Exit 0 when landed or unchanged (same content as the previous download), 1 when the download "
        "failed or its content was refused (nothing landed), 2 when no URL is configured.",
    )
    fetch.add_argument("source", choices=["unificado"])
    fetch.add_argument("--url", default=os.environ.get("UNIFICADO_URL"), help="the CSV's URL (env UNIFICADO_URL)")
    fetch.add_argument("--landing", default=os.environ.get("EXTRACT_LANDING", DEFAULT_LANDING))
    fetch.add_argument("--attempts", type=int, default=4, help="tries on connection errors, timeouts and 5xx")
    fetch.add_argument("--backoff", type=float, default=2.0, help="seconds before the 2nd try; doubles each time")
    fetch.add_argument("--connect-timeout", type=float, default=10.0)
    fetch.add_argument("--read-timeout", type=float, default=60.0)
    scheduled_run.add_parser(commands, landing_default=os.environ.get("EXTRACT_LANDING", DEFAULT_LANDING))
    return parser


def _fail(message: str) -> int:
    print(f"extract: {redact.text(message)}", file=sys.stderr)  # a library's message may quote a URL with its password
    return EXIT_CANNOT_RUN


def _ensure_dbt_profile(root: Path) -> None:
    """dbt reads ./profiles.yml first: give it the documented example, which reads the PG* variables."""
    profile, example = root / "profiles.yml", root / "profiles.yml.example"
    if not profile.exists() and example.exists():
        shutil.copyfile(example, profile)


def _prepare_raw_tables(address: WarehouseAddress) -> None:
    """Every domain's raw tables, empty until the first load, so `dbt build` runs on a fresh warehouse."""
    conn = connect(address)
    try:
        prepare_raw_schema(conn, tuple(DOMAINS))
    finally:
        conn.close()


def _warehouse(action: str) -> int:
    address = resolve_address()
    if action == "env":
        for name, value in address.as_env().items():
            store = credentials.from_store(name)
            print(f"# {name} comes from {store}, not printed" if store else f"export {name}={value}")
        return EXIT_OK
    if not address.embedded:
        return _fail(
            f"PGHOST/PGPORT point at {address.host}:{address.port}; "
            "the embedded warehouse is only used when neither is set."
        )
    try:
        if action == "start":
            embedded_warehouse.start(address.dbname)
            _ensure_dbt_profile(embedded_warehouse.project_root())
            _prepare_raw_tables(address)
            grant_embedded(address.dbname)  # loader owns raw (its tables too), transformer reads it
        elif action == "stop":
            embedded_warehouse.stop()
        elif action == "reset":
            embedded_warehouse.destroy()
    except embedded_warehouse.EmbeddedWarehouseError as exc:
        return _fail(f"the embedded warehouse on 127.0.0.1:{address.port} failed: {exc}.")
    except (psycopg2.Error, WarehouseUnreachable) as exc:
        return _fail(f"the embedded warehouse started, but its raw tables or grants failed: {str(exc).strip()}.")
    state = embedded_warehouse.status()
    print(f"embedded warehouse: {'running' if state.running else 'stopped'}")
    print(f"  address:   postgresql://{address.user}@127.0.0.1:{state.port}/{address.dbname} (no password)")
    print(f"  data:      {state.data_dir}")
    print(f"  log:       {state.log_file}")
    if state.running:
        print(f"  pid:       {state.pid}")
        relations = mart_rows(address)
        if relations:
            print(f"  BI relations in database {address.dbname!r}:")
            for schema, name, rows in relations:
                print(f"    {schema + '.' + name:<40} {rows:>10,} rows")
        held = held_in_load_audit(address)
        if held:
            print("  held vehicle feeds in marts.load_audit (landed, not applied; each reason ends with its release):")
            for held_id, key, reason in held:
                print(f"    load {held_id}  {key}\n      {reason}")
    return EXIT_OK


def _sample_data(landing_uri: str, broken_feed: bool = False) -> int:
    source = embedded_warehouse.project_root() / SAMPLE_DATA
    zone = open_landing(landing_uri)
    if not landing_uri.startswith("s3://"):
        Path(landing_uri).mkdir(parents=True, exist_ok=True)
    files = [
        (path.relative_to(source).as_posix(), path)
        for path in sorted(p for p in source.rglob("*") if p.is_file() and not p.name.endswith((".py", ".md")))
    ]
    if broken_feed:
        sample, misfiled = _MISFILED_SAMPLE
        files.append((misfiled, source / sample))
    for key, path in files:
        zone.put(key, path)
        stamp = _SAMPLE_FEED_TIME.search(key.rsplit("/", 1)[-1])
        if stamp and not landing_uri.startswith("s3://"):
            # git keeps no modification times: bundled feeds carry theirs in the name
            feed_at = datetime.strptime(stamp.group(1), "%Y%m%dT%H%MZ").replace(tzinfo=UTC).timestamp()
            os.utime(Path(landing_uri) / key, (feed_at, feed_at))
    print(f"copied {len(files)} sample files into {zone.uri}")
    if broken_feed:
        print(f"  including a misfiled export (a GestionaleAuto file in a DMS_A folder): {_MISFILED_SAMPLE[1]}")
    return EXIT_OK


def _release(load_id: int | None, target_option: str | None) -> int:
    """Apply a held vehicle feed on purpose, or list the held ones."""
    try:
        target = choose_target(target_option, os.environ)
        conn = target.connect(application_name="extract release")
    except (WarehouseUnreachable, ConfigurationError) as exc:
        return _fail(str(exc))
    try:
        target.prepare(conn, ("vehicles",))  # the ledger and its statuses, as a load run has them
        with conn, conn.cursor() as cur:
            if load_id is None:
                held = held_feeds.held_loads(cur)
                print("Held vehicle feeds (landed in raw, not applied):" if held else "No held vehicle feeds.")
                for held_id, key, reason in held:
                    print(f"  load {held_id}  {key}\n    {reason}")
                return EXIT_OK
            released = held_feeds.release(cur, target.lock, load_id, _person())
            fault_points.reached(fault_points.MID_RELEASE)
    except held_feeds.UnknownLoad as exc:
        return _fail(f"{exc}.")
    except held_feeds.ReleaseRefused as exc:
        print(f"extract release: {exc}", file=sys.stderr)
        return EXIT_SOME_REJECTED
    except psycopg2.Error as exc:
        return _fail(f"the warehouse refused the release: {str(exc).strip()}.")
    finally:
        conn.close()
    print(
        f"released load {load_id} ({released.landing_key}): its {released.vehicles} vehicles are now the stock of "
        f"{released.feed.stock}; the next dbt build applies it"
    )
    if released.superseded:
        loads = ", ".join(map(str, released.superseded))
        print(f"superseded (held before it, they can no longer be released): load {loads}")
    return EXIT_OK


def _person() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in this environment
        return "an unknown user"


def _catalogue_docs() -> int:
    root = embedded_warehouse.project_root()
    (root / catalogue.DOCS_FILE).write_text(catalogue.render_docs(catalogue.load_catalogue()), encoding="utf-8")
    print(f"wrote {catalogue.DOCS_FILE} from macros/vehicles/catalogue_fields.sql")
    return EXIT_OK


def _fetch(args: argparse.Namespace) -> int:
    if not args.url:
        return _fail("no URL to fetch: pass --url or set UNIFICADO_URL.")
    settings = FetchSettings(args.url, args.connect_timeout, args.read_timeout, max(args.attempts, 1), args.backoff)
    try:
        result = fetch_unificado(open_landing(args.landing), settings)
    except FetchError as exc:
        print(f"extract fetch: {redact.text(str(exc))}", file=sys.stderr)
        return EXIT_SOME_REJECTED
    if result.status == "unchanged":
        same = f"the same content as the previous download (sha256 {result.sha256[:12]}...)"
        print(f"unchanged: {settings.shown_url} has {same}")
    else:
        print(f"landed {result.key} ({result.size} bytes, {result.attempts} attempt(s))")
    return EXIT_OK


def _load(argv: list[str]) -> int:
    args = _load_parser().parse_args(argv)
    if args.workers < 1:
        return _fail("--workers must be at least 1.")
    refused_configuration: list[str] = []  # e.g. an invalid track file: only its own DMS's feeds wait
    for name in args.domain or DOMAINS:
        validate = getattr(DOMAINS[name], "validate", None)
        if validate is not None:
            refused_configuration.extend(validate())
    for reason in refused_configuration:
        print(f"extract: a track file is invalid, its DMS's feeds wait in the landing zone: {reason}", file=sys.stderr)
    try:
        held_feeds.removal_share_limit()
    except held_feeds.HoldSettingError as exc:
        return _fail(f"{exc}.")
    try:
        target = choose_target(args.target, os.environ)
        started = time.perf_counter()
        results = load_run.run(target, args.landing, tuple(args.domain or ()), args.workers, report.Progress())
    except (WarehouseUnreachable, ConfigurationError) as exc:
        return _fail(str(exc))
    except LandingError as exc:
        return _fail(f"the landing zone cannot be read: {exc}.")
    except StagingUnavailable as exc:
        return _fail(f"{exc}.")
    except psycopg2.Error as exc:  # preparing the raw tables failed: nothing was loaded
        diagnostic = getattr(exc, "diag", None)
        hint = f" ({diagnostic.message_hint})" if diagnostic and diagnostic.message_hint else ""
        return _fail(f"the warehouse's raw tables cannot be prepared: {str(exc).strip()}{hint}.")
    print(report.summary_table(results, time.perf_counter() - started))
    if isinstance(target, PostgresTarget):  # Redshift compresses repeats and analyzes after COPY by itself
        landed = any(r.domain == "vehicles" and r.status in (load_run.LOADED, load_run.HELD) for r in results)
        compact = landed or _compaction_pending(target.address)
        if compact or any(r.rows for r in results):
            _raw_upkeep(target.address, compact)
    return max(report.exit_code(results), EXIT_SOME_REJECTED if refused_configuration else EXIT_OK)


def _compaction_pending(address: WarehouseAddress) -> bool:
    """Whether a vehicle feed waits for its compaction: a run killed after its loads, before the compaction
    committed, leaves its feeds so, and its rerun has nothing left to load."""
    try:
        conn = connect(address, application_name="extract: raw compaction")
    except WarehouseUnreachable:
        return False  # the compaction waits for the next run
    feeds = f"{RAW_SCHEMA}.vehicle_feeds"
    try:
        with conn, conn.cursor() as cur:
            cur.execute("select to_regclass(%s) is not null", (feeds,))
            if not cur.fetchone()[0]:
                return False  # no vehicle feed landed yet
            cur.execute(f"select exists (select 1 from {feeds} where compacted_at is null)")
            return bool(cur.fetchone()[0])
    except psycopg2.Error:
        return False  # the compaction waits for the next run
    finally:
        conn.close()


def _raw_upkeep(address: WarehouseAddress, compact: bool) -> None:
    """After a PostgreSQL run's loads: the raw compaction (when vehicle feeds landed or wait for it), then fresh
    planner statistics for the next dbt build. A step that fails leaves the loads as they are and is reported;
    the compaction runs again after the next load, autovacuum analyzes in its own time."""
    steps: list[tuple[str, Callable[[WarehouseAddress], Any], Callable[[Any], str]]] = [
        ("raw statistics not refreshed, autovacuum will", refresh_raw_statistics, _statistics_line),
    ]
    if compact:
        steps.insert(0, ("raw compaction failed, it runs again after the next load", compact_vehicle_records,
                         _compaction_line))  # fmt: skip
    for failure, step, line in steps:
        try:
            done = step(address)
        except (psycopg2.Error, WarehouseUnreachable) as exc:
            print(f"warning: {failure}: {str(exc).strip()}", file=sys.stderr)
            continue
        text = line(done)
        if text:
            print(text)


def _compaction_line(done: Compaction) -> str:
    return (
        f"raw compaction: {done.records:,} repeated vehicle records of {done.feeds} feeds keep their row, "
        f"not their JSON ({done.seconds:.1f} s)"
    )


def _statistics_line(done: Refresh) -> str:
    if not done.tables:
        return ""
    return f"statistics refreshed for dbt's plans: {', '.join(done.tables)} ({done.seconds:.1f} s)"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        credentials.apply_to_process()  # before anything reads PG* or REDSHIFT_*; children inherit it
    except credentials.CredentialsError as exc:
        return _fail(str(exc))
    if argv and argv[0] in ("warehouse", "sample-data", "fetch", "release", "catalogue", "run"):
        args = _commands_parser().parse_args(argv)
        if args.command == "run":
            return scheduled_run.run(args)
        if args.command == "warehouse":
            return roles_command(args.target) if args.action == "roles" else _warehouse(args.action)
        if args.command == "catalogue":
            return _catalogue_docs()
        if args.command == "fetch":
            return _fetch(args)
        if args.command == "release":
            return _release(args.load_id, args.target)
        return _sample_data(args.landing, args.broken_feed)
    if argv and argv[0] == "load":
        argv = argv[1:]
    return _load(argv)
