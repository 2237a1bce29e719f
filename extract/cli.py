"""`python -m extract`: land pending files into the warehouse's raw schema; manage the embedded warehouse."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg2

from extract import embedded_warehouse, load_run, report
from extract.domains import DOMAINS
from extract.fetch import FetchError, FetchSettings, fetch_unificado
from extract.landing import LandingError, open_landing
from extract.mart_summary import mart_rows
from extract.raw_compaction import compact_vehicle_records
from extract.tracks import TrackError
from extract.warehouse import WarehouseAddress, WarehouseUnreachable, ensure_running, resolve_address

EXIT_OK, EXIT_SOME_REJECTED, EXIT_CANNOT_RUN = 0, 1, 2
DEFAULT_LANDING = "landing"
SAMPLE_DATA = "sample_data"
_SAMPLE_FEED_TIME = re.compile(r"__(\d{8}T\d{4}Z)")

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
"""

EPILOG = """\
other commands:
  python -m extract warehouse start|stop|status|env|reset   the embedded PostgreSQL
  python -m extract sample-data [--landing ...]             copy the bundled sample files into the landing zone
  python -m extract fetch unificado --url URL               download the weekly lab-results CSV into lab/unificado/

exit codes:
  0  every file loaded or skipped
  1  some files were rejected or failed (the others loaded); the summary lists them with reasons
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
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("EXTRACT_WORKERS", min(2, os.cpu_count() or 1))),
        help="files loaded in parallel, one process and one connection each (env EXTRACT_WORKERS; "
        "default: number of cores, at most 2)",
    )
    return parser


def _commands_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m extract", formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    wh = commands.add_parser("warehouse", help="start, stop or show the embedded PostgreSQL")
    wh.add_argument(
        "action",
        choices=["start", "stop", "status", "env", "reset"],
        help="start: idempotent; env: PG* lines for a shell or a BI tool; reset: stop and delete its data",
    )
    sample = commands.add_parser("sample-data", help="copy the bundled sample files into the landing zone")
    sample.add_argument("--landing", default=os.environ.get("EXTRACT_LANDING", DEFAULT_LANDING))
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
    return parser


def _fail(message: str) -> int:
    print(f"extract: {message}", file=sys.stderr)
    return EXIT_CANNOT_RUN


def _ensure_dbt_profile(root: Path) -> None:
    """dbt reads ./profiles.yml first: give it the documented example, which reads the PG* variables."""
    profile, example = root / "profiles.yml", root / "profiles.yml.example"
    if not profile.exists() and example.exists():
        shutil.copyfile(example, profile)


def _warehouse(action: str) -> int:
    address = resolve_address()
    if action == "env":
        for name, value in address.as_env().items():
            print(f"export {name}={value}")
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
        elif action == "stop":
            embedded_warehouse.stop()
        elif action == "reset":
            embedded_warehouse.destroy()
    except embedded_warehouse.EmbeddedWarehouseError as exc:
        return _fail(f"the embedded warehouse on 127.0.0.1:{address.port} failed: {exc}.")
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
    return EXIT_OK


def _sample_data(landing_uri: str) -> int:
    source = embedded_warehouse.project_root() / SAMPLE_DATA
    zone = open_landing(landing_uri)
    if not landing_uri.startswith("s3://"):
        Path(landing_uri).mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted(p for p in source.rglob("*") if p.is_file() and not p.name.endswith((".py", ".md"))):
        key = path.relative_to(source).as_posix()
        zone.put(key, path)
        stamp = _SAMPLE_FEED_TIME.search(path.name)
        if stamp and not landing_uri.startswith("s3://"):
            # git keeps no modification times: bundled feeds carry theirs in the name
            feed_at = datetime.strptime(stamp.group(1), "%Y%m%dT%H%MZ").replace(tzinfo=UTC).timestamp()
            os.utime(Path(landing_uri) / key, (feed_at, feed_at))
        count += 1
    print(f"copied {count} sample files into {zone.uri}")
    return EXIT_OK


def _fetch(args: argparse.Namespace) -> int:
    if not args.url:
        return _fail("no URL to fetch: pass --url or set UNIFICADO_URL.")
    settings = FetchSettings(args.url, args.connect_timeout, args.read_timeout, max(args.attempts, 1), args.backoff)
    try:
        result = fetch_unificado(open_landing(args.landing), settings)
    except FetchError as exc:
        print(f"extract fetch: {exc}", file=sys.stderr)
        return EXIT_SOME_REJECTED
    if result.status == "unchanged":
        print(f"unchanged: {args.url} has the same content as the previous download (sha256 {result.sha256[:12]}...)")
    else:
        print(f"landed {result.key} ({result.size} bytes, {result.attempts} attempt(s))")
    return EXIT_OK


def _load(argv: list[str]) -> int:
    args = _load_parser().parse_args(argv)
    if args.workers < 1:
        return _fail("--workers must be at least 1.")
    try:
        for name in args.domain or DOMAINS:
            validate = getattr(DOMAINS[name], "validate", None)
            if validate is not None:
                validate()
    except TrackError as exc:
        return _fail(f"a track file is invalid: {exc}.")
    try:
        address = resolve_address()
        ensure_running(address)
        started = time.perf_counter()
        results = load_run.run(address, args.landing, tuple(args.domain or ()), args.workers, report.Progress())
    except WarehouseUnreachable as exc:
        return _fail(str(exc))
    except LandingError as exc:
        return _fail(f"the landing zone cannot be read: {exc}.")
    except psycopg2.Error as exc:  # preparing the raw tables failed: nothing was loaded
        diagnostic = getattr(exc, "diag", None)
        hint = f" ({diagnostic.message_hint})" if diagnostic and diagnostic.message_hint else ""
        return _fail(f"the warehouse's raw tables cannot be prepared: {str(exc).strip()}{hint}.")
    print(report.summary_table(results, time.perf_counter() - started))
    if any(r.domain == "vehicles" and r.status == load_run.LOADED for r in results):
        _compact_vehicle_records(address)
    return report.exit_code(results)


def _compact_vehicle_records(address: WarehouseAddress) -> None:
    """Raw retention after new vehicle feeds; a failure leaves the loads as they are and is reported."""
    try:
        done = compact_vehicle_records(address)
    except (psycopg2.Error, WarehouseUnreachable) as exc:
        print(f"warning: raw compaction failed, it runs again after the next load: {str(exc).strip()}", file=sys.stderr)
        return
    print(
        f"raw compaction: {done.records:,} repeated vehicle records of {done.feeds} feeds keep their row, "
        f"not their JSON ({done.seconds:.1f} s)"
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("warehouse", "sample-data", "fetch"):
        args = _commands_parser().parse_args(argv)
        if args.command == "warehouse":
            return _warehouse(args.action)
        if args.command == "fetch":
            return _fetch(args)
        return _sample_data(args.landing)
    if argv and argv[0] == "load":
        argv = argv[1:]
    return _load(argv)
