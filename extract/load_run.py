"""One extract run: every pending landing file loaded in its own transaction, then moved."""

from __future__ import annotations

import contextlib
import random
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg2
from psycopg2.extensions import connection as Connection
from psycopg2.extensions import cursor as Cursor

from extract import fault_points, landing, ledger, redact
from extract.domain import FileNotReady, LoadContext, RejectedFile, StagingUnavailable
from extract.domains import DOMAINS, domain_of
from extract.landing import LandingFile, LandingZone
from extract.warehouse import WarehouseUnreachable
from extract.warehouse_target import WarehouseTarget
from extract.worker_connection import WorkerConnection, lost_connection

# Statuses of a file in a run. The ledger knows the first four; the last two never reach it.
LOADED, REJECTED, SKIPPED = "loaded", "rejected", "skipped"
HELD = ledger.HELD  # landed but not applied: a vehicle feed that looks like a broken export (extract.held_feeds)
GONE = "gone"  # another run loaded it (its ledger row says so) and moved it while this one waited for it
FAILED = "failed"  # an error outside the file itself (network, database, a file removed unloaded): nothing loaded
# How far the landing zone's clock (S3 LastModified) may be ahead of ours: attempts at a delivery that started up
# to this long before its modification time are searched for an archive a crash left (extract.landing).
CLOCK_SKEW = timedelta(hours=1)


@dataclass(frozen=True)
class FileResult:
    key: str
    domain: str
    status: str
    rows: int = 0
    rejected_rows: int = 0
    seconds: float = 0.0
    load_id: int | None = None
    error: str | None = None
    warning: str | None = None
    findings: tuple[str, ...] = ()  # what the file's format could not read (raw.load_ledger.warnings)


def _unknown_domain_reason(file: LandingFile) -> str:
    known = ", ".join(f"{name}/" for name in sorted(DOMAINS))
    return f"{file.key}: no domain handles the folder {domain_of(file.key)!r}; files belong under {known}"


def load_file(
    target: WarehouseTarget, conn: Connection, zone: LandingZone, file: LandingFile, load_id: int | None = None
) -> FileResult:
    """Load one file: ledger row and raw rows commit together; the file moves only after the commit. `load_id`:
    one the run reserved for it (in landing order), else one is reserved here."""
    started_clock = time.perf_counter()
    started_at = datetime.now(UTC)
    name = domain_of(file.key)
    domain = DOMAINS.get(name)

    def result(status: str, **kwargs: object) -> FileResult:
        return FileResult(file.key, name, status, seconds=time.perf_counter() - started_clock, **kwargs)

    with landing.scratch_folder() as scratch, conn.cursor() as cur:
        load_id = target.reserve_load_id(conn) if load_id is None else load_id
        fault_points.reached(fault_points.AFTER_LOAD_ID)
        target.lock_landing_key(cur, file.key)  # a concurrent run of the same file waits here, then sees our ledger row
        try:
            local = zone.local_copy(file, scratch)
        except Exception:
            if zone.exists(file):
                raise
            return _gone(conn, cur, file, started_at, result)
        entry = ledger.LedgerEntry(name, zone.uri, file.key, file.size, local.sha256, file.modified_at, started_at)
        previous = ledger.already_loaded(cur, file.key, local.sha256)
        if previous is not None:
            earlier = ledger.attempts_since(cur, file.key, local.sha256, file.modified_at - CLOCK_SKEW)
            ledger.record(cur, load_id, entry, SKIPPED, error=f"same content as load {previous}")
            conn.commit()
            return _archive(zone, file, result(SKIPPED, load_id=load_id), started_at, earlier)

        writer = target.raw_writer(load_id)
        try:
            try:
                if domain is None:
                    raise RejectedFile(_unknown_domain_reason(file))
                ctx = LoadContext(cur, load_id, file, local, name, writer, target.lock)
                outcome = domain.load(ctx)
                rejected_rows = ctx.flush_rejected()
            except FileNotReady as exc:  # not the file's fault: no trace of this attempt, the file stays pending
                conn.rollback()
                return result(FAILED, error=f"{exc}; the file stays in the landing zone")
            except Exception as exc:
                if target.is_retryable(exc) or not _is_the_files_fault(exc):
                    raise
                if isinstance(exc, FileNotFoundError) and not zone.exists(file):
                    # read in place, and it left the landing zone meanwhile
                    return _gone(conn, cur, file, started_at, result)
                reason = str(exc) if isinstance(exc, RejectedFile) else f"{file.key}: {type(exc).__name__}: {exc}"
                reason = redact.text(reason)  # the ledger and the reason file keep it: never a secret
                conn.rollback()  # none of the file's rows stay; the ledger row says why
                target.lock_landing_key(cur, file.key)
                earlier = ledger.attempts_since(cur, file.key, local.sha256, file.modified_at - CLOCK_SKEW)
                ledger.record(cur, load_id, entry, REJECTED, error=reason)
                conn.commit()
                rejected = result(REJECTED, load_id=load_id, error=reason)
                try:
                    landing.mark_rejected(zone, file, reason, started_at, earlier)
                except Exception as move_exc:  # noqa: BLE001 - report, the ledger already says rejected
                    return FileResult(**{**rejected.__dict__, "warning": f"could not move aside: {move_exc}"})
                return rejected
            fault_points.reached(fault_points.AFTER_COPY)
            status = HELD if outcome.hold_reason else LOADED
            ledger.record(
                cur, load_id, entry, status, outcome.rows_loaded, rejected_rows, error=outcome.hold_reason,
                feed_at=outcome.feed_at, warnings=outcome.warnings, layout=outcome.layout,
            )  # fmt: skip
            fault_points.reached(fault_points.AFTER_LEDGER_ROW)
            conn.commit()
            fault_points.reached(fault_points.AFTER_COMMIT)
        finally:
            writer.discard()
        loaded = result(
            status, rows=outcome.rows_loaded, rejected_rows=rejected_rows, load_id=load_id, findings=outcome.warnings,
            error=outcome.hold_reason,
        )  # fmt: skip
        return _archive(zone, file, loaded, started_at)  # a held file's content is in raw: it moves like a loaded one


def _gone(
    conn: Connection, cur: Cursor, file: LandingFile, started_at: datetime, result: Callable[..., FileResult]
) -> FileResult:
    """A file that left the landing zone before this run could read it. Another run that loaded it (or skipped or
    set it aside) wrote its ledger row just before moving it, so after this run listed it: then it is `gone`,
    nothing to do. Without a row of that landing path finished since an hour (CLOCK_SKEW: runs on other hosts)
    before this attempt began, nobody loaded it (a person or a process removed it): the run fails and says so,
    for nothing of it is in the warehouse. Not the file's time: a re-uploaded file keeps its feed time. Looked
    up after this file's transaction ended, so that the other run's commit is visible."""
    conn.rollback()
    archived_by = ledger.latest_attempt_since(cur, file.key, started_at - CLOCK_SKEW)
    conn.rollback()
    if archived_by is not None:
        return result(GONE)
    return result(
        FAILED,
        error=(
            f"{file.key}: removed from the landing zone before this run could read it, and no run loaded it "
            f"(no ledger row of it since {started_at - CLOCK_SKEW:%Y-%m-%d %H:%M:%S} UTC): nothing of it is in "
            "the warehouse; land it again unless it was removed on purpose"
        ),
    )


def _is_the_files_fault(exc: Exception) -> bool:
    """A reading or data error is the file's; a lost connection or an unreachable store is not (it stays pending)."""
    return not isinstance(exc, psycopg2.OperationalError | psycopg2.InterfaceError | StagingUnavailable)


def _archive(
    zone: LandingZone, file: LandingFile, done: FileResult, when: datetime, earlier: Sequence[datetime] = ()
) -> FileResult:
    try:
        landing.mark_imported(zone, file, when, earlier)
    except Exception as exc:  # noqa: BLE001 - committed already: the next run skips and moves it
        if not zone.exists(file):
            return done  # a concurrent run that skipped it has moved it already
        warning = f"{done.status}, but not moved to imported/ ({exc}); the next run will skip and move it"
        return FileResult(**{**done.__dict__, "warning": warning})
    return done


RETRIES = 5  # attempts of one file when concurrent transactions conflict (Redshift error 1023)


def _guarded_load(
    target: WarehouseTarget, conn: Connection, zone: LandingZone, file: LandingFile, load_id: int | None = None
) -> FileResult:
    started = time.perf_counter()
    for attempt in range(1, RETRIES + 1):
        try:
            return load_file(target, conn, zone, file, load_id)  # a retry reuses it: the attempt rolled back
        except Exception as exc:  # noqa: BLE001 - not the file's fault: leave it pending, report it
            with contextlib.suppress(Exception):  # the connection itself may be what failed
                conn.rollback()
            if target.is_retryable(exc) and attempt < RETRIES:
                time.sleep(random.uniform(0.5, 1.5) * 0.2 * 2**attempt)  # backoff with jitter
                continue
            seconds = time.perf_counter() - started
            return FileResult(file.key, domain_of(file.key), FAILED, seconds=seconds, error=_failure(file, exc, conn))
    raise AssertionError("unreachable")


def _failure(file: LandingFile, exc: Exception, conn: Connection) -> str:
    """Why a file failed through no fault of its own, in one sentence without a secret: it stays pending."""
    if lost_connection(exc, conn):
        what = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return redact.text(f"{file.key}: the connection to the warehouse was lost ({what}); {_STAYS}")
    return redact.text(f"{file.key}: {type(exc).__name__}: {' '.join(str(exc).split())}; {_STAYS}")


_STAYS = "the file stays in the landing zone and the next run loads it"


# --- worker processes: one connection and one landing client each ---
_worker: dict[str, object] = {}


def _init_worker(target: WarehouseTarget, landing_uri: str) -> None:
    _worker["conn"] = WorkerConnection(target)  # opened by the first file: a failure is that file's, not the pool's
    _worker["zone"] = landing.open_landing(landing_uri)


def _load_in_worker(file: LandingFile, load_id: int) -> FileResult:
    return _load_with(_worker["conn"], _worker["zone"], file, load_id)  # type: ignore[arg-type]


def _load_with(
    connection: WorkerConnection, zone: LandingZone, file: LandingFile, load_id: int | None = None
) -> FileResult:
    """Load a file on the loader's connection, opened again first when the warehouse dropped it."""
    try:
        conn = connection.get()
    except WarehouseUnreachable as exc:
        return FileResult(file.key, domain_of(file.key), FAILED, error=f"{file.key}: not tried: {exc}; {_STAYS}")
    return _guarded_load(connection.target, conn, zone, file, load_id)


def pending_files(zone: LandingZone, domains: tuple[str, ...] | None) -> list[LandingFile]:
    """Pending files of the selected domains (all folders when none is selected), oldest feed first."""
    files = [f for name in domains for f in zone.pending(prefix=f"{name}/")] if domains else zone.pending()
    return sorted(files, key=lambda f: (f.modified_at, f.key))


def run(
    target: WarehouseTarget,
    landing_uri: str,
    domains: tuple[str, ...] | None,
    workers: int,
    on_result: Callable[[FileResult, int, int], None] = lambda result, done, total: None,
) -> list[FileResult]:
    """Load every pending file; in this process when one worker suffices, else in a pool of processes."""
    zone = landing.open_landing(landing_uri)
    files = pending_files(zone, domains)
    results: list[FileResult] = []
    conn = target.connect()
    try:
        target.prepare(conn, domains or tuple(DOMAINS))
        for done in target.start_run(conn):
            print(f"extract: {done}", file=sys.stderr)
        if workers <= 1 or len(files) <= 1:
            connection = WorkerConnection(target, conn)
            try:
                for file in files:
                    results.append(_load_with(connection, zone, file))
                    on_result(results[-1], len(results), len(files))
            finally:
                connection.close()  # a new one, when the warehouse dropped the first
            return results
        # Load ids in landing order, whichever worker starts first: rules that break ties by load id (unificado's
        # copy of a row on equal copy times, a ticker's files landed at the same time) then give what one loader
        # gives, so a pool numbers the files as one loader does.
        load_ids = target.reserve_load_ids(conn, len(files))
    finally:
        conn.close()
    with ProcessPoolExecutor(
        max_workers=min(workers, len(files)), initializer=_init_worker, initargs=(target, landing_uri)
    ) as pool:
        futures = [pool.submit(_load_in_worker, file, load_id) for file, load_id in zip(files, load_ids, strict=True)]
        for future in as_completed(futures):
            results.append(future.result())
            on_result(results[-1], len(results), len(files))
    return results
