"""Feed health (marts.feed_health, marts.feed_health_daily) and `dbt source freshness`, on a real PostgreSQL.

Feeds are written with feed times relative to now and built as of a time given with
--vars '{feed_health_as_of: ...}': a dealer whose feeds stopped 4 days ago is stale while another's
is ok, a dealer whose latest file was rejected and one whose latest feed was held are failing, a
weekly lab file 11 days old is late; the counts are what the ledger says. The freshness thresholds of
the ledger per domain (warn = late, error = stale) are the feed_cadences seed's defaults.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml
from support import PROJECT_ROOT, query, run_dbt, run_extract
from vehicle_feeds import Ad, document, write_feed

from extract.warehouse import WarehouseAddress, connect

BUILD = ("build", "--select", "+feed_health", "+feed_health_daily")
STOCK = ["S1", "S2", "S3", "S4", "S5"]
LAB_FILE = PROJECT_ROOT / "sample_data" / "lab" / "unificado" / "unificado_2026-11-09.csv"
PRICE_FILE = PROJECT_ROOT / "sample_data" / "crypto" / "ticker=BTC" / "BTC_EUR_Historical_Data.csv"
MALFORMED = (PROJECT_ROOT / "tests" / "fixtures" / "vehicles" / "malformed.xml").read_text(encoding="utf-8")
COMPARED = [  # the columns of feed_health compared with the ledger
    "files_loaded_7d", "files_rejected_7d", "files_held_7d", "records_latest", "records_previous", "records_change",
    "last_file_status", "last_file_at",
]  # fmt: skip
STREAM_OF_KEY = [  # the stream a landing key names, as int_feed_files derives it
    (re.compile(r"^vehicles/corporate=([^/]+)/source=([^/]+)/"), lambda m: f"dms:{m[1]}/{m[2].upper()}"),
    (re.compile(r"^crypto/ticker=([^/]+)/"), lambda m: f"ticker:{m[1].upper()}"),
    (re.compile(r"^lab/unificado/"), lambda m: "lab:unificado"),
]


def stock(*ids: str) -> str:
    return document([Ad(stock_id) for stock_id in ids])


def copy_file(source: Path, landing: Path, key: str, modified_at: datetime) -> None:
    target = landing / key
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    os.utime(target, (modified_at.timestamp(), modified_at.timestamp()))


def extract(warehouse: WarehouseAddress, landing: Path, expected_code: int) -> None:
    # every domain, so every raw table exists (feed health reads the market data files' kinds too)
    done = run_extract(warehouse, "--landing", str(landing), "--workers", "1")
    assert done.returncode == expected_code, done.stdout + done.stderr


def freshness(warehouse: WarehouseAddress, tmp_path: Path) -> dict[str, str]:
    """`dbt source freshness`: the status of each source that has thresholds (sources.json)."""
    done = run_dbt(warehouse, tmp_path, "source", "freshness")
    results = json.loads((tmp_path / "target" / "sources.json").read_text())["results"]
    statuses = {result["unique_id"].rsplit(".", 1)[-1]: result["status"] for result in results}
    assert done.returncode == (1 if "error" in statuses.values() else 0), done.stdout[-3000:]
    return statuses


def hours_between(start: datetime, end: datetime) -> Decimal:
    """Hours with 2 decimals, rounded as PostgreSQL casts to numeric(18, 2)."""
    return (Decimal(int((end - start).total_seconds())) / 3600).quantize(Decimal("0.01"), ROUND_HALF_UP)


def hours_text(hours: Decimal) -> str:
    """As status_reason writes hours: one decimal, none when whole."""
    text = str(hours.quantize(Decimal("0.1"), ROUND_HALF_UP))
    return (text.removesuffix(".0")) + " h"


def stream_of(landing_key: str) -> str | None:
    for pattern, name in STREAM_OF_KEY:
        if match := pattern.match(landing_key):
            return name(match)
    return None


def ledger_says(warehouse: WarehouseAddress, as_of: datetime) -> dict[str, dict]:
    """Per stream, the counts and records straight from raw.load_ledger, as feed_health defines them."""
    rows = query(
        warehouse,
        "select load_id, landing_key, status, rows_loaded, feed_at, started_at from raw.load_ledger"
        " where started_at <= %s order by load_id",
        (as_of,),
    )
    per_stream: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        per_stream[stream_of(row[1]) or "none"].append(row)
    said = {}
    for stream, files in per_stream.items():
        recent = [f for f in files if f[5] > as_of - timedelta(days=7)]
        applied = sorted((f for f in files if f[2] in ("loaded", "released")), key=lambda f: (f[4], f[0]), reverse=True)
        latest = max((f for f in files if f[2] != "skipped"), key=lambda f: (f[5], f[0]))
        said[stream] = {
            "files_loaded_7d": sum(f[2] in ("loaded", "released") for f in recent),
            "files_rejected_7d": sum(f[2] == "rejected" for f in recent),
            "files_held_7d": sum(f[2] in ("held", "superseded") for f in recent),
            "records_latest": applied[0][3] if applied else None,
            "records_previous": applied[1][3] if len(applied) > 1 else None,  # one kind per stream here
            "last_file_status": latest[2],
            "last_file_at": max(f[5] for f in files),
        }
    return said


def test_feed_health_statuses_counts_and_freshness(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    # dealer 911 sent three daily feeds, the last 4 days ago; the lab file is 11 days old (weekly)
    for days_ago, ids in ((6, STOCK), (5, STOCK), (4, STOCK[:4])):
        write_feed(landing, "911", "DMS_A", f"day{days_ago}.xml", stock(*ids), now - timedelta(days=days_ago))
    copy_file(LAB_FILE, landing, f"lab/unificado/{LAB_FILE.name}", now - timedelta(days=11))
    extract(warehouse, landing, 0)

    # vehicles: newest feed 96 h old > 72 (error); lab: 264 h > 252 (warn); crypto: no file yet, not checked
    assert freshness(warehouse, tmp_path) == {
        "load_ledger_vehicles": "error",
        "load_ledger_lab": "warn",
        "load_ledger_crypto": "pass",
    }

    write_feed(landing, "912", "DMS_A", "day2.xml", stock("S1", "S2", "S3"), now - timedelta(days=2))
    write_feed(landing, "912", "DMS_A", "day0.xml", stock("S1", "S2", "S3"), now - timedelta(hours=6))
    write_feed(landing, "913", "DMS_A", "day1.xml", stock("S1", "S2"), now - timedelta(days=1))
    write_feed(landing, "914", "DMS_A", "day2.xml", stock(*STOCK), now - timedelta(days=2))
    copy_file(PRICE_FILE, landing, "crypto/ticker=BTC/prices.csv", now - timedelta(hours=1))
    extract(warehouse, landing, 0)
    # then a corrupt export of 913, an export of 914 that would remove 4 of its 5 vehicles (held), and a
    # file in ETH's folder that is no market data file (rejected): each the latest file of its stream
    write_feed(landing, "913", "DMS_A", "day0.xml", MALFORMED)
    write_feed(landing, "914", "DMS_A", "day1.xml", stock("S1"), now - timedelta(days=1))
    (landing / "crypto" / "ticker=ETH").mkdir(parents=True)
    (landing / "crypto" / "ticker=ETH" / "notes.csv").write_text("hello\n")
    extract(warehouse, landing, 1)
    # 911's first file was loaded 8 days ago: outside the 7 days of the counts
    conn = connect(warehouse)
    with conn, conn.cursor() as cur:
        cur.execute(
            "update raw.load_ledger set started_at = started_at - interval '8 days', finished_at = finished_at"
            " - interval '8 days' where landing_key like 'vehicles/corporate=911/%%/day6.xml'"
        )
    conn.close()

    as_of = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
    built = run_dbt(
        warehouse, tmp_path, *BUILD, "--vars", json.dumps({"feed_health_as_of": f"{as_of:%Y-%m-%d %H:%M:%S}+00"})
    )
    assert built.returncode == 0, built.stdout[-5000:]

    health = {
        row[0]: row[1:]
        for row in query(
            warehouse,
            "select stream_id, stream_kind, corporate_id, source, status, last_file_status, hours_since_last_feed,"
            " expected_every_hours, checked_at from marts.feed_health",
        )
    }

    def hours(days_ago: float) -> Decimal:
        return hours_between(now - timedelta(days=days_ago), as_of)

    assert health == {
        "dms:911/DMS_A": ("dms", "911", "DMS_A", "stale", "loaded", hours(4), Decimal(24), as_of),
        "dms:912/DMS_A": ("dms", "912", "DMS_A", "ok", "loaded", hours(0.25), Decimal(24), as_of),
        "dms:913/DMS_A": ("dms", "913", "DMS_A", "failing", "rejected", hours(1), Decimal(24), as_of),
        "dms:914/DMS_A": ("dms", "914", "DMS_A", "failing", "held", hours(1), Decimal(24), as_of),
        "ticker:BTC": ("ticker", None, "BTC", "ok", "loaded", hours(1 / 24), Decimal(24), as_of),
        "ticker:ETH": ("ticker", None, "ETH", "failing", "rejected", None, Decimal(24), as_of),
        "lab:unificado": ("lab", None, "unificado", "late", "loaded", hours(11), Decimal(168), as_of),
    }
    reasons = dict(query(warehouse, "select stream_id, status_reason from marts.feed_health"))
    assert reasons["dms:911/DMS_A"] == (
        f"Stale: no feed for {hours_text(hours(4))} (expected every 24 h, stale after 72 h): check that the sender"
        " still exports and that its files reach the landing zone."
    )
    [(held_id,)] = query(warehouse, "select load_id from raw.load_ledger where status = 'held'")
    assert reasons["dms:914/DMS_A"].startswith("The latest feed, vehicles/corporate=914/source=DMS_A/day1.xml (load ")
    assert reasons["dms:914/DMS_A"].endswith(f"release it with python -m extract release {held_id}.")
    assert reasons["dms:913/DMS_A"].startswith("The latest file, vehicles/corporate=913/source=DMS_A/day0.xml (load ")
    assert "was rejected: marts.load_audit.error says why" in reasons["ticker:ETH"]
    assert reasons["lab:unificado"].startswith(
        f"Late: no feed for {hours_text(hours(11))} (expected every 168 h, late after 252 h): watch for the next feed"
    )

    # the counts and records are what the ledger says
    mart = {
        row[0]: dict(zip(COMPARED, row[1:], strict=True))
        for row in query(
            warehouse,
            f"select stream_id, {', '.join(COMPARED)} from marts.feed_health",
        )
    }
    said = ledger_says(warehouse, as_of)
    for stream, row in mart.items():
        latest, previous = said[stream]["records_latest"], said[stream]["records_previous"]
        assert row == said[stream] | {"records_change": None if previous is None else latest - previous}, stream
    assert set(mart) == set(said)
    assert (mart["dms:911/DMS_A"]["files_loaded_7d"], mart["dms:911/DMS_A"]["records_change"]) == (2, -1)
    assert mart["dms:914/DMS_A"] | {"last_file_at": None} == {
        "files_loaded_7d": 1, "files_rejected_7d": 0, "files_held_7d": 1, "records_latest": 5,
        "records_previous": None, "records_change": None, "last_file_status": "held", "last_file_at": None,
    }  # fmt: skip

    # per day: the ledger's files grouped by stream and UTC day of started_at
    expected_days: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for _, key, status, rows_loaded, rows_rejected, started_at in query(
        warehouse, "select load_id, landing_key, status, rows_loaded, rows_rejected, started_at from raw.load_ledger"
    ):
        counts = expected_days[(stream_of(key), started_at.astimezone(UTC).date())]
        counts[0] += status in ("loaded", "released")
        counts[1] += status == "rejected"
        counts[2] += status in ("held", "superseded")
        counts[3] += rows_loaded if status in ("loaded", "released") else 0
        counts[4] += rows_rejected
    daily = query(
        warehouse,
        "select stream_id, day, files_loaded, files_rejected, files_held, records_loaded, records_rejected"
        " from marts.feed_health_daily",
    )
    assert {(row[0], row[1]): list(row[2:]) for row in daily} == dict(expected_days)

    # freshness now: 912's feed of 6 h ago is the vehicles' newest; BTC's file is an hour old
    assert freshness(warehouse, tmp_path) == {
        "load_ledger_vehicles": "pass",
        "load_ledger_lab": "warn",
        "load_ledger_crypto": "pass",
    }


def test_an_as_of_time_of_another_shape_fails_with_a_sentence(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    done = run_dbt(
        warehouse, tmp_path, "compile", "--select", "feed_health_daily", "--vars", "{feed_health_as_of: yesterday}"
    )

    assert done.returncode != 0
    assert "var feed_health_as_of must be a time like '2026-11-24 06:00:00+00'" in done.stdout
    assert "got yesterday" in done.stdout


def test_the_freshness_thresholds_are_the_seeds_defaults() -> None:
    """warn = late_after_hours, error = stale_after_hours of the seed's '*' row of each domain's stream kind."""
    with (PROJECT_ROOT / "seeds" / "feed_cadences.csv").open(newline="") as seed:
        defaults = {row["stream_kind"]: row for row in csv.DictReader(seed) if row["stream"] == "*"}
    sources = yaml.safe_load((PROJECT_ROOT / "models" / "staging" / "extract" / "_extract__sources.yml").read_text())
    [extract_source] = sources["sources"]
    tables = {
        table["name"]: table["config"] for table in extract_source["tables"] if "freshness" in table.get("config", {})
    }

    kinds = {"load_ledger_vehicles": "dms", "load_ledger_crypto": "ticker", "load_ledger_lab": "lab"}
    assert set(tables) == set(kinds)
    for table, kind in kinds.items():
        thresholds = tables[table]["freshness"]
        assert thresholds["warn_after"] == {"count": int(defaults[kind]["late_after_hours"]), "period": "hour"}, table
        assert thresholds["error_after"] == {"count": int(defaults[kind]["stale_after_hours"]), "period": "hour"}, table
        domain = table.removeprefix("load_ledger_")
        assert tables[table]["loaded_at_query"] == f"{{{{ ledger_freshness_loaded_at(this, '{domain}') }}}}"
