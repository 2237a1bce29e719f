"""Streaming end to end: a 200 MB feed is extracted with the extractor's peak memory under 300 MB."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support import PROJECT_ROOT, extract_env, query
from vehicle_feeds import Ad

from extract.warehouse import WarehouseAddress

# Runs the extractor as the only child of a fresh process and prints the child's peak RSS in KiB.
PEAK_RSS_OF_CHILD = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def write_large_feed(path: Path, target_bytes: int) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    records = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<Ads>\n')
        while out.tell() < target_bytes:
            records += 1
            images = [f"https://img.example/{records}/{n}.jpg" for n in range(6)]
            options = [(f"OPT{n}", f"Optional equipment number {n} of vehicle {records}") for n in range(8)]
            out.write(Ad(f"S{records}", vin="", images=images, options=options).xml() + "\n")
        out.write("</Ads>\n")
    return records


@pytest.mark.slow
def test_200_mb_feed_is_extracted_in_under_300_mb(warehouse: WarehouseAddress, landing_dir: Path) -> None:
    feed = landing_dir / "vehicles" / "corporate=1" / "source=DMS_A" / "big.xml"
    records = write_large_feed(feed, 200 * 1024 * 1024)
    assert feed.stat().st_size >= 200 * 1024 * 1024

    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS_OF_CHILD, sys.executable, "-m", "extract", "--landing", str(landing_dir)],
        env=extract_env(warehouse), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip

    returncode, peak_kib = map(int, done.stdout.split())
    assert returncode == 0, done.stderr
    assert query(warehouse, "select count(*) from raw.vehicle_records") == [(records,)]
    print(f"\n200 MB feed: {records} records, extractor peak RSS {peak_kib / 1024:.0f} MiB")
    assert peak_kib < 300 * 1024
