"""The domains the extractor knows; a landing file's first folder names its domain."""

from __future__ import annotations

from typing import Any

from extract import landing
from extract.domain import Domain, LoadContext, Outcome, RejectedFile
from extract.domains import crypto, lab, vehicles

ROOT = "/"  # the "domain" of a file at the landing root, outside any domain's folder


class LandingChecked:
    """A domain behind the checks every landing file passes before its domain reads a byte of it: its key names a
    place (no `..` segment) and, in a local landing zone, it is a regular file (a symlink is never followed)."""

    def __init__(self, domain: Domain) -> None:
        self._domain = domain
        self.name = domain.name
        self.ddl = domain.ddl

    def __getattr__(self, attribute: str) -> Any:  # what a domain adds, e.g. vehicles' validate
        if attribute.startswith("_"):  # never its own state (a copy asks before it has any)
            raise AttributeError(attribute)
        return getattr(self._domain, attribute)

    def load(self, ctx: LoadContext) -> Outcome:
        key = ctx.file.key
        problem = landing.key_problem(key) or landing.irregular_reason(key, ctx.local.path)
        if problem is not None:
            raise RejectedFile(problem)
        return self._domain.load(ctx)


DOMAINS: dict[str, Domain] = {module.NAME: LandingChecked(module.DOMAIN) for module in (crypto, lab, vehicles)}


def domain_of(landing_key: str) -> str:
    """The key's first folder; ROOT for a file at the landing root (a name of its own is not a folder), unless
    it is named like a domain (a symlinked domain folder: that domain rejects it)."""
    first, slash, _ = landing_key.partition("/")
    return first if slash or first in DOMAINS else ROOT
