"""Benchmark tooling (issue 6): a seeded generator of landing data at scale and `python -m bench`.

    python -m bench --scale 0.05        # 50,000 vehicles; `make bench SCALE=0.05`

Scratch data lives in `.bench/` (git-ignored); the results go to docs/benchmarks.md.
"""
