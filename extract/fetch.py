"""`python -m extract fetch unificado`: download the weekly lab-results CSV into `lab/unificado/`.

The body streams to a temporary `.part` file (hashing as it goes); it lands under its final name only
when complete and checked: not empty, not an HTML page, a header naming the expected columns, and not
identical to the previous download (then it is reported as unchanged and not landed again).
Connection errors, timeouts and 5xx answers are retried with exponential backoff; 4xx are not.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

from extract import redact
from extract.domains.lab import expected_header, parse_header
from extract.landing import LandingFile, LandingZone

FOLDER = "lab/unificado"
STATE_KEY = f"{FOLDER}/.last-download.json"  # hidden: never taken for a pending file
_CHUNK = 1024 * 1024
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body")


class FetchError(RuntimeError):
    """The download failed or its content was refused; the message says which and why."""


@dataclass(frozen=True)
class FetchSettings:
    url: str
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    attempts: int = 4
    backoff_seconds: float = 2.0  # 2, 4, 8 ... between attempts

    @property
    def shown_url(self) -> str:
        """The URL as messages and the landing zone show it: without the password of a `user:password@` part."""
        return redact.url(self.url)


@dataclass(frozen=True)
class FetchResult:
    status: str  # "landed" | "unchanged"
    key: str | None
    size: int
    sha256: str
    attempts: int


def _download(settings: FetchSettings, target: Path, sleep: Callable[[float], None]) -> tuple[str, int, int]:
    """Stream the URL into `target`; (sha256, size, attempts). Retries transient failures only."""
    last_problem = ""
    for attempt in range(1, settings.attempts + 1):
        try:
            with requests.get(
                settings.url, stream=True, timeout=(settings.connect_timeout, settings.read_timeout)
            ) as response:
                if 400 <= response.status_code < 500:
                    raise FetchError(
                        f"{settings.shown_url} answered {response.status_code} {response.reason}; "
                        "not retried (a client error will not go away by itself): check the URL and access"
                    )
                if response.status_code >= 500:
                    last_problem = f"answered {response.status_code} {response.reason}"
                else:
                    content_type = response.headers.get("Content-Type", "")
                    digest, size = hashlib.sha256(), 0
                    with open(target, "wb") as sink:
                        for chunk in response.iter_content(_CHUNK):
                            digest.update(chunk)
                            size += len(chunk)
                            sink.write(chunk)
                    if "text/html" in content_type.lower():
                        raise FetchError(
                            f"{settings.shown_url} returned an HTML page (Content-Type {content_type}), not a CSV"
                        )
                    return digest.hexdigest(), size, attempt
        except (requests.ConnectionError, requests.Timeout) as exc:
            last_problem = redact.text(f"{type(exc).__name__}: {exc}")
        if attempt < settings.attempts:
            sleep(settings.backoff_seconds * 2 ** (attempt - 1))
    raise FetchError(f"{settings.shown_url} failed {settings.attempts} times; last: {last_problem}")


def _check_content(path: Path, size: int, url: str) -> None:
    if size == 0:
        raise FetchError(f"{url} returned an empty body; nothing landed")
    with open(path, "rb") as stream:
        head = stream.read(64 * 1024)
    if head.lstrip().lower().startswith(_HTML_STARTS):
        raise FetchError(f"{url} returned an HTML page, not a CSV; nothing landed")
    first_line = head.split(b"\n", 1)[0].removeprefix(b"\xef\xbb\xbf")
    try:
        text = first_line.decode("utf-8")
    except UnicodeDecodeError:
        text = first_line.decode("latin-1")
    _, _, missing = parse_header(text)
    if missing:
        raise FetchError(
            f"{url}: the first line lacks {', '.join(missing)}; expected {expected_header()}; nothing landed"
        )


def _previous_sha256(zone: LandingZone) -> str | None:
    state = LandingFile(STATE_KEY, 0, datetime.now(UTC))
    if not zone.exists(state):
        return None
    with zone.open(state) as stream:
        return json.loads(stream.read().decode("utf-8")).get("sha256")


def fetch_unificado(
    zone: LandingZone, settings: FetchSettings, sleep: Callable[[float], None] = time.sleep
) -> FetchResult:
    with tempfile.TemporaryDirectory(prefix="fetch-") as scratch:
        part = Path(scratch) / "unificado.csv.part"
        sha256, size, attempts = _download(settings, part, sleep)
        _check_content(part, size, settings.shown_url)
        if sha256 == _previous_sha256(zone):
            return FetchResult("unchanged", None, size, sha256, attempts)
        now = datetime.now(UTC)
        key = f"{FOLDER}/unificado_{now:%Y%m%dT%H%M%SZ}.csv"
        zone.put(key, part)  # a local copy lands whole (copy to .part, then rename); an S3 put is atomic
        zone.write_text(
            STATE_KEY, json.dumps({"sha256": sha256, "key": key, "url": settings.shown_url, "at": now.isoformat()})
        )
        return FetchResult("landed", key, size, sha256, attempts)
