"""The landing zone: a local folder or `s3://bucket/prefix` where files wait to be loaded.

Pending files are everything outside `imported/` and `rejected/` (hidden names and `.part` / `.tmp`
uploads in progress are ignored). After its load has committed, a file moves to
`imported/<same folders>/YYYY/MM/DD/HH/<name>`; a rejected one to `rejected/...` with
`<name>.reason.txt` beside it.

A local move is one rename. On S3 a move is a copy, then a delete; the copy carries the delivery's
LastModified in its user metadata (`landing-modified`), so that the run after a crash between the two
recognises the copy as this delivery's archive (in the hour folder of the attempt that made it, which the
ledger's start times give) and only deletes the original: each delivery is archived once.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

from extract import fault_points

IMPORTED = "imported"
REJECTED = "rejected"
REASON_SUFFIX = ".reason.txt"
_CHUNK = 1024 * 1024


class LandingError(RuntimeError):
    """The landing zone cannot be used (missing folder, unreachable bucket)."""


@dataclass(frozen=True)
class LandingFile:
    key: str  # path relative to the landing root, with forward slashes
    size: int
    modified_at: datetime  # UTC; the natural feed time of a re-uploaded file

    @property
    def name(self) -> str:
        return PurePosixPath(self.key).name

    @property
    def folder(self) -> str:
        return str(PurePosixPath(self.key).parent)


@dataclass(frozen=True)
class LocalCopy:
    """A seekable local copy of a landing file (zip needs random access) and its content hash."""

    path: Path
    sha256: str


def _is_pending(key: str) -> bool:
    if key.endswith("/"):
        return False  # an S3 folder marker (the console's "create folder"), not a file
    parts = PurePosixPath(key).parts
    if not parts or parts[0] in (IMPORTED, REJECTED):
        return False
    name = parts[-1]
    return not (name.startswith(".") or name.endswith((".part", ".tmp", REASON_SUFFIX)))


_NOT_A_PLACE = {".": "%2E", "..": "%2E%2E"}  # key segments a path would resolve; escaped in archive keys


def key_problem(key: str) -> str | None:
    """Why a landing key names no place for a file (an empty, `.` or `..` segment: possible in an object store),
    None when it is fine. Keys are never resolved as paths: such a file is rejected, its archive key escaped."""
    for position, segment in enumerate(key.split("/"), start=1):
        if segment in ("", *_NOT_A_PLACE):
            shown = repr(segment) if segment else "empty"
            return (
                f"{key}: segment {position} of the key is {shown}; a landing key is folders and a file name, "
                "never resolved as a path, so it may hold no '.', '..' or empty segment"
            )
    return None


def irregular_reason(key: str, path: Path) -> str | None:
    """Why the local landing entry at `path` is not a regular file, None when it is one (or is gone). Nothing is
    read through it: a symlink's target, a folder's files and a pipe's writer are never touched."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        what = f"a symlink to {os.readlink(path)}; links are never followed, nothing was read through it"
    elif stat.S_ISFIFO(mode):
        what = "a named pipe (FIFO); it was not opened"
    else:
        what = "a folder" if stat.S_ISDIR(mode) else "a socket or a device"
    return f"landing files must be regular files: {key} is {what} (put the file itself in the landing zone)"


def archive_key(area: str, key: str, when: datetime) -> str:
    """`imported/<folders>/YYYY/MM/DD/HH/<name>` for `key` processed at `when` (`.` and `..` segments escaped)."""
    path = PurePosixPath("/".join(_NOT_A_PLACE.get(segment, segment) for segment in key.split("/") if segment))
    stamp = when.astimezone(UTC).strftime("%Y/%m/%d/%H")
    folder = "" if str(path.parent) == "." else f"{path.parent}/"
    return f"{area}/{folder}{stamp}/{path.name}"


class Slot(enum.Enum):
    """What an archive key holds, for one landing file."""

    FREE = "free"  # nothing: the file may move there
    TAKEN = "taken"  # another delivery's archive
    THIS_FILE = "this file"  # this very delivery's archive: a move cut short by a crash copied it, then died


class LandingZone(Protocol):
    uri: str

    def pending(self, prefix: str = "") -> list[LandingFile]: ...

    def exists(self, file: LandingFile) -> bool: ...

    def open(self, file: LandingFile) -> BinaryIO: ...

    def local_copy(self, file: LandingFile, scratch: Path) -> LocalCopy: ...

    def put(self, key: str, source: Path) -> None: ...

    def move(self, file: LandingFile, target_key: str) -> None: ...

    def archive_slot(self, file: LandingFile, key: str) -> Slot: ...

    def delete(self, file: LandingFile) -> None: ...

    def write_text(self, key: str, text: str) -> None: ...


def _archive_names(key: str) -> Iterator[str]:
    """`key`, then `name-2.ext`, `name-3.ext`...: an earlier delivery of the same name in the same hour keeps
    its archive, archives are never overwritten."""
    path = PurePosixPath(key)
    stem, dot, extensions = path.name.partition(".")
    yield key
    number = 1
    while True:
        number += 1
        yield str(path.with_name(f"{stem}-{number}{dot}{extensions}"))


def _archive_target(
    zone: LandingZone, file: LandingFile, area: str, when: datetime, earlier: Iterable[datetime]
) -> tuple[str, bool]:
    """Where the file's archive goes, and whether it is there already. It is when a move was cut short after its
    copy (S3 copies, then deletes): in the hour folder of the attempt that died (`earlier`: the start times of the
    committed attempts at this delivery), or of this one. Else the first free name in this attempt's hour."""
    hours = {archive_key(area, file.key, moment) for moment in earlier} - {archive_key(area, file.key, when)}
    for first in sorted(hours):
        for candidate in _archive_names(first):
            slot = zone.archive_slot(file, candidate)
            if slot is Slot.THIS_FILE:
                return candidate, True
            if slot is Slot.FREE:
                break
    for candidate in _archive_names(archive_key(area, file.key, when)):
        slot = zone.archive_slot(file, candidate)
        if slot is not Slot.TAKEN:
            return candidate, slot is Slot.THIS_FILE
    raise AssertionError("unreachable: the names never end")


def mark_imported(zone: LandingZone, file: LandingFile, when: datetime, earlier: Iterable[datetime] = ()) -> str:
    """Move the file to `imported/<folders>/YYYY/MM/DD/HH/` of `when`; only delete it when a crashed attempt at
    the same delivery (started at one of `earlier`) archived it already."""
    target, archived = _archive_target(zone, file, IMPORTED, when, earlier)
    if archived:
        zone.delete(file)
    else:
        zone.move(file, target)
    return target


def mark_rejected(
    zone: LandingZone, file: LandingFile, reason: str, when: datetime, earlier: Iterable[datetime] = ()
) -> str:
    target, archived = _archive_target(zone, file, REJECTED, when, earlier)
    if archived:
        zone.delete(file)
        return target
    zone.write_text(target + REASON_SUFFIX, reason.rstrip() + "\n")
    zone.move(file, target)
    return target


def _hash_stream(stream: BinaryIO, sink: BinaryIO | None = None) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        if sink is not None:
            sink.write(chunk)
    return digest.hexdigest()


class LocalLanding:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.uri = str(self.root)

    def _path(self, key: str) -> Path:
        if (problem := key_problem(key)) is not None:
            raise LandingError(problem)  # never resolved: listing a folder yields no such key
        return self.root / key

    def pending(self, prefix: str = "") -> list[LandingFile]:
        if not self.root.is_dir():
            raise LandingError(f"landing folder {self.root} does not exist")
        base = self.root / prefix if prefix else self.root
        if base != self.root and base.is_symlink():  # a linked domain folder: the link is the entry, never followed
            entry = self._entry(base.relative_to(self.root).as_posix())
            return [entry] if entry is not None else []
        found: list[LandingFile] = []
        for dirpath, dirnames, filenames in os.walk(base):  # os.walk never descends into a symlinked folder ...
            rel_dir = Path(dirpath).relative_to(self.root)
            if rel_dir.parts[:1] in ((IMPORTED,), (REJECTED,)):
                dirnames[:] = []
                continue
            linked = [name for name in dirnames if os.path.islink(os.path.join(dirpath, name))]
            dirnames[:] = sorted(name for name in dirnames if name not in linked)
            for name in sorted(filenames + linked):  # ... so it is listed as an entry: rejected, moved aside
                entry = self._entry((rel_dir / name).as_posix())
                if entry is not None:
                    found.append(entry)
        return found

    def _entry(self, key: str) -> LandingFile | None:
        """The pending file at `key` (a symlink or a pipe too: the load rejects them), None when not pending."""
        if not _is_pending(key):
            return None
        try:
            status = os.lstat(self.root / key)  # the entry itself: a link's target is not looked at
        except FileNotFoundError:
            return None  # moved away by a concurrent run while we listed
        return LandingFile(key, status.st_size, datetime.fromtimestamp(status.st_mtime, tz=UTC))

    def exists(self, file: LandingFile) -> bool:
        return self._path(file.key).is_file()

    def open(self, file: LandingFile) -> BinaryIO:
        return open(self._path(file.key), "rb")

    def local_copy(self, file: LandingFile, scratch: Path) -> LocalCopy:
        """The file itself (no copy). Anything but a regular file is never opened (a link is not followed, a pipe
        would block): its hash is of where the link points, or of nothing, and the load rejects it
        (irregular_reason)."""
        path = self._path(file.key)
        mode = os.lstat(path).st_mode
        if not stat.S_ISREG(mode):
            pointed = os.readlink(path) if stat.S_ISLNK(mode) else ""
            return LocalCopy(path, hashlib.sha256(os.fsencode(pointed)).hexdigest())
        with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as stream:  # a link swapped in since: refused
            return LocalCopy(path, _hash_stream(stream))

    def put(self, key: str, source: Path) -> None:
        """Copy under a `.part` name (never taken for pending), then rename: the file appears whole."""
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        shutil.copy2(source, partial)
        os.replace(partial, target)

    def move(self, file: LandingFile, target_key: str) -> None:
        target = self._path(target_key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fault_points.reached(fault_points.MID_MOVE)
        os.replace(self._path(file.key), target)

    def archive_slot(self, file: LandingFile, key: str) -> Slot:
        taken = os.path.lexists(self._path(key))  # a link archived there (even a dangling one) takes the name
        return Slot.TAKEN if taken else Slot.FREE  # a rename leaves no copy: never THIS_FILE

    def delete(self, file: LandingFile) -> None:
        self._path(file.key).unlink(missing_ok=True)

    def write_text(self, key: str, text: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


class S3Landing:
    def __init__(self, uri: str) -> None:
        import boto3

        without_scheme = uri[len("s3://") :]
        bucket, _, prefix = without_scheme.partition("/")
        if not bucket:
            raise LandingError(f"{uri!r} names no bucket; expected s3://bucket/prefix")
        self.uri = uri
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        # boto3 honours AWS_ENDPOINT_URL itself; passing it keeps the behaviour explicit for older SDKs.
        self.client = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None)

    def _object_key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def pending(self, prefix: str = "") -> list[LandingFile]:
        from botocore.exceptions import BotoCoreError, ClientError

        found: list[LandingFile] = []
        root = f"{self.prefix}/" if self.prefix else ""
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=root + prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    key = item["Key"][len(root) :]
                    if _is_pending(key):
                        modified = item["LastModified"].astimezone(UTC)
                        found.append(LandingFile(key, item["Size"], modified))
        except (BotoCoreError, ClientError) as exc:
            raise LandingError(f"cannot list {self.uri}: {exc}") from exc
        return sorted(found, key=lambda f: f.key)

    def exists(self, file: LandingFile) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._object_key(file.key))
        except ClientError:
            return False
        return True

    def open(self, file: LandingFile) -> BinaryIO:
        response = self.client.get_object(Bucket=self.bucket, Key=self._object_key(file.key))
        return response["Body"]

    def local_copy(self, file: LandingFile, scratch: Path) -> LocalCopy:
        handle, name = tempfile.mkstemp(dir=scratch, suffix="-" + file.name)
        with os.fdopen(handle, "wb") as sink, self.open(file) as body:
            sha = _hash_stream(body, sink)
        return LocalCopy(Path(name), sha)

    def put(self, key: str, source: Path) -> None:
        self.client.upload_file(str(source), self.bucket, self._object_key(key))

    def move(self, file: LandingFile, target_key: str) -> None:
        """Copy, then delete (S3 has no rename). The copy names its delivery in its metadata, so that a rerun after
        a crash between the two finds it (archive_slot) and deletes the original instead of archiving it twice."""
        source = {"Bucket": self.bucket, "Key": self._object_key(file.key)}
        delivery = {"Metadata": _delivery(file), "MetadataDirective": "REPLACE"}
        self.client.copy(source, self.bucket, self._object_key(target_key), ExtraArgs=delivery)  # multipart > 8 MB
        fault_points.reached(fault_points.MID_MOVE)
        self.client.delete_object(**source)

    def archive_slot(self, file: LandingFile, key: str) -> Slot:
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return Slot.FREE
            raise
        stamp = head.get("Metadata", {}).get(_DELIVERY_STAMP)
        same = stamp == _delivery(file)[_DELIVERY_STAMP] and head.get("ContentLength") == file.size
        return Slot.THIS_FILE if same else Slot.TAKEN

    def delete(self, file: LandingFile) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._object_key(file.key))

    def write_text(self, key: str, text: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._object_key(key), Body=text.encode("utf-8"))


_DELIVERY_STAMP = "landing-modified"


def _delivery(file: LandingFile) -> dict[str, str]:
    """An S3 archive's user metadata: the LastModified of the delivery it holds (its key is in the archive's)."""
    return {_DELIVERY_STAMP: file.modified_at.astimezone(UTC).isoformat()}


def open_landing(uri: str) -> LandingZone:
    if uri.startswith("s3://"):
        return S3Landing(uri)
    return LocalLanding(Path(uri))


_SCRATCH_PREFIX = "extract-"


@contextmanager
def scratch_folder() -> Iterator[Path]:
    """A folder for one file's local copy (an S3 object is copied whole), removed when the file is done. Its
    name carries the process id; the first scratch folder a process makes removes those of processes that no
    longer run (abandoned_scratch_folders)."""
    root = Path(tempfile.gettempdir())
    _remove_abandoned_scratch_folders(str(root))
    with tempfile.TemporaryDirectory(prefix=scratch_prefix(), dir=root) as folder:
        yield Path(folder)


def scratch_prefix() -> str:
    """The name of a scratch folder of this process begins with this (a Redshift load's staged parts too)."""
    return f"{_SCRATCH_PREFIX}{os.getpid()}-"


def abandoned_scratch_folders(root: Path) -> list[Path]:
    """The scratch folders in `root` of extractor processes that no longer run. A process killed with SIGKILL
    (the OOM killer, a scheduler's timeout) cannot remove its folder, and a feed's local copy is as large as
    the feed. A folder whose process id is in use again is left alone, as are folders named without one
    (made before names carried it)."""
    abandoned = []
    for folder in root.glob(f"{_SCRATCH_PREFIX}*-*"):
        pid = folder.name[len(_SCRATCH_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _process_exists(int(pid)):
            abandoned.append(folder)
    return abandoned


@functools.cache
def _remove_abandoned_scratch_folders(root: str) -> None:
    """Once per process (a worker forked after it inherits it)."""
    for folder in abandoned_scratch_folders(Path(root)):
        shutil.rmtree(folder, ignore_errors=True)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
