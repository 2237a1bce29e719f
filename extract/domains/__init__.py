"""The domains the extractor knows; a landing file's first folder names its domain."""

from __future__ import annotations

from extract.domain import Domain
from extract.domains import crypto, lab, vehicles

DOMAINS: dict[str, Domain] = {crypto.NAME: crypto.DOMAIN, lab.NAME: lab.DOMAIN, vehicles.NAME: vehicles.DOMAIN}


def domain_of(landing_key: str) -> str:
    return landing_key.split("/", 1)[0]
