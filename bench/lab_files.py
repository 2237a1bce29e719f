"""Lab results at scale (sources.md §3): weekly VCF-like `unificado` CSV files under `lab/unificado/`.

Each weekly file repeats about 5% of the earlier (ID, MUESTRA, RESULTADO) keys with other values, as
the weekly downloads do; one row in 10,000 has a REF too long for its reference column (a long indel),
so `unificado_rejected` has work too. Files alternate `,` and `;`; FECHA_COPIA is always empty.
"""

from __future__ import annotations

import csv
import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

HEADER = ("CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", "MUESTRA", "VALOR", "ORIGEN",
          "FECHA_COPIA", "RESULTADO")  # fmt: skip
WEEKS = 4
FIRST_WEEK = datetime(2026, 10, 26, 5, 0, tzinfo=UTC)  # Mondays 05:00, the scheduled download time
REPEATED_KEYS = 0.05
TOO_LONG_EVERY = 10_000  # rows
CHROMOSOMES = tuple(f"chr{n}" for n in range(1, 23)) + ("chrX", "chrY")
ORIGINS = ("HOSPITAL_NORTE", "CLINICA_SUR", "LABORATORIO_ESTE", "HOSPITAL_CENTRAL", "CENTRO_GENETICO_OESTE")
RESULTS = ("POSITIVO", "NEGATIVO", "NO_CONCLUYENTE")
BASES = "ACGT"


@dataclass(frozen=True)
class LabCounts:
    rows: int
    files: int
    repeated_keys: int
    too_long: int


def lab_row(rng: random.Random, key: tuple[str, str, str], long_ref: bool = False) -> tuple[str, ...]:
    """One variant call for (ID, MUESTRA, RESULTADO) = key; a long REF does not fit varchar(30)."""
    variant_id, sample, result = key
    depth = rng.randint(8, 90)
    alt_reads = rng.randint(0, depth)
    genotype = "1/1" if alt_reads > 0.8 * depth else "0/1" if alt_reads > 0.2 * depth else "0/0"
    ref = "".join(rng.choice(BASES) for _ in range(41 if long_ref else rng.choice((1, 1, 1, 2, 4))))
    alt = rng.choice([b for b in BASES if b != ref[0]])
    return (
        rng.choice(CHROMOSOMES), str(rng.randint(10_000, 248_000_000)), variant_id, ref, alt,
        str(rng.randint(20, 250)), "PASS" if depth >= 15 else "LowQual",
        f"AC={genotype.count('1')};AF={genotype.count('1') / 2:.1f};DP={depth}", "GT:AD:DP", sample,
        f"{genotype}:{depth - alt_reads},{alt_reads}:{depth}", rng.choice(ORIGINS), "", result,
    )  # fmt: skip


def _new_key(rng: random.Random, n: int) -> tuple[str, str, str]:
    variant_id = "." if rng.random() < 0.08 else f"rs{100_000 + n * 7}"
    return variant_id, f"M{rng.randint(1, 5_000):05d}", rng.choice(RESULTS)


def write_lab_files(root: Path, seed: int, rows: int) -> LabCounts:
    """About `rows` rows in WEEKS weekly files under root/lab/unificado/."""
    rng = random.Random(f"{seed}:lab")
    keys: list[tuple[str, str, str]] = []
    repeated = written = 0
    per_week = max(1, rows // WEEKS)
    for week in range(WEEKS):
        delivered = FIRST_WEEK + timedelta(weeks=week)
        path = root / "lab" / "unificado" / f"unificado_{delivered:%Y-%m-%d}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter=";" if week % 2 else ",", lineterminator="\n")
            writer.writerow(HEADER)
            for _ in range(per_week):
                if keys and rng.random() < REPEATED_KEYS:
                    key = rng.choice(keys)
                    repeated += 1
                else:
                    key = _new_key(rng, len(keys))
                    keys.append(key)
                written += 1
                writer.writerow(lab_row(rng, key, long_ref=written % TOO_LONG_EVERY == 0))
        moment = delivered.timestamp()
        os.utime(path, (moment, moment))
    return LabCounts(written, WEEKS, repeated, written // TOO_LONG_EVERY)
