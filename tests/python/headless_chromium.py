"""Debian's Chromium, headless, driven over the DevTools protocol: open a URL, wait until the page shows the
texts a test expects (a Streamlit page renders after its script ran, over a websocket, so a fixed delay
or Chromium's --virtual-time-budget is either slow or flaky), read its text, save a screenshot.

No browser download and no driver: the system's `chromium` and the `websockets` package (a dependency of
Streamlit) are all it needs."""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import Any

from websockets.sync.client import connect

INSTALL_HINT = "install Debian's chromium: apt-get install chromium"
# Streamlit's "Running..." indicator: present while a script run is under way
STILL_RUNNING_JS = "!!document.querySelector('[data-testid=\"stStatusWidget\"]')"


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class BrowserError(AssertionError):
    """The page never showed what was expected; the message holds what it showed instead."""


class HeadlessChromium:
    def __init__(self, width: int = 1400, height: int = 1000, binary: str | None = None) -> None:
        self.width, self.height = width, height
        self.binary = binary or chromium_binary()
        if self.binary is None:
            raise FileNotFoundError(INSTALL_HINT)
        self._ids = itertools.count(1)

    def __enter__(self) -> HeadlessChromium:
        self._stack = ExitStack()
        try:
            self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def _start(self) -> None:
        self._profile = self._stack.enter_context(tempfile.TemporaryDirectory(prefix="chromium-"))
        self._process = subprocess.Popen(
            [self.binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--hide-scrollbars", "--mute-audio",
             f"--window-size={self.width},{self.height}", "--remote-debugging-port=0",
             f"--user-data-dir={self._profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self._stack.callback(self._stop_process)
        self._socket = self._stack.enter_context(connect(self._browser_endpoint(), max_size=None, open_timeout=30))
        target = self._call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self._call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self._call("Page.enable", session=True)
        self._call(
            "Emulation.setDeviceMetricsOverride",
            session=True, width=self.width, height=self.height, deviceScaleFactor=1, mobile=False,
        )  # fmt: skip

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stack.close()  # the socket, then the process, then its profile folder

    def _stop_process(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _browser_endpoint(self) -> str:
        """Chromium writes the port it chose and the browser's path to DevToolsActivePort once it listens."""
        active_port = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"{self.binary} exited with {self._process.returncode} before listening")
            lines = active_port.read_text().split() if active_port.exists() else []
            if len(lines) == 2:
                return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
            time.sleep(0.05)
        raise RuntimeError(f"{self.binary} did not open its DevTools port within 30 s")

    def _call(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        message: dict[str, Any] = {"id": next(self._ids), "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        self._socket.send(json.dumps(message))
        while True:  # events arrive in between; the answer carries the same id
            answer = json.loads(self._socket.recv(timeout=60))
            if answer.get("id") == message["id"]:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]

    def _evaluate(self, expression: str) -> Any:
        result = self._call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        return result["result"].get("value")

    def open(self, url: str, expect: Iterable[str], timeout: float = 60, settle: float = 1.0) -> str:
        """Load `url` and wait until its text holds every string of `expect` and no script run is under way;
        then `settle` seconds more for charts to draw. Returns the page's visible text."""
        wanted = list(expect)
        self._call("Page.navigate", session=True, url=url)
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self._evaluate("document.body ? document.body.innerText : ''") or ""
            if all(item in text for item in wanted) and not self._evaluate(STILL_RUNNING_JS):
                time.sleep(settle)
                return self._evaluate("document.body.innerText") or text
            time.sleep(0.25)
        missing = [item for item in wanted if item not in text]
        raise BrowserError(f"{url} never showed {missing} within {timeout:.0f} s; it showed:\n{text[:3000]}")

    def present(self, selector: str) -> bool:
        """Whether the page has an element matching the CSS `selector`."""
        return bool(self._evaluate(f"!!document.querySelector({json.dumps(selector)})"))

    def screenshot(self, path: Path) -> Path:
        data = self._call("Page.captureScreenshot", session=True, format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path
