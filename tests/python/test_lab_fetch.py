"""`python -m extract fetch unificado` against a real local HTTP server."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support import PROJECT_ROOT

CSV = (PROJECT_ROOT / "sample_data/lab/unificado/unificado_2026-11-09.csv").read_bytes()


class Script:
    """The answers the server gives, in order; the last one repeats."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, str, bytes, float]] = []
        self.requests = 0

    def next(self) -> tuple[int, str, bytes, float]:
        self.requests += 1
        return self.answers[min(self.requests, len(self.answers)) - 1]


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            status, content_type, body, delay = script.next()
            time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/unificado.csv", script
    finally:
        httpd.shutdown()


def fetch(url: str, landing: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "extract", "fetch", "unificado", "--url", url, "--landing", str(landing),
         "--backoff", "0.05", "--read-timeout", "1", *extra],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def landed(landing: Path) -> list[Path]:
    return sorted((landing / "lab" / "unificado").glob("*.csv")) if (landing / "lab").exists() else []


def test_success_lands_the_file_whole(server: tuple[str, Script], landing_dir: Path) -> None:
    url, script = server
    script.answers = [(200, "text/csv", CSV, 0)]

    done = fetch(url, landing_dir)

    assert done.returncode == 0, done.stderr
    [path] = landed(landing_dir)
    assert path.read_bytes() == CSV
    assert not list(landing_dir.rglob("*.part"))


def test_a_500_is_retried_then_succeeds(server: tuple[str, Script], landing_dir: Path) -> None:
    url, script = server
    script.answers = [(500, "text/plain", b"oops", 0), (200, "text/csv", CSV, 0)]

    done = fetch(url, landing_dir)

    assert done.returncode == 0, done.stderr
    assert "2 attempt(s)" in done.stdout
    assert script.requests == 2 and len(landed(landing_dir)) == 1


def test_a_404_is_not_retried(server: tuple[str, Script], landing_dir: Path) -> None:
    url, script = server
    script.answers = [(404, "text/plain", b"missing", 0)]

    done = fetch(url, landing_dir)

    assert done.returncode == 1
    assert "answered 404" in done.stderr and "not retried" in done.stderr
    assert script.requests == 1 and landed(landing_dir) == []


def test_an_html_error_page_is_refused(server: tuple[str, Script], landing_dir: Path) -> None:
    url, script = server
    script.answers = [(200, "text/html; charset=utf-8", b"<!DOCTYPE html><html><body>Login</body></html>", 0)]

    done = fetch(url, landing_dir)

    assert done.returncode == 1
    assert "HTML page" in done.stderr
    assert landed(landing_dir) == []


def test_a_file_without_the_expected_header_or_empty_is_refused(server: tuple[str, Script], landing_dir: Path) -> None:
    url, script = server
    script.answers = [(200, "text/csv", b"a,b,c\n1,2,3\n", 0)]
    wrong = fetch(url, landing_dir)
    script.answers, script.requests = [(200, "text/csv", b"", 0)], 0
    empty = fetch(url, landing_dir)

    assert wrong.returncode == 1 and "the first line lacks CHROM" in wrong.stderr
    assert empty.returncode == 1 and "empty body" in empty.stderr
    assert landed(landing_dir) == []


def test_a_timeout_is_retried_then_reported(server: tuple[str, Script], landing_dir: Path) -> None:
    url, script = server
    script.answers = [(200, "text/csv", CSV, 3.0)]  # slower than the 1 s read timeout

    done = fetch(url, landing_dir, "--attempts", "2")

    assert done.returncode == 1
    assert "failed 2 times" in done.stderr and "Timeout" in done.stderr
    assert landed(landing_dir) == []


def test_unchanged_content_is_reported_and_not_landed_again(server: tuple[str, Script], landing_dir: Path) -> None:
    url, script = server
    script.answers = [(200, "text/csv", CSV, 0)]

    first = fetch(url, landing_dir)
    second = fetch(url, landing_dir)

    assert first.returncode == second.returncode == 0
    assert second.stdout.startswith("unchanged")
    assert len(landed(landing_dir)) == 1
