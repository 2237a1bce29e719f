"""Named points where a test kills the extractor (EXTRACT_KILL_AT=<point>): the process dies at once with
SIGKILL, as a scheduler or the OOM killer would kill it, so the next run's recovery can be shown for real."""

from __future__ import annotations

import os
import signal

AFTER_STAGING = "after-staging"  # Redshift: the parts and the manifest are on S3, nothing is in the warehouse
AFTER_COPY = "after-copy"  # the rows are copied in the file's transaction, not committed
AFTER_COMMIT = "after-commit"  # committed; the landing file has not moved, the staged parts are not deleted
POINTS = (AFTER_STAGING, AFTER_COPY, AFTER_COMMIT)


def reached(point: str) -> None:
    if os.environ.get("EXTRACT_KILL_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)
