"""One scheduled run at a time per landing zone, even when runs start on different hosts.

- A local landing folder: `fcntl.flock` on `<landing>/.run.lock`. The operating system releases it when
  the run's process ends, however it ends.
- An S3 landing zone: the object `<prefix>/.run.lock`, created only if absent (a conditional put,
  `If-None-Match: *`) and deleted at the end only if still ours (`If-Match` on its ETag). It names its
  holder and an expiry, EXTRACT_RUN_LOCK_TTL after the start (default 6 hours): a crashed run's lock is
  taken over once expired (again with `If-Match`, so two runs cannot both take it over). A run must end
  within the TTL.

Both lock files start with a dot, so the extractor never takes them for pending files.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from extract import redact
from extract.landing import LandingError, S3Landing

LOCK_NAME = ".run.lock"
TTL_VARIABLE = "EXTRACT_RUN_LOCK_TTL"
DEFAULT_TTL = timedelta(hours=6)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}


class RunLockError(RuntimeError):
    """The lock cannot be taken; the message is one sentence saying why."""


class LockHeld(RunLockError):
    """Another run holds the lock; the message names it."""


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    started_at: datetime
    expires_at: datetime | None = None  # S3 only: a local lock dies with its process

    @classmethod
    def this_process(cls, ttl: timedelta | None = None) -> Holder:
        now = datetime.now(UTC).replace(microsecond=0)
        return cls(socket.gethostname(), os.getpid(), now, now + ttl if ttl is not None else None)

    def to_json(self) -> str:
        expires = self.expires_at.isoformat() if self.expires_at else None
        return json.dumps(
            {"host": self.host, "pid": self.pid, "started_at": self.started_at.isoformat(), "expires_at": expires}
        )

    @classmethod
    def from_json(cls, text: str) -> Holder | None:
        try:
            data = json.loads(text)
            expires = data.get("expires_at")
            return cls(
                str(data["host"]),
                int(data["pid"]),
                datetime.fromisoformat(data["started_at"]),
                datetime.fromisoformat(expires) if expires else None,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def describe(self) -> str:
        text = f"a run on host {self.host} (pid {self.pid}) since {self.started_at:%Y-%m-%d %H:%M:%S} UTC"
        return text + (f", lock expires {self.expires_at:%Y-%m-%d %H:%M:%S} UTC" if self.expires_at else "")


def ttl_from_environment() -> timedelta:
    """EXTRACT_RUN_LOCK_TTL: seconds, or a number with s, m or h (`6h`, `90m`); default 6 hours."""
    text = os.environ.get(TTL_VARIABLE, "")
    if not text.strip():
        return DEFAULT_TTL
    match = _DURATION.match(text.lower())
    if not match:
        raise RunLockError(f"{TTL_VARIABLE} must be a duration such as 6h, 90m or 3600 (seconds), got {text!r}.")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


@contextlib.contextmanager
def hold(landing_uri: str) -> Iterator[Holder]:
    """Hold the run lock of `landing_uri` for the block; raise LockHeld or RunLockError when it cannot."""
    if not landing_uri.startswith("s3://"):
        with _local_lock(Path(landing_uri)) as holder:
            yield holder
        return
    lock = S3RunLock(landing_uri, ttl_from_environment())
    holder = lock.acquire()
    try:
        yield holder
    finally:
        lock.release()


@contextlib.contextmanager
def _local_lock(folder: Path) -> Iterator[Holder]:
    if not folder.is_dir():
        raise RunLockError(f"the landing folder {folder.resolve()} does not exist.")
    path = folder / LOCK_NAME
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # never truncated before the lock is ours
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = Holder.from_json(os.pread(descriptor, 4096, 0).decode("utf-8", "replace"))
            who = holder.describe() if holder else "another run (starting: it has not written its name yet)"
            raise LockHeld(f"the landing folder {folder.resolve()} is locked by {who}.") from None
        holder = Holder.this_process()
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, holder.to_json().encode(), 0)
        try:
            yield holder
        finally:
            os.ftruncate(descriptor, 0)
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


class S3RunLock:
    """The lock object of an S3 landing zone; acquire() then release()."""

    def __init__(self, landing_uri: str, ttl: timedelta) -> None:
        try:
            zone = S3Landing(landing_uri)
        except LandingError as exc:
            raise RunLockError(f"{exc}.") from exc
        self.client, self.bucket, self.ttl = zone.client, zone.bucket, ttl
        self.key = f"{zone.prefix}/{LOCK_NAME}" if zone.prefix else LOCK_NAME
        self.where = f"s3://{self.bucket}/{self.key}"
        self.etag: str | None = None

    def acquire(self) -> Holder:
        holder = Holder.this_process(self.ttl)
        for _ in range(5):  # a lock released or taken over between two calls: look again
            if self._put(holder, IfNoneMatch="*"):
                return holder
            current = self._current()
            if current is None:
                continue
            etag, other = current
            now = datetime.now(UTC)
            if other is not None and (other.expires_at is None or other.expires_at > now):
                raise LockHeld(f"the landing zone's lock {self.where} is held by {other.describe()}.")
            if self._put(holder, IfMatch=etag):
                who = other.describe() if other else "an unreadable lock"
                print(
                    f"warning: took over the expired lock {self.where} of {who}: that run crashed or outlived "
                    f"{TTL_VARIABLE}.",
                    file=sys.stderr,
                )
                return holder
            time.sleep(0.2)
        raise RunLockError(f"the lock {self.where} keeps changing hands; try again.")

    def release(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key, IfMatch=self.etag)
        except ClientError as exc:
            if _code(exc) == "PreconditionFailed":
                print(
                    f"warning: the lock {self.where} was taken over by another run before this one ended "
                    f"(it outlived {TTL_VARIABLE}); left in place.",
                    file=sys.stderr,
                )
            elif _code(exc) not in ("NoSuchKey", "404"):
                print(
                    f"warning: the lock {self.where} could not be deleted ({redact.text(str(exc))}); the next run "
                    f"takes it over after {TTL_VARIABLE}.",
                    file=sys.stderr,
                )
        except BotoCoreError as exc:
            print(f"warning: the lock {self.where} could not be deleted ({redact.text(str(exc))}).", file=sys.stderr)

    def _put(self, holder: Holder, **condition: str) -> bool:
        """Write the lock object under `condition`; False when the condition did not hold."""
        from botocore.exceptions import BotoCoreError, ClientError

        body = holder.to_json().encode()
        try:
            response = self.client.put_object(Bucket=self.bucket, Key=self.key, Body=body, **condition)
        except ClientError as exc:
            # 409 ConditionalRequestConflict: another conditional write on the key is in flight
            if _code(exc) in ("PreconditionFailed", "ConditionalRequestConflict", "412", "409"):
                return False
            raise RunLockError(f"the lock {self.where} cannot be written: {exc}.") from exc
        except BotoCoreError as exc:
            raise RunLockError(f"the lock {self.where} cannot be written: {exc}.") from exc
        self.etag = response["ETag"]
        return True

    def _current(self) -> tuple[str, Holder | None] | None:
        """ETag and holder of the lock object (holder None if unreadable: it then expires with its age),
        or None when it is gone."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response: dict[str, Any] = self.client.get_object(Bucket=self.bucket, Key=self.key)
            text = response["Body"].read().decode("utf-8", "replace")
        except ClientError as exc:
            if _code(exc) in ("NoSuchKey", "404"):
                return None
            raise RunLockError(f"the lock {self.where} cannot be read: {exc}.") from exc
        except BotoCoreError as exc:
            raise RunLockError(f"the lock {self.where} cannot be read: {exc}.") from exc
        holder = Holder.from_json(text)
        if holder is None and response["LastModified"] + self.ttl > datetime.now(UTC):
            written = f"{response['LastModified']:%Y-%m-%d %H:%M:%S} UTC"
            raise LockHeld(f"the landing zone's lock {self.where} is held (unreadable content, written {written}).")
        return response["ETag"], holder


def _code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
