"""GestionaleAuto (tracks/gestionaleauto.sql): `<export_gestionaleauto><car id="...">` per vehicle.

Make, model, version, fuel and the technical data sit under `<model>`, the rest at car level; the
Motornet code may sit in either place; an image lists five sizes, any of them empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, TypedDict

from dms_feeds.format import DmsFormat
from dms_feeds.xml_text import xml_values

FUEL = {"PETROL": "Benzina", "DIESEL": "Diesel", "LPG": "GPL", "CNG": "Metano", "ELECTRIC": "Elettrico",
        "HYBRID": "Ibrido"}  # fmt: skip
GEARBOX = {"MANUAL": "Manuale", "AUTOMATIC": "Automatico", "SEMI_AUTOMATIC": "Sequenziale"}
IMAGE_SIZES = ("small", "medium", "large", "big", "hd")  # smallest first, as the export lists them


class Car(TypedDict):
    """One `<car>`: keys are element names (`interior_color` is interior/color); a Motornet code absent or None:
    not written."""

    id: str  # the stock id (attribute)
    make: str  # model/...
    model: str
    version: str
    body: str
    fuel: str
    traction: str
    kwatt: str | int
    cc: str | int
    cylinders: str | int
    doors: str | int
    seats: str | int
    emission_class: str
    emission_co2: str | int
    model_motornet_code: NotRequired[str | None]  # model/motornet_code
    urban: str  # model/consumption/...: 5,9
    outer: str
    combined: str
    motornet_code: NotRequired[str | None]  # the car-level Motornet code
    color: str  # exterior/...
    paint: str
    interior_color: str  # interior/color
    km: str | int
    registration_date: str  # MM/YYYY
    gearbox: str
    plate: str
    vin: str | None  # an empty <vin/> when None or ""
    usage: str
    customers_price: str | int
    images: Sequence[Mapping[str, str]]  # images/image: URL by size (IMAGE_SIZES); a size not given is empty
    options: Sequence[tuple[str, str, bool]]  # (code, text, is standard): options/standard_option or options/extra


def _image(urls: Mapping[str, str]) -> str:
    """An <image> with its five sizes, smallest first, each empty when it has no URL (unrolled: the hot loop)."""
    get = urls.get
    small, medium, large, big, hd = get("small"), get("medium"), get("large"), get("big"), get("hd")
    return (
        f"<image>{f'<small>{small}</small>' if small else '<small/>'}"
        f"{f'<medium>{medium}</medium>' if medium else '<medium/>'}{f'<large>{large}</large>' if large else '<large/>'}"
        f"{f'<big>{big}</big>' if big else '<big/>'}{f'<hd>{hd}</hd>' if hd else '<hd/>'}</image>"
    )


def record(car: Mapping[str, Any], escape: bool = True) -> str:
    """One `<car>` element, on one line; `escape=False`: the values are XML-safe already."""
    v = xml_values(car) if escape else car
    model_motornet, motornet, vin = v.get("model_motornet_code"), v.get("motornet_code"), v["vin"]
    model_motornet = "" if model_motornet is None else f"<motornet_code>{model_motornet}</motornet_code>"
    motornet = "" if motornet is None else f"<motornet_code>{motornet}</motornet_code>"
    vin = "<vin/>" if vin in (None, "") else f"<vin>{vin}</vin>"
    images = "".join([_image(urls) for urls in v["images"]])
    options = "".join(
        [
            f'<standard_option code="{code}">{text}</standard_option>'
            if standard
            else f'<extra code="{code}">{text}</extra>'
            for code, text, standard in v["options"]
        ]
    )
    return (
        f'<car id="{v["id"]}"><model><make>{v["make"]}</make><model>{v["model"]}</model>'
        f"<version>{v['version']}</version><body>{v['body']}</body><fuel>{v['fuel']}</fuel>"
        f"<traction>{v['traction']}</traction><kwatt>{v['kwatt']}</kwatt><cc>{v['cc']}</cc>"
        f"<cylinders>{v['cylinders']}</cylinders><doors>{v['doors']}</doors><seats>{v['seats']}</seats>"
        f"<emission_class>{v['emission_class']}</emission_class><emission_co2>{v['emission_co2']}</emission_co2>"
        f"{model_motornet}<consumption><urban>{v['urban']}</urban><outer>{v['outer']}</outer>"
        f"<combined>{v['combined']}</combined></consumption></model>{motornet}"
        f"<exterior><color>{v['color']}</color><paint>{v['paint']}</paint></exterior>"
        f"<interior><color>{v['interior_color']}</color></interior><km>{v['km']}</km>"
        f"<registration_date>{v['registration_date']}</registration_date><gearbox>{v['gearbox']}</gearbox>"
        f"<plate>{v['plate']}</plate>{vin}<usage>{v['usage']}</usage>"
        f"<customers_price>{v['customers_price']}</customers_price><images>{images}</images>"
        f"<options>{options}</options></car>"
    )


def opening(count: int) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<export_gestionaleauto>\n'


FORMAT = DmsFormat("GESTIONALEAUTO", record, opening, "</export_gestionaleauto>\n")
