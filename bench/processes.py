"""Run a command as a subprocess and measure it: wall seconds, exit code and peak RSS of its process tree.

Peak RSS comes from `os.wait4` on the child: on Linux its rusage covers the child and every descendant
it waited for, and ru_maxrss is the largest resident set among them. The extractor waits for its worker
processes (ProcessPoolExecutor's shutdown joins them), so this is the max over the parent and its
workers, not their sum.

A command that outlives its timeout is killed with its whole process group (it runs in its own session),
so a pathological phase cannot hold the benchmark forever; the caller reports it as failed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProcessRun:
    command: tuple[str, ...]
    returncode: int
    seconds: float
    peak_rss_kib: int
    log: Path  # stdout and stderr together
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    @property
    def peak_rss_mib(self) -> float:
        return self.peak_rss_kib / 1024

    def tail(self, lines: int = 15) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.rstrip().splitlines()[-lines:])


def _kill_group(pid: int, killed: threading.Event) -> None:
    killed.set()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def run_measured(command: Sequence[str], env: Mapping[str, str], cwd: Path, log: Path, timeout: float) -> ProcessRun:
    """Run `command` to completion (or `timeout` seconds) with its output in `log`; only the command is timed."""
    log.parent.mkdir(parents=True, exist_ok=True)
    killed = threading.Event()
    with open(log, "wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command), stdout=output, stderr=subprocess.STDOUT, env=dict(env), cwd=cwd, start_new_session=True
        )
        timer = threading.Timer(timeout, _kill_group, (process.pid, killed))
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # Ctrl-C: the child has its own session, so stop it here
            _kill_group(process.pid, killed)
            os.waitpid(process.pid, 0)
            raise
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    if killed.is_set():
        with open(log, "a", encoding="utf-8") as output:
            output.write(f"\n[bench] killed after {timeout:.0f} s (the phase timeout)\n")
    return ProcessRun(tuple(command), process.returncode, seconds, usage.ru_maxrss, log, killed.is_set())
