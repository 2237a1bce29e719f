"""Multigestionale (tracks/multigestionale.sql): `<root><element>` per vehicle; the images list reuses
the tag (`<images><element>URL</element></images>`). Values are often CDATA, numbers Italian (38.500;
5,3); no VIN. A value given as `cdata(text)` is written as a CDATA section; the description, the image
URLs and the accessories always are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from dms_feeds.format import DmsFormat
from dms_feeds.xml_text import wrapped, xml_values

FUEL = {"PETROL": "Benzina", "DIESEL": "Diesel", "LPG": "GPL", "CNG": "Metano", "ELECTRIC": "Elettrica",
        "HYBRID": "Ibrida"}  # fmt: skip
GEARBOX = {"MANUAL": "Manuale", "AUTOMATIC": "Automatico", "SEMI_AUTOMATIC": "Semiautomatico"}
_ALWAYS_CDATA = frozenset({"description", "images", "accessories"})


def italian_number(value: int) -> str:
    """38500 -> '38.500', as this export writes prices and mileages."""
    return f"{value:,}".replace(",", ".")


class Element(TypedDict):
    """One record `<element>`: keys are the element names."""

    ad_number: str  # the stock id
    title: str
    make: str
    model: str
    version: str
    vehicle_class: str  # Usato, Km0
    vehicle_category: str  # SUV/Fuoristrada
    first_registration_date: str  # MM/YYYY
    mileage: str  # 38.500
    power_kw: str | int
    power_cv: str | int
    gearbox: str
    fuel_type: str
    color: str
    price: str  # 21.900 or 24.750,00
    description: str  # HTML, always CDATA
    last_update: str  # DD-MM-YYYY HH:MM
    doors_count: str | int
    num_seats: str | int
    owners_count: str | int
    emissions_class: str
    combined_consumption: str  # 5,3
    images: Sequence[str]  # images/element: URLs
    accessories: Sequence[str]  # accessories/accessory: texts


def record(element: Mapping[str, Any], escape: bool = True) -> str:
    """One record `<element>`, on one line; `escape=False`: the values are XML-safe already."""
    v = xml_values(element, _ALWAYS_CDATA) if escape else element
    images = wrapped("<element><![CDATA[", v["images"], "]]></element>")
    accessories = wrapped("<accessory><![CDATA[", v["accessories"], "]]></accessory>")
    return (
        f"<element><ad_number>{v['ad_number']}</ad_number><title>{v['title']}</title><make>{v['make']}</make>"
        f"<model>{v['model']}</model><version>{v['version']}</version>"
        f"<vehicle_class>{v['vehicle_class']}</vehicle_class><vehicle_category>{v['vehicle_category']}</vehicle_category>"
        f"<first_registration_date>{v['first_registration_date']}</first_registration_date>"
        f"<mileage>{v['mileage']}</mileage><power_kw>{v['power_kw']}</power_kw><power_cv>{v['power_cv']}</power_cv>"
        f"<gearbox>{v['gearbox']}</gearbox><fuel_type>{v['fuel_type']}</fuel_type><color>{v['color']}</color>"
        f"<price>{v['price']}</price><description><![CDATA[{v['description']}]]></description>"
        f"<last_update>{v['last_update']}</last_update><doors_count>{v['doors_count']}</doors_count>"
        f"<num_seats>{v['num_seats']}</num_seats><owners_count>{v['owners_count']}</owners_count>"
        f"<emissions_class>{v['emissions_class']}</emissions_class>"
        f"<combined_consumption>{v['combined_consumption']}</combined_consumption>"
        f"<images>{images}</images><accessories>{accessories}</accessories></element>"
    )


def opening(count: int) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<root>\n'


FORMAT = DmsFormat("MULTIGESTIONALE", record, opening, "</root>\n")
