"""What the benchmark ran on: cores, memory, CPU model, load, PostgreSQL, Python and dbt versions, and which
record reader the extractor used (compiled or, without a C compiler at install time, Python)."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from extract.xml_records import RECORD_READER


@dataclass(frozen=True)
class Machine:
    cores: int  # what `nproc` prints: the CPUs this process may run on
    memory_gib: float
    cpu_model: str
    load_average: tuple[float, float, float]  # at the start of the run: other work on a shared machine
    postgres: str
    python: str
    dbt: str
    record_reader: str

    def lines(self) -> list[str]:
        load = " / ".join(f"{x:.2f}" for x in self.load_average)
        return [
            f"- CPU: {self.cpu_model}, {self.cores} cores (`nproc`)",
            f"- memory: {self.memory_gib:.1f} GiB",
            f"- load average at start (1 / 5 / 15 min): {load}",
            f"- PostgreSQL: {self.postgres}",
            f"- Python {self.python}, dbt-core {self.dbt}",
            f"- the extractor's record reader: {self.record_reader}",
        ]


def _proc_value(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key:
                return value.strip()
    except OSError:
        pass
    return "unknown"


def describe(postgres_version: str) -> Machine:
    memory_kib = _proc_value("/proc/meminfo", "MemTotal").split()[0]
    return Machine(
        cores=len(os.sched_getaffinity(0)),
        memory_gib=int(memory_kib) / 1024**2 if memory_kib.isdigit() else 0.0,
        cpu_model=_proc_value("/proc/cpuinfo", "model name"),
        load_average=os.getloadavg(),
        postgres=postgres_version.split(" on ")[0].split(",")[0],
        python=platform.python_version(),
        dbt=metadata.version("dbt-core"),
        record_reader=RECORD_READER,
    )
