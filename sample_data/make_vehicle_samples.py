"""Write the vehicle-inventory sample feeds under sample_data/vehicles/ (standard library only, deterministic).

    python3 sample_data/make_vehicle_samples.py

Layout: vehicles/corporate={id}/source={DMS}/<name>__YYYYMMDDTHHMMZ.<ext>; the stamp before the extension
is the feed time (git keeps no modification times; `python -m extract sample-data` sets the landed file's
mtime from it, and this script sets it too). Every value here is invented; the XML is written by the one
writer of each format (dms_feeds/, shared with the tests and the benchmark), indented for people to read.
sample_data/vehicles/README.md lists what the catalogue should show.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the writers are the project's dms_feeds package (standard library)
    sys.path.insert(0, str(ROOT))

from dms_feeds import dms_a, gestionaleauto, mobilede, multigestionale  # noqa: E402
from dms_feeds.export import write_export  # noqa: E402
from dms_feeds.format import DmsFormat  # noqa: E402
from dms_feeds.vin import from_body as vin  # noqa: E402
from dms_feeds.xml_text import cdata  # noqa: E402

OUT = ROOT / "sample_data" / "vehicles"

# --- VINs --------------------------------------------------------------------------------------------
VIN_PANDA = vin("ZFA31200NJ482913")  # DMS_A A-1001
VIN_GIULIA = vin("ZARFAEDNM7345127")  # DMS_A A-1002 = GESTIONALEAUTO GA-5521 (corporate 101)
VIN_GOLF = vin("WVWZZZCDLW204518")  # DMS_A A-1003 (corporate 101) = mobile.de MB-7781 (corporate 102)
VIN_RENEGADE_BAD = "ZACNJDB17KPK2105"  # DMS_A A-1004: 16 characters, one digit lost -> null in the catalogue
VIN_YARIS = vin("VNKKBAC3PA198765")  # DMS_A A-1005, new on day 2
VIN_208 = vin("VR3UPHNSNW637281")  # GESTIONALEAUTO GA-5523
assert len(VIN_RENEGADE_BAD) == 16


def write(out: Path, folder: str, stem: str, ext: str, feed_time: str, fmt: DmsFormat, records: list[dict]) -> Path:
    """Write the records' document, indented, as <stem>__<stamp>.<ext>: xml, xml.zip (member <stem>.xml) or xml.gz."""
    feed_at = datetime.strptime(feed_time, "%Y-%m-%dT%H:%M").replace(tzinfo=UTC)
    path = out / folder / f"{stem}{feed_at.strftime('__%Y%m%dT%H%MZ')}.{ext}"
    return write_export(path, fmt.document(records, indent=True), member=f"{stem}.xml", feed_at=feed_at)


# --- A. DMS_A (the seed's own format) -------------------------------------------------------------------
def img_a(stock: str, count: int) -> list[str]:
    return [f"https://media.gruppo-rossi.example/dms-a/{stock}/{n}.jpg" for n in range(1, count + 1)]


A_1001 = {
    "Id": "A-1001",
    "DealerCode": "ROSSI-MI",
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
    "Id": "A-1002",
    "DealerCode": "ROSSI-MI",
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
    "Id": "A-1003",
    "DealerCode": "ROSSI-BG",
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
    "Id": "A-1004",
    "DealerCode": "ROSSI-BG",
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
    "Id": "A-1005",
    "DealerCode": "ROSSI-MI",
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
A_DAY_1 = [A_1001, A_1002, A_1003, A_1004]
A_DAY_2 = [A_1001_DAY2, A_1002, A_1003, A_1005]


# --- B. GestionaleAuto ----------------------------------------------------------------------------------
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
        "interior_color": "Nero",
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
        "options": [
            ("ABS", "ABS", True),
            ("ESP", "Controllo elettronico della stabilita", True),
            ("PACK-VELOCE", "Pack Veloce", False),
        ],
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
        "interior_color": "Grigio",
        "km": "88120",
        "registration_date": "04/2018",
        "gearbox": "Manuale",
        "plate": "FT903ZC",
        "vin": "",
        "usage": "Usato",
        "customers_price": "11800",
        "images": [ga_img("GA-5522", 1, "small medium large big hd")],  # all sizes: hd wins
        "options": [
            ("ABS", "ABS", True),
            ("GANCIO", "Gancio traino", False),
            ("CERCHI17", "Cerchi in lega 17 pollici", False),
        ],
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
        "interior_color": "Nero",
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
        "options": [("ABS", "ABS", True), ("CLIMA", "Climatizzatore automatico", True)],
    },
]


# --- C. Multigestionale ---------------------------------------------------------------------------------
def mg_img(stock: str, count: int) -> list[str]:
    return [f"https://cdn.multigestionale.example/102/{stock}/foto_{n}.jpg" for n in range(1, count + 1)]


MG_ELEMENTS = [
    {
        "ad_number": "88301",
        "title": cdata("Jeep Renegade 1.6 Mjt 130 CV Limited"),
        "make": cdata("Jeep"),
        "model": cdata("Renegade"),
        "version": cdata("1.6 Mjt 130 CV Limited"),
        "vehicle_class": "Usato",
        "vehicle_category": cdata("SUV/Fuoristrada"),
        "first_registration_date": "03/2021",
        "mileage": "38.500",
        "power_kw": "96",
        "power_cv": "131",
        "gearbox": "Manuale",
        "fuel_type": "Diesel",
        "color": cdata("Nero"),
        "price": "21.900",
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
        "title": cdata("Toyota C-HR 1.8 Hybrid E-CVT Trend"),
        "make": "Toyota",
        "model": "C-HR",
        "version": cdata("1.8 Hybrid E-CVT Trend"),
        "vehicle_class": "Usato",
        "vehicle_category": "SUV/Fuoristrada",
        "first_registration_date": "11/2022",
        "mileage": "12.300",
        "power_kw": "90",
        "power_cv": "122",
        "gearbox": cdata("Automatico"),
        "fuel_type": cdata("Ibrida"),
        "color": cdata("Bianco Perla"),
        "price": cdata("24.750,00"),
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
        "title": cdata("Fiat 500 1.0 Hybrid Dolcevita"),
        "make": cdata("Fiat"),
        "model": cdata("500"),
        "version": cdata("1.0 Hybrid Dolcevita"),
        "vehicle_class": "Km0",
        "vehicle_category": "City car",
        "first_registration_date": "10/2026",
        "mileage": "10",
        "power_kw": "51",
        "power_cv": "70",
        "gearbox": "Manuale",
        "fuel_type": "Ibrida",
        "color": cdata("Verde Rugiada"),
        "price": "15.490",
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


# --- D. mobile.de ---------------------------------------------------------------------------------------
def md_images(key: str, *sizes: str) -> list[list[tuple[str, str]]]:
    """Each image's representations, sizes in the order given ("L S XL M")."""
    return [
        [(size, f"https://img.mobile.example/api/v1/{key}/{n}_{size}.jpg") for size in image.split()]
        for n, image in enumerate(sizes, start=1)
    ]


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
        "images": md_images("401234567", "L S XL M", "M L"),
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
        "images": md_images("401998877", "S M L XL XXL"),  # XXL wins
    },
]


def write_samples(out: Path = OUT) -> list[Path]:
    """Every sample feed, under `out` (the committed ones: sample_data/vehicles)."""
    a, ga, mg, md = dms_a.FORMAT, gestionaleauto.FORMAT, multigestionale.FORMAT, mobilede.FORMAT
    return [
        write(out, "corporate=101/source=DMS_A", "data", "xml.zip", "2026-11-20T06:00", a, A_DAY_1),
        write(out, "corporate=101/source=DMS_A", "data", "xml.zip", "2026-11-21T06:00", a, A_DAY_2),
        write(out, "corporate=101/source=GESTIONALEAUTO", "export", "xml.zip", "2026-11-20T09:00", ga, GA_CARS),
        write(out, "corporate=102/source=MULTIGESTIONALE", "feed", "xml.gz", "2026-11-20T08:00", mg, MG_ELEMENTS),
        write(out, "corporate=102/source=mobilede", "ads", "xml", "2026-11-20T07:00", md, MD_ADS),
    ]


def main() -> None:
    for path in write_samples():
        print(path.relative_to(OUT.parent))


if __name__ == "__main__":
    main()
