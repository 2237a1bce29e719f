"""mobile.de's ad XML (search API; tracks/mobilede.sql): `<search:search-result><search:ads><ad:ad key="...">`
per vehicle. Values live in attributes; an enumeration is a `key` plus a localised
`<resource:local-description>`; an image lists size representations, largest unknown until read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from dms_feeds.format import DmsFormat
from dms_feeds.xml_text import xml_values

# The catalogue's codes as (enumeration key, Italian description).
FUEL = {"PETROL": ("PETROL", "Benzina"), "DIESEL": ("DIESEL", "Diesel"), "LPG": ("LPG", "GPL"),
        "CNG": ("CNG", "Metano"), "ELECTRIC": ("ELECTRICITY", "Elettrica"), "HYBRID": ("HYBRID", "Ibrida")}  # fmt: skip
GEARBOX = {"MANUAL": ("MANUAL_GEAR", "Cambio manuale"), "AUTOMATIC": ("AUTOMATIC_GEAR", "Cambio automatico"),
           "SEMI_AUTOMATIC": ("SEMIAUTOMATIC_GEAR", "Semiautomatico")}  # fmt: skip
_SEARCH_RESULT = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<search:search-result xmlns:search="http://services.mobile.de/schema/search"'
    ' xmlns:ad="http://services.mobile.de/schema/ad"'
    ' xmlns:resource="http://services.mobile.de/schema/resource"'
    ' xmlns:seller="http://services.mobile.de/schema/seller">\n'
)
_ENUMERATIONS = frozenset(
    f"ad:{tag}" for tag in ("class", "category", "make", "model", "exterior-color", "gearbox", "fuel", "feature")
)


class Ad(TypedDict):
    """One `<ad:ad>`. `inventory_key`, `colour_name` and `vin` are left out when None or ""."""

    key: str  # the ad key (attribute); the ad's url is built from it
    inventory_key: str | None  # ad:seller-inventory-key: the dealer's stock id
    seller: str  # seller:seller key; its url is built from it
    created: str  # ISO 8601 with an offset
    modified: str
    category: str  # ad:vehicle/ad:category: key and description
    category_text: str
    make_key: str
    make: str
    model_key: str
    model: str
    version: str  # ad:model-description
    colour_key: str  # ad:specifics/ad:exterior-color: key, description and manufacturer's colour name
    colour_text: str
    colour_name: str | None
    mileage: str | int
    gearbox: str  # key and description
    gearbox_text: str
    fuel: str
    fuel_text: str
    power: str | int  # kW
    first_registration: str  # YYYY-MM
    vin: str | None  # ad:identification-number
    features: Sequence[tuple[str, str]]  # ad:features/ad:feature: (key, description)
    price: str  # ad:price/ad:consumer-price-amount, EUR
    images: Sequence[Sequence[tuple[str, str]]]  # ad:images/ad:image: (size, URL) per representation


def _enum(tag: str, key: str, text: str, inside: str = "") -> str:
    local = f"<resource:local-description>{text}</resource:local-description>"
    return f'<ad:{tag} key="{key}">{local}{inside}</ad:{tag}>'


_CAR = _enum("class", "Car", "Autovettura")  # this export lists cars


def _image(representations: Sequence[tuple[str, str]]) -> str:
    sizes = "".join([f'<ad:representation size="{size}" url="{url}"/>' for size, url in representations])
    return f"<ad:image>{sizes}</ad:image>"


def record(ad: Mapping[str, Any], escape: bool = True) -> str:
    """One `<ad:ad>` element, on one line; `escape=False`: the values are XML-safe already."""
    v = xml_values(ad) if escape else ad
    key, seller, inventory, colour_name, vin = v["key"], v["seller"], v["inventory_key"], v["colour_name"], v["vin"]
    inventory_key = f'<ad:seller-inventory-key value="{inventory}"/>' if inventory else ""
    colour_name = f'<ad:manufacturer-color-name value="{colour_name}"/>' if colour_name else ""
    identification = f'<ad:identification-number value="{vin}"/>' if vin else ""
    colour = _enum("exterior-color", v["colour_key"], v["colour_text"], colour_name)
    features = "".join([_enum("feature", code, text) for code, text in v["features"]])
    images = "".join([_image(representations) for representations in v["images"]])
    return (
        f'<ad:ad key="{key}" url="https://services.mobile.de/search-api/ad/{key}">'
        f'<ad:creation-date value="{v["created"]}"/><ad:modification-date value="{v["modified"]}"/>'
        f"{inventory_key}<ad:vehicle>{_CAR}"
        f"{_enum('category', v['category'], v['category_text'])}{_enum('make', v['make_key'], v['make'])}"
        f'{_enum("model", v["model_key"], v["model"])}<ad:model-description value="{v["version"]}"/>'
        f'<ad:specifics>{colour}<ad:mileage value="{v["mileage"]}"/>'
        f"{_enum('gearbox', v['gearbox'], v['gearbox_text'])}{_enum('fuel', v['fuel'], v['fuel_text'])}"
        f'<ad:power value="{v["power"]}"/><ad:first-registration value="{v["first_registration"]}"/>{identification}'
        f"</ad:specifics><ad:features>{features}</ad:features></ad:vehicle>"
        f'<ad:price type="FIXED" currency="EUR"><ad:consumer-price-amount value="{v["price"]}"/></ad:price>'
        f'<ad:images>{images}</ad:images><seller:seller key="{seller}" '
        f'url="https://services.mobile.de/search-api/seller/{seller}"/></ad:ad>'
    )


def opening(count: int) -> str:
    return f"{_SEARCH_RESULT}<search:total>{count}</search:total>\n<search:ads>\n"


FORMAT = DmsFormat("MOBILEDE", record, opening, "</search:ads>\n</search:search-result>\n", _ENUMERATIONS)
