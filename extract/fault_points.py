"""Named points where a test kills the extractor (EXTRACT_KILL_AT=<point>): the process dies at once with
SIGKILL, as a scheduler or the OOM killer would kill it, so the next run's recovery can be shown for real.

Each constant's comment says what a crash at that point leaves behind; tests/python/test_kill_points.py
kills a run at every one of them and shows that a rerun loads every record exactly once."""

from __future__ import annotations

import os
import signal

KILL_AT_VARIABLE = "EXTRACT_KILL_AT"
KILL_AFTER_ROWS_VARIABLE = "EXTRACT_KILL_AFTER_ROWS"  # with mid-copy: rows in each COPY chunk before the kill

# A file's load (extract.load_run.load_file), in order.
AFTER_LOAD_ID = "after-load-id"  # a load id is reserved (a gap in the ledger's sequence); nothing else is written
AFTER_STAGING = "after-staging"  # Redshift: the parts and the manifest are on S3, nothing is in the warehouse
MID_COPY = "mid-copy"  # part of the file's rows went through COPY (the first chunk), not all; nothing committed
AFTER_COPY = "after-copy"  # the rows are copied in the file's transaction, its ledger row not written yet
AFTER_LEDGER_ROW = "after-ledger-row"  # rows and ledger row written in the file's transaction, not committed
AFTER_COMMIT = "after-commit"  # committed; the landing file has not moved, the staged parts are not deleted
MID_MOVE = "mid-move"  # committed; S3: the object is copied to imported/, the original not deleted;
# local: the imported/ folder is made, the file not renamed into it
# After the run's loads (extract.cli): raw compaction of the new vehicle feeds.
MID_COMPACTION = "mid-compaction"  # the compaction's updates ran, not committed: raw is as before it
AFTER_COMPACTION = "after-compaction"  # the compaction committed; the vacuum that frees the space did not run
# `python -m extract release <load id>`.
MID_RELEASE = "mid-release"  # the held feed's ledger row says released (and the feeds it supersedes), not committed

POINTS = (
    AFTER_LOAD_ID,
    AFTER_STAGING,
    MID_COPY,
    AFTER_COPY,
    AFTER_LEDGER_ROW,
    AFTER_COMMIT,
    MID_MOVE,
    MID_COMPACTION,
    AFTER_COMPACTION,
    MID_RELEASE,
)


def reached(point: str) -> None:
    """Die here, at once and without cleaning up, when EXTRACT_KILL_AT names this point."""
    if os.environ.get(KILL_AT_VARIABLE) == point:
        os.kill(os.getpid(), signal.SIGKILL)


def copy_chunk_rows() -> int | None:
    """Rows per COPY chunk when a test kills mid-copy (EXTRACT_KILL_AFTER_ROWS), so that a small file is sent
    in several chunks and the kill falls between two of them; None (chunks by size only) otherwise."""
    if os.environ.get(KILL_AT_VARIABLE) != MID_COPY:
        return None
    text = os.environ.get(KILL_AFTER_ROWS_VARIABLE, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{KILL_AFTER_ROWS_VARIABLE}={text!r} is not a number of rows (1 or more)")
    return int(text)
