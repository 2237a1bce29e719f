"""The S3 staging area of the Redshift writer (EXTRACT_STAGING=s3://bucket/prefix).

A file's rows for one raw table become gzip JSON Lines parts of bounded size and a manifest listing each
part as mandatory (a missing part fails the COPY instead of loading less):

    <prefix>/<table>/load_id=<load id>/part-00001.jsonl.gz ...
    <prefix>/<table>/load_id=<load id>/manifest.json

Parts are written to a local temporary file first (memory stays flat whatever the file's size), uploaded,
then deleted again once the file's transaction has committed or rolled back. Parts a killed run left
behind are orphans: `sweep_orphans` deletes those of loads the ledger knows, and those older than an hour.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from extract.domain import StagingUnavailable
from extract.landing import scratch_prefix

PART_BYTES = 128 * 1024 * 1024  # uncompressed bytes per part (about 10-25 MB of gzip): COPY splits by part
MANIFEST = "manifest.json"
_LOAD_FOLDER = re.compile(r"^(?P<table>[a-z_]+)/load_id=(?P<load_id>\d+)/")


def s3_client() -> Any:
    import boto3

    # boto3 honours AWS_ENDPOINT_URL itself; passing it keeps the behaviour explicit for older SDKs.
    return boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None)


@dataclass(frozen=True)
class StagingArea:
    bucket: str
    prefix: str

    @classmethod
    def parse(cls, uri: str) -> StagingArea | None:
        """The area of an s3://bucket/prefix URI; None when it is not one."""
        if not uri.startswith("s3://"):
            return None
        bucket, _, prefix = uri[len("s3://") :].partition("/")
        return cls(bucket, prefix.strip("/")) if bucket else None

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def folder(self, table: str, load_id: int) -> str:
        """The object key prefix of one load's parts for one table (ends with a slash)."""
        root = f"{self.prefix}/" if self.prefix else ""
        return f"{root}{table}/load_id={load_id}/"


@dataclass
class StagedTable:
    """What was staged for one table of one load: the manifest to COPY from and the rows it holds."""

    manifest_key: str
    keys: list[str]
    rows: int
    part_bytes: list[int] = field(default_factory=list)


class PartWriter:
    """Writes JSON lines into gzip parts of at most `part_bytes` uncompressed bytes, uploading each when full."""

    def __init__(self, area: StagingArea, table: str, load_id: int, client: Any, part_bytes: int = PART_BYTES):
        self.area, self.table, self.load_id, self.client = area, table, load_id, client
        self.part_bytes = part_bytes
        self.keys: list[str] = []
        self.sizes: list[int] = []
        self.rows = 0
        self._folder = tempfile.TemporaryDirectory(prefix=f"{scratch_prefix()}staging-")
        self._file: gzip.GzipFile | None = None
        self._path: Path | None = None
        self._written = 0

    def write(self, line: bytes) -> None:
        if self._file is not None and self._written + len(line) > self.part_bytes:
            self._upload()
        if self._file is None:
            self._path = Path(self._folder.name) / f"part-{len(self.keys) + 1:05d}.jsonl.gz"
            self._file = gzip.GzipFile(self._path, "wb", compresslevel=1)
            self._written = 0
        self._file.write(line)
        self._written += len(line)
        self.rows += 1

    def _upload(self) -> None:
        assert self._file is not None and self._path is not None
        self._file.close()
        key = self.area.folder(self.table, self.load_id) + self._path.name
        path = str(self._path)
        _call(self.area, "upload a staged part to", lambda: self.client.upload_file(path, self.area.bucket, key))
        self.keys.append(key)
        self.sizes.append(self._path.stat().st_size)
        self._path.unlink()
        self._file = None

    def finish(self) -> StagedTable:
        """Upload the last part and the manifest; every part is mandatory."""
        try:
            if self._file is not None:
                self._upload()
            manifest_key = self.area.folder(self.table, self.load_id) + MANIFEST
            manifest = {
                "entries": [
                    {"url": f"s3://{self.area.bucket}/{key}", "mandatory": True, "meta": {"content_length": size}}
                    for key, size in zip(self.keys, self.sizes, strict=True)
                ]
            }
            body = json.dumps(manifest, indent=1).encode()
            _call(
                self.area,
                "write the manifest to",
                lambda: self.client.put_object(Bucket=self.area.bucket, Key=manifest_key, Body=body),
            )
            return StagedTable(manifest_key, [*self.keys, manifest_key], self.rows, list(self.sizes))
        finally:
            self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._folder.cleanup()


def delete_keys(area: StagingArea, client: Any, keys: Iterable[str]) -> None:
    batch = [{"Key": key} for key in keys]
    for start in range(0, len(batch), 1000):
        client.delete_objects(Bucket=area.bucket, Delete={"Objects": batch[start : start + 1000], "Quiet": True})


def staged_loads(area: StagingArea, client: Any) -> dict[int, tuple[list[str], datetime]]:
    """Every load id with staged objects: its keys and the newest object's time."""
    root = f"{area.prefix}/" if area.prefix else ""
    found: dict[int, tuple[list[str], datetime]] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=area.bucket, Prefix=root):
        for item in page.get("Contents", []):
            match = _LOAD_FOLDER.match(item["Key"][len(root) :])
            if match is None:
                continue
            load_id = int(match["load_id"])
            keys, newest = found.get(load_id, ([], datetime.min.replace(tzinfo=UTC)))
            keys.append(item["Key"])
            found[load_id] = (keys, max(newest, item["LastModified"].astimezone(UTC)))
    return found


def sweep_orphans(
    area: StagingArea, client: Any, ledger_knows: Callable[[list[int]], set[int]], max_age: timedelta
) -> tuple[int, int]:
    """Delete the parts of loads the ledger knows (committed: loaded, rejected or skipped) and of loads older
    than `max_age` (a run killed before its commit). Returns (loads, objects) deleted."""
    loads = _call(area, "list", lambda: staged_loads(area, client))
    if not loads:
        return 0, 0
    known = ledger_knows(sorted(loads))
    cutoff = datetime.now(UTC) - max_age
    orphaned = [load_id for load_id, (_, newest) in loads.items() if load_id in known or newest < cutoff]
    keys = [key for load_id in orphaned for key in loads[load_id][0]]
    _call(area, "delete orphaned staged parts from", lambda: delete_keys(area, client, keys))
    return len(orphaned), len(keys)


def _call(area: StagingArea, what: str, action: Callable[[], Any]) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return action()
    except (BotoCoreError, ClientError, OSError) as exc:
        raise StagingUnavailable(f"cannot {what} the staging area {area.uri}: {exc}") from exc
