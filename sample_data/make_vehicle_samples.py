"""Write the vehicle-inventory sample feeds under sample_data/vehicles/ (standard library only, deterministic).

    python3 sample_data/make_vehicle_samples.py

Layout: vehicles/corporate={id}/source={DMS}/<name>__YYYYMMDDTHHMMZ.<ext>; the stamp before the extension
is the feed time (git keeps no modification times; `python -m extract sample-data` sets the landed file's
mtime from it, and this script sets it too). Every value here is invented; the structures follow the four
formats of docs/track_files.md. sample_data/vehicles/README.md lists what the catalogue should show.
"""

from __future__ import annotations

import calendar
import gzip
import io
import os
import zipfile
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

OUT = Path(__file__).resolve().parent / "vehicles"

# --- VINs --------------------------------------------------------------------------------------------
_TRANSLIT = dict(
    zip("ABCDEFGHJKLMNPRSTUVWXYZ", [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9], strict=True)
)
_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]


def vin(body: str) -> str:
    """A 17-character VIN from 16 characters (all but position 9), with its ISO 3779 check digit."""
    assert len(body) == 16 and not set(body) & set("IOQ"), body
    draft = body[:8] + "0" + body[8:]
    total = sum((int(c) if c.isdigit() else _TRANSLIT[c]) * w for c, w in zip(draft, _WEIGHTS, strict=True))
    check = "X" if total % 11 == 10 else str(total % 11)
    return body[:8] + check + body[8:]


VIN_PANDA = vin("ZFA31200NJ482913")  # DMS_A A-1001
VIN_GIULIA = vin("ZARFAEDNM7345127")  # DMS_A A-1002 = GESTIONALEAUTO GA-5521 (corporate 101)
VIN_GOLF = vin("WVWZZZCDLW204518")  # DMS_A A-1003 (corporate 101) = mobile.de MB-7781 (corporate 102)
VIN_RENEGADE_BAD = "ZACNJDB17KPK2105"  # DMS_A A-1004: 16 characters, one digit lost -> null in the catalogue
VIN_YARIS = vin("VNKKBAC3PA198765")  # DMS_A A-1005, new on day 2
VIN_208 = vin("VR3UPHNSNW637281")  # GESTIONALEAUTO GA-5523
assert len(VIN_RENEGADE_BAD) == 16


# --- helpers -----------------------------------------------------------------------------------------
def el(tag: str, value: object = None, indent: int = 0, **attrs: object) -> str:
    """One element on one line; None -> empty element."""
    pad = "  " * indent
    attr_text = "".join(f" {k.replace('_', '-')}={quoteattr(str(v))}" for k, v in attrs.items())
    if value is None or value == "":
        return f"{pad}<{tag}{attr_text}/>"
    return f"{pad}<{tag}{attr_text}>{escape(str(value))}</{tag}>"


def cdata(tag: str, value: str, indent: int) -> str:
    return f"{'  ' * indent}<{tag}><![CDATA[{value}]]></{tag}>"


def stamp(feed_time: str) -> tuple[datetime, str, float]:
    """The feed time (UTC) as a datetime, the file-name suffix `__YYYYMMDDTHHMMZ` and a POSIX time."""
    moment = datetime.strptime(feed_time, "%Y-%m-%dT%H:%M")
    return moment, moment.strftime("__%Y%m%dT%H%MZ"), float(calendar.timegm(moment.timetuple()))


def write(folder: str, stem: str, ext: str, feed_time: str, xml: str) -> Path:
    """Write `xml` as <stem>__<stamp>.<ext>: ext xml (plain), xml.zip (one member) or xml.gz."""
    moment, suffix, epoch = stamp(feed_time)
    path = OUT / folder / f"{stem}{suffix}.{ext}"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = xml.encode("utf-8")
    if ext == "xml.zip":
        buffer = io.BytesIO()
        info = zipfile.ZipInfo(f"{stem}.xml", date_time=moment.timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(info, data)
        data = buffer.getvalue()
    elif ext == "xml.gz":
        buffer = io.BytesIO()
        with gzip.GzipFile(filename=f"{stem}.xml", mode="wb", fileobj=buffer, mtime=int(epoch)) as stream:
            stream.write(data)
        data = buffer.getvalue()
    path.write_bytes(data)
    os.utime(path, (epoch, epoch))
    return path


# --- A. DMS_A (the seed's own format) -------------------------------------------------------------------
def dms_a_ad(v: dict) -> str:
    lines = ["  <Ad>", el("Id", v["id"], 2), el("DealerCode", v["dealer"], 2), "    <Public>"]
    for tag in ("Vin", "Brand", "Model", "Version", "RegistrationDate", "Mileage", "Fuel", "Gearbox", "Color"):
        lines.append(el(tag, v[tag], 3))
    lines += [
        "    </Public>",
        "    <Business>",
        el("ListPrice", v["ListPrice"], 3),
        el("PromotionalPrice", v.get("PromotionalPrice"), 3),
        "    </Business>",
        "    <Codes>",
    ]
    lines += [el(tag, v[tag], 3) for tag in ("MakeCode", "ModelCode", "VersionCode")]
    lines += ["    </Codes>", "    <Images>"] + [el("Image", url, 3) for url in v["images"]] + ["    </Images>"]
    lines += ["    <Options>"] + [el("Option", text, 3, code=code) for code, text in v["options"]] + ["    </Options>"]
    return "\n".join(lines + ["  </Ad>"])


def dms_a_doc(ads: list[dict]) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<Ads>\n' + "\n".join(dms_a_ad(a) for a in ads) + "\n</Ads>\n"


def img_a(stock: str, count: int) -> list[str]:
    return [f"https://media.gruppo-rossi.example/dms-a/{stock}/{n}.jpg" for n in range(1, count + 1)]


A_1001 = {
    "id": "A-1001",
    "dealer": "ROSSI-MI",
    "Vin": VIN_PANDA,
    "Brand": "Fiat",
    "Model": "Panda",
    "Version": "1.0 FireFly S&S Hybrid City Life",
    "RegistrationDate": "2022-03-15",
    "Mileage": "28500",
    "Fuel": "Hybrid",
    "Gearbox": "Manual",
    "Color": "Bianco Gelato",
    "ListPrice": "12900.00",
    "PromotionalPrice": "12490.00",
    "MakeCode": "FIAT",
    "ModelCode": "PANDA3",
    "VersionCode": "PANDA3-10HY-CL",
    "images": img_a("A-1001", 3),
    "options": [("CLIMA", "Climatizzatore manuale"), ("DAB", "Radio DAB")],
}
A_1002 = {
    "id": "A-1002",
    "dealer": "ROSSI-MI",
    "Vin": VIN_GIULIA,
    "Brand": "Alfa Romeo",
    "Model": "Giulia",
    "Version": "2.2 Turbodiesel 160 CV AT8 Sprint",
    "RegistrationDate": "2021-06-01",
    "Mileage": "45200",
    "Fuel": "Diesel",
    "Gearbox": "Automatic",
    "Color": "Rosso Alfa",
    "ListPrice": "32500.00",
    "MakeCode": "ALFA",
    "ModelCode": "GIULIA",
    "VersionCode": "GIULIA-22D160-SPRINT",
    "images": img_a("A-1002", 3),
    "options": [
        ("NAVI", "Navigatore 8,8 pollici"),
        ("CERCHI18", "Cerchi in lega 18 pollici"),
        ("SENS-PARK", "Sensori di parcheggio posteriori"),
    ],
}
A_1003 = {
    "id": "A-1003",
    "dealer": "ROSSI-BG",
    "Vin": VIN_GOLF,
    "Brand": "Volkswagen",
    "Model": "Golf",
    "Version": "1.5 TSI 130 CV Life",
    "RegistrationDate": "2020-09-01",
    "Mileage": "61300",
    "Fuel": "Petrol",
    "Gearbox": "Manual",
    "Color": "Grigio Urano",
    "ListPrice": "18900.00",
    "MakeCode": "VW",
    "ModelCode": "GOLF8",
    "VersionCode": "GOLF8-15TSI-LIFE",
    "images": img_a("A-1003", 2),
    "options": [("ACC", "Cruise control adattivo")],
}
A_1004 = {
    "id": "A-1004",
    "dealer": "ROSSI-BG",
    "Vin": VIN_RENEGADE_BAD,
    "Brand": "Jeep",
    "Model": "Renegade",
    "Version": "1.6 Mjt 130 CV Limited",
    "RegistrationDate": "2019-11-20",
    "Mileage": "74800",
    "Fuel": "Diesel",
    "Gearbox": "Manual",
    "Color": "Nero Carbon",
    "ListPrice": "16400.00",
    "PromotionalPrice": "15900.00",
    "MakeCode": "JEEP",
    "ModelCode": "RENEGADE",
    "VersionCode": "RENEGADE-16MJT-LTD",
    "images": img_a("A-1004", 2),
    "options": [("GANCIO", "Gancio traino"), ("NAVI", "Navigatore Uconnect")],
}
A_1005 = {
    "id": "A-1005",
    "dealer": "ROSSI-MI",
    "Vin": VIN_YARIS,
    "Brand": "Toyota",
    "Model": "Yaris",
    "Version": "1.5 Hybrid 5 porte Trend",
    "RegistrationDate": "2023-02-28",
    "Mileage": "19750",
    "Fuel": "Hybrid",
    "Gearbox": "Automatic",
    "Color": "Blu Nebula",
    "ListPrice": "19900.00",
    "MakeCode": "TOYOTA",
    "ModelCode": "YARIS4",
    "VersionCode": "YARIS4-15HY-TREND",
    "images": img_a("A-1005", 3),
    "options": [("RETRO", "Telecamera posteriore"), ("CLIMA-AUTO", "Clima automatico")],
}
# Day 2: A-1001 cheaper and driven a little, A-1004 sold (gone), A-1005 new; A-1002, A-1003 identical.
A_1001_DAY2 = {**A_1001, "ListPrice": "12500.00", "Mileage": "28950"}


# --- B. GestionaleAuto ----------------------------------------------------------------------------------
def ga_car(c: dict) -> str:
    lines = [f"  <car id={quoteattr(c['id'])}>", "    <model>"]
    for tag in (
        "make",
        "model",
        "version",
        "body",
        "fuel",
        "traction",
        "kwatt",
        "cc",
        "cylinders",
        "doors",
        "seats",
        "emission_class",
        "emission_co2",
    ):
        lines.append(el(tag, c[tag], 3))
    if "model_motornet_code" in c:
        lines.append(el("motornet_code", c["model_motornet_code"], 3))
    lines += [
        "      <consumption>",
        el("urban", c["urban"], 4),
        el("outer", c["outer"], 4),
        el("combined", c["combined"], 4),
        "      </consumption>",
        "    </model>",
    ]
    if "motornet_code" in c:
        lines.append(el("motornet_code", c["motornet_code"], 2))
    lines += [
        "    <exterior>",
        el("color", c["color"], 3),
        el("paint", c["paint"], 3),
        "    </exterior>",
        "    <interior>",
        el("color", c["interior"], 3),
        "    </interior>",
    ]
    for tag in ("km", "registration_date", "gearbox", "plate", "vin", "usage", "customers_price"):
        lines.append(el(tag, c[tag], 2))
    lines.append("    <images>")
    for sizes in c["images"]:
        lines.append("      <image>")
        lines += [el(size, sizes.get(size), 4) for size in ("small", "medium", "large", "big", "hd")]
        lines.append("      </image>")
    lines += ["    </images>", "    <options>"]
    lines += [el("standard_option", text, 3, code=code) for code, text in c["standard"]]
    lines += [el("extra", text, 3, code=code) for code, text in c["extra"]]
    return "\n".join(lines + ["    </options>", "  </car>"])


def ga_img(stock: str, n: int, sizes: str) -> dict:
    """Image `n` with only the sizes named in `sizes` (others empty)."""
    return {s: f"https://img.gestionaleauto.example/101/{stock}/{n}_{s}.jpg" for s in sizes.split()}


GA_CARS = [
    {  # same VIN as DMS_A A-1002; different price, km and colour: this later feed (09:00) wins them
        "id": "GA-5521",
        "make": "Alfa Romeo",
        "model": "Giulia",
        "version": "2.2 Turbodiesel 160 CV AT8 Sprint",
        "body": "Berlina",
        "fuel": "Diesel",
        "traction": "Posteriore",
        "kwatt": "118",
        "cc": "2143",
        "cylinders": "4",
        "doors": "4",
        "seats": "5",
        "emission_class": "Euro 6d-TEMP",
        "emission_co2": "127",
        "model_motornet_code": "ALF7148",
        "urban": "5,9",
        "outer": "4,2",
        "combined": "4,8",
        "color": "Rosso Competizione",
        "paint": "Metallizzata",
        "interior": "Nero",
        "km": "45350",
        "registration_date": "06/2021",
        "gearbox": "Automatico",
        "plate": "GF482KM",
        "vin": VIN_GIULIA,
        "usage": "Usato",
        "customers_price": "31900",
        "images": [
            ga_img("GA-5521", 1, "small medium large big"),  # hd empty: big wins
            ga_img("GA-5521", 2, "small medium large big"),
        ],
        "standard": [("ABS", "ABS"), ("ESP", "Controllo elettronico della stabilita")],
        "extra": [("PACK-VELOCE", "Pack Veloce")],
    },
    {  # empty <vin/>; Motornet code at car level (the fallback path)
        "id": "GA-5522",
        "make": "Fiat",
        "model": "500X",
        "version": "1.3 MultiJet 95 CV Cross",
        "body": "SUV",
        "fuel": "Diesel",
        "traction": "Anteriore",
        "kwatt": "70",
        "cc": "1248",
        "cylinders": "4",
        "doors": "5",
        "seats": "5",
        "emission_class": "Euro 6",
        "emission_co2": "119",
        "motornet_code": "FIA6213",
        "urban": "5,3",
        "outer": "4,1",
        "combined": "4,6",
        "color": "Blu Italia",
        "paint": "Pastello",
        "interior": "Grigio",
        "km": "88120",
        "registration_date": "04/2018",
        "gearbox": "Manuale",
        "plate": "FT903ZC",
        "vin": "",
        "usage": "Usato",
        "customers_price": "11800",
        "images": [ga_img("GA-5522", 1, "small medium large big hd")],  # all sizes: hd wins
        "standard": [("ABS", "ABS")],
        "extra": [("GANCIO", "Gancio traino"), ("CERCHI17", "Cerchi in lega 17 pollici")],
    },
    {  # Motornet code in both places: model/ is written first in the track, so PEU2318 wins
        "id": "GA-5523",
        "make": "Peugeot",
        "model": "208",
        "version": "PureTech 100 S&S Allure",
        "body": "Berlina",
        "fuel": "Benzina",
        "traction": "Anteriore",
        "kwatt": "74",
        "cc": "1199",
        "cylinders": "3",
        "doors": "5",
        "seats": "5",
        "emission_class": "Euro 6d",
        "emission_co2": "120",
        "model_motornet_code": "PEU2318",
        "motornet_code": "PEU2300",
        "urban": "6,4",
        "outer": "4,5",
        "combined": "5,2",
        "color": "Giallo Faro",
        "paint": "Metallizzata",
        "interior": "Nero",
        "km": "23400",
        "registration_date": "09/2022",
        "gearbox": "Manuale",
        "plate": "GK117RS",
        "vin": VIN_208,
        "usage": "Usato",
        "customers_price": "17450",
        "images": [
            ga_img("GA-5523", 1, "small medium"),  # only small and medium: medium wins
            ga_img("GA-5523", 2, "small medium large big hd"),
            ga_img("GA-5523", 3, "big"),
        ],
        "standard": [("ABS", "ABS"), ("CLIMA", "Climatizzatore automatico")],
        "extra": [],
    },
]


def ga_doc() -> str:
    body = "\n".join(ga_car(c) for c in GA_CARS)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<export_gestionaleauto>\n{body}\n</export_gestionaleauto>\n'


# --- C. Multigestionale ---------------------------------------------------------------------------------
def mg_element(e: dict) -> str:
    lines = ["  <element>"]
    for tag in (
        "ad_number",
        "title",
        "make",
        "model",
        "version",
        "vehicle_class",
        "vehicle_category",
        "first_registration_date",
        "mileage",
        "power_kw",
        "power_cv",
        "gearbox",
        "fuel_type",
        "color",
        "price",
    ):
        lines.append(cdata(tag, e[tag], 2) if tag in e["cdata"] else el(tag, e[tag], 2))
    lines.append(cdata("description", e["description"], 2))
    lines.append(el("last_update", e["last_update"], 2))
    for tag in ("doors_count", "num_seats", "owners_count", "emissions_class", "combined_consumption"):
        lines.append(el(tag, e[tag], 2))
    lines.append("    <images>")
    lines += [cdata("element", url, 3) for url in e["images"]]
    lines += ["    </images>", "    <accessories>"]
    lines += [cdata("accessory", text, 3) for text in e["accessories"]]
    return "\n".join(lines + ["    </accessories>", "  </element>"])


def mg_img(stock: str, count: int) -> list[str]:
    return [f"https://cdn.multigestionale.example/102/{stock}/foto_{n}.jpg" for n in range(1, count + 1)]


MG_ELEMENTS = [
    {
        "ad_number": "88301",
        "title": "Jeep Renegade 1.6 Mjt 130 CV Limited",
        "make": "Jeep",
        "model": "Renegade",
        "version": "1.6 Mjt 130 CV Limited",
        "vehicle_class": "Usato",
        "vehicle_category": "SUV/Fuoristrada",
        "first_registration_date": "03/2021",
        "mileage": "38.500",
        "power_kw": "96",
        "power_cv": "131",
        "gearbox": "Manuale",
        "fuel_type": "Diesel",
        "color": "Nero",
        "price": "21.900",
        "cdata": {"title", "make", "model", "version", "color", "vehicle_category"},
        "description": "<p>Unico proprietario, <b>tagliandi certificati</b>.</p><ul><li>Garanzia 12 mesi</li></ul>",
        "last_update": "19-11-2026 18:42",
        "doors_count": "5",
        "num_seats": "5",
        "owners_count": "1",
        "emissions_class": "Euro 6d",
        "combined_consumption": "5,3",
        "images": mg_img("88301", 3),
        "accessories": ["Navigatore satellitare", "Fari full LED"],
    },
    {
        "ad_number": "88302",
        "title": "Toyota C-HR 1.8 Hybrid E-CVT Trend",
        "make": "Toyota",
        "model": "C-HR",
        "version": "1.8 Hybrid E-CVT Trend",
        "vehicle_class": "Usato",
        "vehicle_category": "SUV/Fuoristrada",
        "first_registration_date": "11/2022",
        "mileage": "12.300",
        "power_kw": "90",
        "power_cv": "122",
        "gearbox": "Automatico",
        "fuel_type": "Ibrida",
        "color": "Bianco Perla",
        "price": "24.750,00",
        "cdata": {"title", "version", "color", "gearbox", "fuel_type", "price"},
        "description": "<p>Come nuova.<br/>Pronta consegna.</p>",
        "last_update": "20-11-2026 07:15",
        "doors_count": "5",
        "num_seats": "5",
        "owners_count": "1",
        "emissions_class": "Euro 6d",
        "combined_consumption": "4,9",
        "images": mg_img("88302", 2),
        "accessories": ["Telecamera posteriore"],
    },
    {
        "ad_number": "88303",
        "title": "Fiat 500 1.0 Hybrid Dolcevita",
        "make": "Fiat",
        "model": "500",
        "version": "1.0 Hybrid Dolcevita",
        "vehicle_class": "Km0",
        "vehicle_category": "City car",
        "first_registration_date": "10/2026",
        "mileage": "10",
        "power_kw": "51",
        "power_cv": "70",
        "gearbox": "Manuale",
        "fuel_type": "Ibrida",
        "color": "Verde Rugiada",
        "price": "15.490",
        "cdata": {"title", "make", "model", "version", "color"},
        "description": "<p>Km 0, <i>immatricolata ottobre 2026</i>.</p>",
        "last_update": "20-11-2026 07:50",
        "doors_count": "3",
        "num_seats": "4",
        "owners_count": "0",
        "emissions_class": "Euro 6d",
        "combined_consumption": "5,3",
        "images": mg_img("88303", 2),
        "accessories": [],
    },
]


def mg_doc() -> str:
    body = "\n".join(mg_element(e) for e in MG_ELEMENTS)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<root>\n{body}\n</root>\n'


# --- D. mobile.de ---------------------------------------------------------------------------------------
def md_enum(tag: str, key: str, text: str, indent: int, extra: str = "") -> str:
    pad = "  " * indent
    return (
        f"{pad}<ad:{tag} key={quoteattr(key)}>"
        f"<resource:local-description>{escape(text)}</resource:local-description>{extra}</ad:{tag}>"
    )


def md_ad(a: dict) -> str:
    lines = [
        f'    <ad:ad key="{a["key"]}" url="https://services.mobile.de/search-api/ad/{a["key"]}">',
        f'      <ad:creation-date value="{a["created"]}"/>',
        f'      <ad:modification-date value="{a["modified"]}"/>',
    ]
    if a.get("inventory_key"):
        lines.append(f'      <ad:seller-inventory-key value="{a["inventory_key"]}"/>')
    colour_name = f"<ad:manufacturer-color-name value={quoteattr(a['colour_name'])}/>" if a.get("colour_name") else ""
    lines += [
        "      <ad:vehicle>",
        md_enum("class", "Car", "Autovettura", 4),
        md_enum("category", a["category"], a["category_text"], 4),
        md_enum("make", a["make_key"], a["make"], 4),
        md_enum("model", a["model_key"], a["model"], 4),
        f"        <ad:model-description value={quoteattr(a['version'])}/>",
        "        <ad:specifics>",
        md_enum("exterior-color", a["colour_key"], a["colour_text"], 5, colour_name),
        f'          <ad:mileage value="{a["mileage"]}"/>',
        md_enum("gearbox", a["gearbox"], a["gearbox_text"], 5),
        md_enum("fuel", a["fuel"], a["fuel_text"], 5),
        f'          <ad:power value="{a["power"]}"/>',
        f'          <ad:first-registration value="{a["first_registration"]}"/>',
    ]
    if a.get("vin"):
        lines.append(f'          <ad:identification-number value="{a["vin"]}"/>')
    lines += ["        </ad:specifics>", "        <ad:features>"]
    lines += [md_enum("feature", key, text, 5) for key, text in a["features"]]
    lines += [
        "        </ad:features>",
        "      </ad:vehicle>",
        '      <ad:price type="FIXED" currency="EUR">',
        f'        <ad:consumer-price-amount value="{a["price"]}"/>',
        "      </ad:price>",
        "      <ad:images>",
    ]
    for n, sizes in enumerate(a["images"], start=1):
        lines.append("        <ad:image>")
        lines += [
            f'          <ad:representation size="{size}" '
            f'url="https://img.mobile.example/api/v1/{a["key"]}/{n}_{size}.jpg"/>'
            for size in sizes.split()
        ]
        lines.append("        </ad:image>")
    lines += [
        "      </ad:images>",
        f'      <seller:seller key="{a["seller"]}" url="https://services.mobile.de/search-api/seller/{a["seller"]}"/>',
        "    </ad:ad>",
    ]
    return "\n".join(lines)


MD_ADS = [
    {  # same VIN as DMS_A A-1003 of corporate 101: one car listed by two corporates; 07:00 is later than 06:00
        "key": "401234567",
        "inventory_key": "MB-7781",
        "seller": "20381745",
        "created": "2026-11-12T09:15:00.000+01:00",
        "modified": "2026-11-19T17:40:00.000+01:00",
        "category": "Limousine",
        "category_text": "Berlina",
        "make_key": "VW",
        "make": "Volkswagen",
        "model_key": "GOLF",
        "model": "Golf",
        "version": "1.5 TSI 130 CV Life",
        "colour_key": "GREY",
        "colour_text": "Grigio",
        "colour_name": "Grigio Urano metallizzato",
        "mileage": "61420",
        "gearbox": "MANUAL_GEAR",
        "gearbox_text": "Cambio manuale",
        "fuel": "PETROL",
        "fuel_text": "Benzina",
        "power": "96",
        "first_registration": "2020-09",
        "vin": VIN_GOLF,
        "features": [("NAVIGATION_SYSTEM", "Sistema di navigazione"), ("PARKING_SENSORS", "Sensori di parcheggio")],
        "price": "18490.00",
        # image 1: the sizes come in scrambled order and XL is the largest present (no XXL/XXXL) -> XL wins
        "images": ["L S XL M", "M L"],
    },
    {  # no seller-inventory-key: the stock id falls back to the ad key; no VIN; no manufacturer colour name
        "key": "401998877",
        "inventory_key": None,
        "seller": "20381745",
        "created": "2026-11-18T10:02:00.000+01:00",
        "modified": "2026-11-20T06:55:00.000+01:00",
        "category": "SmallCar",
        "category_text": "Citycar",
        "make_key": "RENAULT",
        "make": "Renault",
        "model_key": "CLIO",
        "model": "Clio",
        "version": "TCe 90 CV Equilibre",
        "colour_key": "WHITE",
        "colour_text": "Bianco",
        "colour_name": None,
        "mileage": "31200",
        "gearbox": "MANUAL_GEAR",
        "gearbox_text": "Cambio manuale",
        "fuel": "LPG",
        "fuel_text": "GPL",
        "power": "67",
        "first_registration": "2021-05",
        "vin": None,
        "features": [("BLUETOOTH", "Bluetooth")],
        "price": "13900.00",
        "images": ["S M L XL XXL"],  # XXL wins
    },
]


def md_doc() -> str:
    body = "\n".join(md_ad(a) for a in MD_ADS)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<search:search-result xmlns:search="http://services.mobile.de/schema/search"'
        ' xmlns:ad="http://services.mobile.de/schema/ad"'
        ' xmlns:resource="http://services.mobile.de/schema/resource"'
        ' xmlns:seller="http://services.mobile.de/schema/seller">\n'
        f"  <search:total>{len(MD_ADS)}</search:total>\n"
        f"  <search:ads>\n{body}\n  </search:ads>\n</search:search-result>\n"
    )


def main() -> None:
    written = [
        write(
            "corporate=101/source=DMS_A",
            "data",
            "xml.zip",
            "2026-11-20T06:00",
            dms_a_doc([A_1001, A_1002, A_1003, A_1004]),
        ),
        write(
            "corporate=101/source=DMS_A",
            "data",
            "xml.zip",
            "2026-11-21T06:00",
            dms_a_doc([A_1001_DAY2, A_1002, A_1003, A_1005]),
        ),
        write("corporate=101/source=GESTIONALEAUTO", "export", "xml.zip", "2026-11-20T09:00", ga_doc()),
        write("corporate=102/source=MULTIGESTIONALE", "feed", "xml.gz", "2026-11-20T08:00", mg_doc()),
        write("corporate=102/source=mobilede", "ads", "xml", "2026-11-20T07:00", md_doc()),
    ]
    for path in written:
        print(path.relative_to(OUT.parent))


if __name__ == "__main__":
    main()
