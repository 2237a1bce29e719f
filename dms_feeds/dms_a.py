"""DMS_A, the seed's own format (tracks/dms_a.sql): `<Ads><Ad>` per vehicle, values as element text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, TypedDict

from dms_feeds.format import DmsFormat
from dms_feeds.xml_text import wrapped, xml_values

# How this DMS spells the catalogue's codes (the track reads them back: tracks/dms_a.sql vocabularies).
FUEL = {"PETROL": "Petrol", "DIESEL": "Diesel", "LPG": "LPG", "CNG": "CNG", "ELECTRIC": "Electric", "HYBRID": "Hybrid"}
GEARBOX = {"MANUAL": "Manual", "AUTOMATIC": "Automatic", "SEMI_AUTOMATIC": "Semi-automatic"}


class Ad(TypedDict):
    """One `<Ad>`: keys are the element names; `Id`, `ModelCode` and `VersionCode` absent or None: not written."""

    Id: NotRequired[str | None]  # the stock id
    DealerCode: str
    Vin: str  # Public/...
    Brand: str
    Model: str
    Version: str
    RegistrationDate: str  # YYYY-MM-DD
    Mileage: str | int
    Fuel: str
    Gearbox: str
    Color: str
    ListPrice: str  # Business/...: 12900.00
    PromotionalPrice: NotRequired[str | None]  # an empty <PromotionalPrice/> when None, "" or absent
    MakeCode: str  # Codes/...
    ModelCode: NotRequired[str | None]
    VersionCode: NotRequired[str | None]
    images: Sequence[str]  # Images/Image: URLs
    options: Sequence[tuple[str, str]]  # Options/Option: (code attribute, text)


def record(ad: Mapping[str, Any], escape: bool = True) -> str:
    """One `<Ad>` element, on one line; `escape=False`: the values are XML-safe already."""
    v = xml_values(ad) if escape else ad
    get = v.get
    stock, promo, model_code, version_code = get("Id"), get("PromotionalPrice"), get("ModelCode"), get("VersionCode")
    stock = "" if stock is None else f"<Id>{stock}</Id>"
    promo = "<PromotionalPrice/>" if promo in (None, "") else f"<PromotionalPrice>{promo}</PromotionalPrice>"
    model_code = "" if model_code is None else f"<ModelCode>{model_code}</ModelCode>"
    version_code = "" if version_code is None else f"<VersionCode>{version_code}</VersionCode>"
    images = wrapped("<Image>", v["images"], "</Image>")
    options = "".join([f'<Option code="{code}">{text}</Option>' for code, text in v["options"]])
    return (
        f"<Ad>{stock}<DealerCode>{v['DealerCode']}</DealerCode>"
        f"<Public><Vin>{v['Vin']}</Vin><Brand>{v['Brand']}</Brand><Model>{v['Model']}</Model>"
        f"<Version>{v['Version']}</Version><RegistrationDate>{v['RegistrationDate']}</RegistrationDate>"
        f"<Mileage>{v['Mileage']}</Mileage><Fuel>{v['Fuel']}</Fuel><Gearbox>{v['Gearbox']}</Gearbox>"
        f"<Color>{v['Color']}</Color></Public><Business><ListPrice>{v['ListPrice']}</ListPrice>"
        f"{promo}</Business><Codes><MakeCode>{v['MakeCode']}</MakeCode>{model_code}{version_code}</Codes>"
        f"<Images>{images}</Images><Options>{options}</Options></Ad>"
    )


def opening(count: int) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<Ads>\n'


FORMAT = DmsFormat("DMS_A", record, opening, "</Ads>\n")
