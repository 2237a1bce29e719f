"""The landing zone: a local folder or `s3://bucket/prefix` where files wait to be loaded.

Pending files are everything outside `imported/` and `rejected/` (hidden names and `.part` / `.tmp`
uploads in progress are ignored). After its load has committed, a file moves to
`imported/<same folders>/YYYY/MM/DD/HH/<name>`; a rejected one to `rejected/...` with
`<name>.reason.txt` beside it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

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
    parts = PurePosixPath(key).parts
    if not parts or parts[0] in (IMPORTED, REJECTED):
        return False
    name = parts[-1]
    return not (name.startswith(".") or name.endswith((".part", ".tmp", REASON_SUFFIX)))


def archive_key(area: str, key: str, when: datetime) -> str:
    """`imported/<folders>/YYYY/MM/DD/HH/<name>` for `key` processed at `when`."""
    path = PurePosixPath(key)
    stamp = when.astimezone(UTC).strftime("%Y/%m/%d/%H")
    folder = "" if str(path.parent) == "." else f"{path.parent}/"
    return f"{area}/{folder}{stamp}/{path.name}"


class LandingZone(Protocol):
    uri: str

    def pending(self, prefix: str = "") -> list[LandingFile]: ...

    def exists(self, file: LandingFile) -> bool: ...

    def open(self, file: LandingFile) -> BinaryIO: ...

    def local_copy(self, file: LandingFile, scratch: Path) -> LocalCopy: ...

    def put(self, key: str, source: Path) -> None: ...

    def move(self, file: LandingFile, target_key: str) -> None: ...

    def write_text(self, key: str, text: str) -> None: ...


def _free_key(zone: LandingZone, key: str) -> str:
    """`key`, or `name-2.ext`, `name-3.ext`... when an earlier delivery of the same name in the same
    hour is archived there already: archives are never overwritten."""
    path = PurePosixPath(key)
    stem, dot, extensions = path.name.partition(".")
    candidate, number = key, 1
    while zone.exists(LandingFile(candidate, 0, datetime.now(UTC))):
        number += 1
        candidate = str(path.with_name(f"{stem}-{number}{dot}{extensions}"))
    return candidate


def mark_imported(zone: LandingZone, file: LandingFile, when: datetime) -> str:
    target = _free_key(zone, archive_key(IMPORTED, file.key, when))
    zone.move(file, target)
    return target


def mark_rejected(zone: LandingZone, file: LandingFile, reason: str, when: datetime) -> str:
    target = _free_key(zone, archive_key(REJECTED, file.key, when))
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
        return self.root / key

    def pending(self, prefix: str = "") -> list[LandingFile]:
        if not self.root.is_dir():
            raise LandingError(f"landing folder {self.root} does not exist")
        base = self.root / prefix if prefix else self.root
        found: list[LandingFile] = []
        for dirpath, dirnames, filenames in os.walk(base):
            rel_dir = Path(dirpath).relative_to(self.root)
            if rel_dir.parts[:1] in ((IMPORTED,), (REJECTED,)):
                dirnames[:] = []
                continue
            dirnames.sort()
            for name in sorted(filenames):
                key = (rel_dir / name).as_posix()
                if _is_pending(key):
                    try:
                        stat = (Path(dirpath) / name).stat()
                    except FileNotFoundError:
                        continue  # moved away by a concurrent run while we listed
                    found.append(LandingFile(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, tz=UTC)))
        return found

    def exists(self, file: LandingFile) -> bool:
        return self._path(file.key).is_file()

    def open(self, file: LandingFile) -> BinaryIO:
        return open(self._path(file.key), "rb")

    def local_copy(self, file: LandingFile, scratch: Path) -> LocalCopy:
        path = self._path(file.key)
        with open(path, "rb") as stream:
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
        os.replace(self._path(file.key), target)

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
        source = {"Bucket": self.bucket, "Key": self._object_key(file.key)}
        self.client.copy(source, self.bucket, self._object_key(target_key))  # multipart above 8 MB
        self.client.delete_object(**source)

    def write_text(self, key: str, text: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._object_key(key), Body=text.encode("utf-8"))


def open_landing(uri: str) -> LandingZone:
    if uri.startswith("s3://"):
        return S3Landing(uri)
    return LocalLanding(Path(uri))


@contextmanager
def scratch_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="extract-") as folder:
        yield Path(folder)
