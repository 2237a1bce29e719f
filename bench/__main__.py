"""`python -m bench --scale S`: the benchmark of issue 6 on the embedded warehouse (`make bench SCALE=S`)."""

from __future__ import annotations

import argparse
import sys

from bench import report
from bench.run import PROJECT, run

DESCRIPTION = """\
Generate N = S x 1,000,000 vehicle listings (50 zipped feeds in four DMS formats, two days), crypto and lab
files, then measure on the scratch database `bench` of the embedded warehouse: day 1 extract, dbt build
from empty, day 2 extract + build, day 2 again (all skipped) + build, the bare-COPY loading floor, and
the crypto and lab extract + build. Scratch data goes to .bench/, the report to docs/benchmarks.md.
Exit code 1 when a phase failed (the report says which and why).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=DESCRIPTION)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = a million vehicles (default 1.0)")
    parser.add_argument("--seed", type=int, default=6, help="generator seed (default 6)")
    parser.add_argument("--workers", type=int, default=2, help="extractor and generator processes (default 2)")
    parser.add_argument(
        "--timeout", type=float, help="seconds a command may run before it is killed (default: max(180, 1200 x scale))"
    )
    parser.add_argument("--report", default="docs/benchmarks.md", help="where to write the report")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 10:
        parser.error("--scale must be in (0, 10]")
    command = " ".join(["python -m bench", *argv])
    timeout = args.timeout or max(180.0, 1200 * args.scale)
    result = run(args.scale, args.seed, max(args.workers, 1), timeout, command)
    report.write(result, PROJECT / args.report)
    print(report.console(result))
    print(f"report: {args.report}")
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
