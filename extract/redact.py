"""Secrets out of every message: a URL's password, a DSN's `password=...`, and the values of the secret variables.

What the extractor prints, writes to the ledger or to a reason file goes through `text` where it may hold
something from outside (a URL a person configured, a library's exception message); a URL it shows on purpose
goes through `url`. Redacted values read `***`; the rest of the message stays as it was, so it still names the
host, port, database and user to check.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

HIDDEN = "***"
# the variables whose values are secrets (a store's secret or parameter lands in the password variables)
SECRET_VARIABLES = (
    "PGPASSWORD",
    "REDSHIFT_PASSWORD",
    "LOADER_PASSWORD",
    "TRANSFORMER_PASSWORD",
    "BI_READER_PASSWORD",
    "DASHBOARD_PGPASSWORD",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)
_SHORTEST_SECRET = 4  # a shorter value would hide ordinary words of a message, not a secret
# scheme://user:password@host -> scheme://user:***@host (the user stays: it is what a person checks)
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/:@'\"]*):(?P<password>[^\s/@'\"]*)@")
# password=secret or password='secret' in a libpq DSN, or "password": "secret" in JSON
_DSN_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<password>'(?:[^'\\]|\\.)*'|[^\s'\";,&]+)", re.I)
_JSON_PASSWORD = re.compile(r'(?P<head>"password"\s*:\s*)(?P<password>"(?:[^"\\]|\\.)*")', re.I)


def url(address: str) -> str:
    """`address` with the password of its `user:password@` part, if any, replaced by ***."""
    return _URL_PASSWORD.sub(lambda m: f"{m['head']}:{HIDDEN}@", address)


def known_secrets(env: Mapping[str, str] | None = None) -> list[str]:
    """The values of SECRET_VARIABLES in `env` (default: this process's environment), longest first."""
    env = os.environ if env is None else env
    values = {env.get(name, "") for name in SECRET_VARIABLES}
    return sorted((value for value in values if len(value) >= _SHORTEST_SECRET), key=len, reverse=True)


def text(message: str, secrets: Iterable[str | None] = ()) -> str:
    """`message` without URL passwords, DSN or JSON `password` values, the secret variables' values and `secrets`."""
    redacted = url(message)
    redacted = _DSN_PASSWORD.sub(lambda m: f"{m['head']}{HIDDEN}", redacted)
    redacted = _JSON_PASSWORD.sub(lambda m: f'{m["head"]}"{HIDDEN}"', redacted)
    extra = [value for value in secrets if value and len(value) >= _SHORTEST_SECRET]
    for value in sorted({*extra, *known_secrets()}, key=len, reverse=True):
        redacted = redacted.replace(value, HIDDEN)
    return redacted
