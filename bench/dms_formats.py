"""One vehicle listing as a record of each of the four DMS formats: the listing in each format's terms,
written by the format's one writer (dms_feeds, shared with the sample data and the tests).

Records are one line each, written without escaping (`escape=False`): every value comes from the
XML-safe catalogue (bench/car_catalogue.py) or from numbers, so a million of them take seconds.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar

from bench.car_catalogue import COLOURS, CURRENT_YEAR, OPTIONALS, Car
from dms_feeds import dms_a, gestionaleauto, mobilede, multigestionale
from dms_feeds.format import DmsFormat
from dms_feeds.multigestionale import italian_number
from dms_feeds.xml_text import Markup, cdata

T = TypeVar("T")


class Listing(NamedTuple):
    """A car as one DMS feed lists it: the car's traits plus the dealer's own values."""

    car: Car
    corporate: str
    stock: int  # 1-based listing number within its feed; the stock id is built from it
    dealer: int  # 1..3: the corporate's dealer (site) holding the car
    price: int
    promo: int  # promotional price, 0 when none
    mileage: int
    images: int  # 3..8
    opt_start: int
    opt_count: int  # 2..10
    variant: int  # spare random bits: image sizes, CDATA wrapping, where optional fields sit
    show_vin: bool
    updated: str  # DD-MM-YYYY HH:MM of the listing's last change


# The optionals as each format lists them: (code, text), per GestionaleAuto kind, (mobile.de key, text), text.
_CODE_TEXT = tuple((code, text) for code, text, _ in OPTIONALS)
_GA_OPTIONS = tuple(tuple((code, text, standard) for code, text, _ in OPTIONALS) for standard in (True, False))
_FEATURES = tuple((key, text) for _, text, key in OPTIONALS)
_TEXTS = tuple(text for _, text, _ in OPTIONALS)


def option_indices(listing: Listing) -> list[int]:
    """Distinct optionals: a stride coprime with the catalogue size never repeats within 10 picks."""
    return [(listing.opt_start + 7 * j) % len(OPTIONALS) for j in range(listing.opt_count)]


def optionals(table: tuple[T, ...], listing: Listing) -> list[T]:
    """The listing's optionals (option_indices) as `table`, one entry per optional, gives them."""
    start, size = listing.opt_start, len(table)
    return [table[(start + 7 * j) % size] for j in range(listing.opt_count)]


def emission_class(year: int) -> str:
    return "Euro 6d" if year >= 2021 else "Euro 6d-TEMP" if year >= 2019 else "Euro 6"


def consumption(car: Car) -> tuple[int, int]:
    """Combined litres per 100 km, invented from the car number: (units, tenths), 4,8 is (4, 8)."""
    return divmod(38 + car.number % 30, 10)


# --- A. DMS_A: the seed's own format -------------------------------------------------------------------
def dms_a_stock_id(listing: Listing) -> str:
    return f"A{listing.corporate}-{listing.stock:07d}"


def dms_a_values(listing: Listing) -> dms_a.Ad:
    car, model, version = listing.car, listing.car.model, listing.car.version
    stock = dms_a_stock_id(listing)
    base = f"https://media.dealer{listing.corporate}.example/dms-a/{stock}"
    return {
        "Id": stock,
        "DealerCode": f"D{listing.corporate}-{listing.dealer}",
        "Vin": car.vin,
        "Brand": model.make,
        "Model": model.model,
        "Version": version.name,
        "RegistrationDate": f"{car.year}-{car.month:02d}-{car.day:02d}",
        "Mileage": listing.mileage,
        "Fuel": dms_a.FUEL[version.fuel],
        "Gearbox": dms_a.GEARBOX[version.gearbox],
        "Color": COLOURS[car.colour][0],
        "ListPrice": f"{listing.price}.00",
        "PromotionalPrice": f"{listing.promo}.00" if listing.promo else None,
        "MakeCode": model.make_key,
        "ModelCode": model.model_key,
        "VersionCode": f"{model.model_key}-{model.versions.index(version) + 1}",
        "images": [f"{base}/{n}.jpg" for n in range(1, listing.images + 1)],
        "options": optionals(_CODE_TEXT, listing),
    }


# --- B. GestionaleAuto ---------------------------------------------------------------------------------
_GA_SIZES = gestionaleauto.IMAGE_SIZES
# Which of the five sizes an image has (any may be empty; the largest present wins downstream).
GA_SIZE_PATTERNS = (_GA_SIZES, _GA_SIZES[:4], _GA_SIZES[:2], _GA_SIZES[1:])
_PLATE_LETTERS = "ABCDEFGHJKLMNPRSTVWXYZ"


def plate(number: int) -> str:
    """An Italian-style plate (AA123BB) derived from the car number."""
    letters = [_PLATE_LETTERS[(number // 22**k) % 22] for k in range(4)]
    return f"{letters[0]}{letters[1]}{number % 1000:03d}{letters[2]}{letters[3]}"


def _ga_image(prefix: str, sizes: tuple[str, ...]) -> dict[str, str]:
    """The image's URL per size: <prefix><size>.jpg (the prefix ends with the image number)."""
    return {size: f"{prefix}{size}.jpg" for size in sizes}


def ga_stock_id(listing: Listing) -> str:
    return f"GA{listing.corporate}-{listing.stock:07d}"


def ga_values(listing: Listing) -> gestionaleauto.Car:
    car, model, version, variant = listing.car, listing.car.model, listing.car.version, listing.variant
    stock = ga_stock_id(listing)
    base = f"https://img.gestionaleauto.example/{listing.corporate}/{stock}"
    colour, _, paint = COLOURS[car.colour]
    litres, tenths = consumption(car)
    values: gestionaleauto.Car = {
        "id": stock,
        "make": model.make,
        "model": model.model,
        "version": version.name,
        "body": model.body,
        "fuel": gestionaleauto.FUEL[version.fuel],
        "traction": "Anteriore",
        "kwatt": version.kw,
        "cc": version.cc,
        "cylinders": 4,
        "doors": model.doors,
        "seats": model.seats,
        "emission_class": emission_class(car.year),
        "emission_co2": 95 + 10 * litres + tenths,
        "urban": f"{litres + 1},{tenths}",
        "outer": f"{litres - 1},{tenths}",
        "combined": f"{litres},{tenths}",
        "color": colour,
        "paint": paint,
        "interior_color": "Nero",
        "km": listing.mileage,
        "registration_date": f"{car.month:02d}/{car.year}",
        "gearbox": gestionaleauto.GEARBOX[version.gearbox],
        "plate": plate(car.number),
        "vin": car.vin if listing.show_vin else None,
        "usage": "Km0" if car.mileage < 100 else "Usato",
        "customers_price": listing.price,
        "images": [
            _ga_image(f"{base}/{n}_", GA_SIZE_PATTERNS[(variant >> (2 * n)) & 3]) for n in range(1, listing.images + 1)
        ],
        "options": [_GA_OPTIONS[j % 2][i] for j, i in enumerate(option_indices(listing))],  # standard, extra, ...
    }
    # the Motornet code sits under <model> or at car level
    values["model_motornet_code" if variant & 1 else "motornet_code"] = f"{model.motornet}{car.number % 10000:04d}"
    return values


# --- C. Multigestionale --------------------------------------------------------------------------------
@functools.cache
def _cdata(text: str) -> Markup:
    """A catalogue text as CDATA: the catalogue has a few hundred texts, each is wrapped once."""
    return cdata(text)


def mg_stock_id(listing: Listing) -> str:
    return f"{listing.corporate}{listing.stock:07d}"


def mg_values(listing: Listing) -> multigestionale.Element:
    car, model, version, variant = listing.car, listing.car.model, listing.car.version, listing.variant
    stock = mg_stock_id(listing)
    base = f"https://cdn.multigestionale.example/{listing.corporate}/{stock}"
    price = f"{italian_number(listing.price)},00" if variant & 2 else italian_number(listing.price)
    wrapped = bool(variant & 4)  # make, model and colour in CDATA, or the price
    title = f"{model.make} {model.model} {version.name}"
    age = CURRENT_YEAR - car.year
    colour = COLOURS[car.colour][0]
    mileage = italian_number(listing.mileage)
    return {
        "ad_number": stock,
        "title": _cdata(title),
        "make": _cdata(model.make) if wrapped else model.make,
        "model": _cdata(model.model) if wrapped else model.model,
        "version": _cdata(version.name),
        "vehicle_class": "Km0" if car.mileage < 100 else "Usato",
        "vehicle_category": _cdata(model.category_text),
        "first_registration_date": f"{car.month:02d}/{car.year}",
        "mileage": mileage,
        "power_kw": version.kw,
        "power_cv": round(version.kw * 1.36),
        "gearbox": multigestionale.GEARBOX[version.gearbox],
        "fuel_type": multigestionale.FUEL[version.fuel],
        "color": _cdata(colour) if wrapped else colour,
        "price": price if wrapped else cdata(price),
        "description": (
            f"<p>{title}, {mileage} km, <b>tagliandi certificati</b>.</p>"
            f"<ul><li>Garanzia {12 if age < 5 else 6} mesi</li><li>Finanziamenti personalizzati</li></ul>"
        ),
        "last_update": listing.updated,
        "doors_count": model.doors,
        "num_seats": model.seats,
        "owners_count": min(age, 3),
        "emissions_class": emission_class(car.year),
        "combined_consumption": "{},{}".format(*consumption(car)),
        "images": [f"{base}/foto_{n}.jpg" for n in range(1, listing.images + 1)],
        "accessories": optionals(_TEXTS, listing),
    }


# --- D. mobile.de --------------------------------------------------------------------------------------
# Representation sizes per image, in the order a feed lists them (the largest present wins downstream).
MD_SIZE_PATTERNS = (("S", "M", "L", "XL", "XXL"), ("S", "M", "L"), ("L", "S", "XL", "M"), ("M", "L", "XL", "XXXL"))


def _md_image(prefix: str, sizes: tuple[str, ...]) -> list[tuple[str, str]]:
    """The image's representations, (size, <prefix><size>.jpg) in the order given."""
    return [(size, f"{prefix}{size}.jpg") for size in sizes]


def md_key(listing: Listing) -> str:
    return f"{listing.corporate}{listing.stock:07d}"


def md_inventory_key(listing: Listing) -> str | None:
    """The dealer's stock id; one listing in eight has none (the ad key is the fallback)."""
    return None if listing.variant % 8 == 0 else f"MB{listing.corporate}-{listing.stock:07d}"


def md_stock_id(listing: Listing) -> str:
    """What the track maps to external_source_id: the inventory key, else the ad key."""
    return md_inventory_key(listing) or md_key(listing)


def md_values(listing: Listing) -> mobilede.Ad:
    car, model, version, variant = listing.car, listing.car.model, listing.car.version, listing.variant
    key = md_key(listing)
    base = f"https://img.mobile.example/api/v1/{key}"
    colour, colour_key, _ = COLOURS[car.colour]
    fuel_key, fuel_text = mobilede.FUEL[version.fuel]
    gear_key, gear_text = mobilede.GEARBOX[version.gearbox]
    updated = listing.updated
    return {
        "key": key,
        "inventory_key": md_inventory_key(listing),
        "seller": f"{listing.corporate}0{listing.dealer}",
        "created": f"{car.year}-{car.month:02d}-{car.day:02d}T09:00:00.000+01:00",
        "modified": f"{updated[6:10]}-{updated[3:5]}-{updated[:2]}T{updated[11:]}:00.000+01:00",
        "category": model.category,
        "category_text": model.category_text,
        "make_key": model.make_key,
        "make": model.make,
        "model_key": model.model_key,
        "model": model.model,
        "version": version.name,
        "colour_key": colour_key,
        "colour_text": colour,
        "colour_name": colour if variant & 16 else None,
        "mileage": listing.mileage,
        "gearbox": gear_key,
        "gearbox_text": gear_text,
        "fuel": fuel_key,
        "fuel_text": fuel_text,
        "power": version.kw,
        "first_registration": f"{car.year}-{car.month:02d}",
        "vin": car.vin if listing.show_vin else None,
        "features": optionals(_FEATURES, listing),
        "price": f"{listing.price}.00",
        "images": [
            _md_image(f"{base}/{n}_", MD_SIZE_PATTERNS[(variant >> (2 * n)) & 3]) for n in range(1, listing.images + 1)
        ],
    }


class BenchFormat(NamedTuple):
    """A DMS format as the benchmark uses it: the shared writer, and how the benchmark's listings fill it."""

    dms: str  # as in the landing folder source={DMS}
    carries_vin: bool  # can a listing of this format carry a VIN at all
    vin_shown: float  # share of a feed's unshared listings that carry their VIN
    opening: Callable[[int], str]  # the document up to the first record, given the record count
    closing: str
    record: Callable[[Listing], str]  # the listing's record, on one line
    stock_id: Callable[[Listing], str]  # what the track maps to external_source_id


def _bench_format(
    writer: DmsFormat,
    carries_vin: bool,
    vin_shown: float,
    values: Callable[[Listing], Mapping[str, Any]],
    stock_id: Callable[[Listing], str],
) -> BenchFormat:
    write = writer.record

    def record(listing: Listing) -> str:
        return write(values(listing), False)  # unescaped: the catalogue's text is XML-safe

    return BenchFormat(writer.dms, carries_vin, vin_shown, writer.opening, writer.closing, record, stock_id)


FORMATS: dict[str, BenchFormat] = {
    "DMS_A": _bench_format(dms_a.FORMAT, True, 1.0, dms_a_values, dms_a_stock_id),
    "GESTIONALEAUTO": _bench_format(gestionaleauto.FORMAT, True, 0.85, ga_values, ga_stock_id),
    "MULTIGESTIONALE": _bench_format(multigestionale.FORMAT, False, 0.0, mg_values, mg_stock_id),
    "MOBILEDE": _bench_format(mobilede.FORMAT, True, 0.3, md_values, md_stock_id),
}
