"""One vehicle listing as a record of each of the four DMS formats (tracks/*.sql, sources.md §1).

Records are built as f-strings, one line each: no DOM, so a million of them take seconds. Every value
comes from the XML-safe catalogue (bench/car_catalogue.py) or from numbers, so nothing needs escaping.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from bench.car_catalogue import COLOURS, CURRENT_YEAR, OPTIONALS, Car


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


def option_indices(listing: Listing) -> list[int]:
    """Distinct optionals: a stride coprime with the catalogue size never repeats within 10 picks."""
    return [(listing.opt_start + 7 * j) % len(OPTIONALS) for j in range(listing.opt_count)]


def italian_number(value: int) -> str:
    """38500 -> '38.500'."""
    return f"{value:,}".replace(",", ".")


def emission_class(year: int) -> str:
    return "Euro 6d" if year >= 2021 else "Euro 6d-TEMP" if year >= 2019 else "Euro 6"


# --- A. DMS_A: the seed's own format -------------------------------------------------------------------
DMS_A_FUEL = {"PETROL": "Petrol", "DIESEL": "Diesel", "LPG": "LPG", "CNG": "CNG", "ELECTRIC": "Electric",
              "HYBRID": "Hybrid"}  # fmt: skip
DMS_A_GEARBOX = {"MANUAL": "Manual", "AUTOMATIC": "Automatic", "SEMI_AUTOMATIC": "Semi-automatic"}


def dms_a_stock_id(listing: Listing) -> str:
    return f"A{listing.corporate}-{listing.stock:07d}"


def dms_a_record(listing: Listing) -> str:
    car, model, version = listing.car, listing.car.model, listing.car.version
    stock = dms_a_stock_id(listing)
    base = f"https://media.dealer{listing.corporate}.example/dms-a/{stock}"
    images = "".join(f"<Image>{base}/{n}.jpg</Image>" for n in range(1, listing.images + 1))
    options = "".join(f'<Option code="{OPTIONALS[i][0]}">{OPTIONALS[i][1]}</Option>' for i in option_indices(listing))
    promo = f"<PromotionalPrice>{listing.promo}.00</PromotionalPrice>" if listing.promo else "<PromotionalPrice/>"
    return (
        f"<Ad><Id>{stock}</Id><DealerCode>D{listing.corporate}-{listing.dealer}</DealerCode>"
        f"<Public><Vin>{car.vin}</Vin><Brand>{model.make}</Brand><Model>{model.model}</Model>"
        f"<Version>{version.name}</Version><RegistrationDate>{car.year}-{car.month:02d}-{car.day:02d}"
        f"</RegistrationDate><Mileage>{listing.mileage}</Mileage><Fuel>{DMS_A_FUEL[version.fuel]}</Fuel>"
        f"<Gearbox>{DMS_A_GEARBOX[version.gearbox]}</Gearbox><Color>{COLOURS[car.colour][0]}</Color></Public>"
        f"<Business><ListPrice>{listing.price}.00</ListPrice>{promo}</Business>"
        f"<Codes><MakeCode>{model.make_key}</MakeCode><ModelCode>{model.model_key}</ModelCode>"
        f"<VersionCode>{model.model_key}-{model.versions.index(version) + 1}</VersionCode></Codes>"
        f"<Images>{images}</Images><Options>{options}</Options></Ad>"
    )


# --- B. GestionaleAuto ---------------------------------------------------------------------------------
GA_FUEL = {"PETROL": "Benzina", "DIESEL": "Diesel", "LPG": "GPL", "CNG": "Metano", "ELECTRIC": "Elettrico",
           "HYBRID": "Ibrido"}  # fmt: skip
GA_GEARBOX = {"MANUAL": "Manuale", "AUTOMATIC": "Automatico", "SEMI_AUTOMATIC": "Sequenziale"}
GA_SIZES = ("small", "medium", "large", "big", "hd")
# Which of the five sizes an image has (any may be empty; the largest present wins downstream).
GA_SIZE_PATTERNS = (frozenset(GA_SIZES), frozenset(GA_SIZES[:4]), frozenset(GA_SIZES[:2]), frozenset(GA_SIZES[1:]))
_PLATE_LETTERS = "ABCDEFGHJKLMNPRSTVWXYZ"


def plate(number: int) -> str:
    """An Italian-style plate (AA123BB) derived from the car number."""
    letters = [_PLATE_LETTERS[(number // 22**k) % 22] for k in range(4)]
    return f"{letters[0]}{letters[1]}{number % 1000:03d}{letters[2]}{letters[3]}"


def ga_stock_id(listing: Listing) -> str:
    return f"GA{listing.corporate}-{listing.stock:07d}"


def _ga_image(base: str, n: int, sizes: frozenset[str]) -> str:
    cells = "".join(f"<{s}>{base}/{n}_{s}.jpg</{s}>" if s in sizes else f"<{s}/>" for s in GA_SIZES)
    return f"<image>{cells}</image>"


def ga_record(listing: Listing) -> str:
    car, model, version, variant = listing.car, listing.car.model, listing.car.version, listing.variant
    stock = ga_stock_id(listing)
    base = f"https://img.gestionaleauto.example/{listing.corporate}/{stock}"
    images = "".join(
        _ga_image(base, n, GA_SIZE_PATTERNS[(variant >> (2 * n)) & 3]) for n in range(1, listing.images + 1)
    )
    options = "".join(
        f'<standard_option code="{OPTIONALS[i][0]}">{OPTIONALS[i][1]}</standard_option>'
        if j % 2 == 0
        else f'<extra code="{OPTIONALS[i][0]}">{OPTIONALS[i][1]}</extra>'
        for j, i in enumerate(option_indices(listing))
    )
    motornet = f"<motornet_code>{model.motornet}{car.number % 10000:04d}</motornet_code>"
    under_model, at_car = (motornet, "") if variant & 1 else ("", motornet)
    colour, _, paint = COLOURS[car.colour]
    consumption = 38 + (car.number % 30)
    return (
        f'<car id="{stock}"><model><make>{model.make}</make><model>{model.model}</model>'
        f"<version>{version.name}</version><body>{model.body}</body><fuel>{GA_FUEL[version.fuel]}</fuel>"
        f"<traction>Anteriore</traction><kwatt>{version.kw}</kwatt><cc>{version.cc}</cc><cylinders>4</cylinders>"
        f"<doors>{model.doors}</doors><seats>{model.seats}</seats>"
        f"<emission_class>{emission_class(car.year)}</emission_class><emission_co2>{95 + consumption}</emission_co2>"
        f"{under_model}<consumption><urban>{consumption // 10 + 1},{consumption % 10}</urban>"
        f"<outer>{consumption // 10 - 1},{consumption % 10}</outer>"
        f"<combined>{consumption // 10},{consumption % 10}</combined></consumption></model>{at_car}"
        f"<exterior><color>{colour}</color><paint>{paint}</paint></exterior><interior><color>Nero</color></interior>"
        f"<km>{listing.mileage}</km><registration_date>{car.month:02d}/{car.year}</registration_date>"
        f"<gearbox>{GA_GEARBOX[version.gearbox]}</gearbox><plate>{plate(car.number)}</plate>"
        f"<vin>{car.vin if listing.show_vin else ''}</vin><usage>{'Km0' if car.mileage < 100 else 'Usato'}</usage>"
        f"<customers_price>{listing.price}</customers_price><images>{images}</images>"
        f"<options>{options}</options></car>"
    )


# --- C. Multigestionale --------------------------------------------------------------------------------
MG_FUEL = {"PETROL": "Benzina", "DIESEL": "Diesel", "LPG": "GPL", "CNG": "Metano", "ELECTRIC": "Elettrica",
           "HYBRID": "Ibrida"}  # fmt: skip
MG_GEARBOX = {"MANUAL": "Manuale", "AUTOMATIC": "Automatico", "SEMI_AUTOMATIC": "Semiautomatico"}


def mg_stock_id(listing: Listing) -> str:
    return f"{listing.corporate}{listing.stock:07d}"


def _maybe_cdata(tag: str, value: str, wrap: bool) -> str:
    return f"<{tag}><![CDATA[{value}]]></{tag}>" if wrap else f"<{tag}>{value}</{tag}>"


def mg_record(listing: Listing) -> str:
    car, model, version, variant = listing.car, listing.car.model, listing.car.version, listing.variant
    stock = mg_stock_id(listing)
    base = f"https://cdn.multigestionale.example/{listing.corporate}/{stock}"
    images = "".join(f"<element><![CDATA[{base}/foto_{n}.jpg]]></element>" for n in range(1, listing.images + 1))
    accessories = "".join(f"<accessory><![CDATA[{OPTIONALS[i][1]}]]></accessory>" for i in option_indices(listing))
    price = f"{italian_number(listing.price)},00" if variant & 2 else italian_number(listing.price)
    cdata = bool(variant & 4)
    consumption = 38 + (car.number % 30)
    title = f"{model.make} {model.model} {version.name}"
    age = CURRENT_YEAR - car.year
    description = (
        f"<p>{title}, {italian_number(listing.mileage)} km, <b>tagliandi certificati</b>.</p>"
        f"<ul><li>Garanzia {12 if age < 5 else 6} mesi</li><li>Finanziamenti personalizzati</li></ul>"
    )
    return (
        f"<element><ad_number>{stock}</ad_number><title><![CDATA[{title}]]></title>"
        f"{_maybe_cdata('make', model.make, cdata)}{_maybe_cdata('model', model.model, cdata)}"
        f"<version><![CDATA[{version.name}]]></version>"
        f"<vehicle_class>{'Km0' if car.mileage < 100 else 'Usato'}</vehicle_class>"
        f"<vehicle_category><![CDATA[{model.category_text}]]></vehicle_category>"
        f"<first_registration_date>{car.month:02d}/{car.year}</first_registration_date>"
        f"<mileage>{italian_number(listing.mileage)}</mileage><power_kw>{version.kw}</power_kw>"
        f"<power_cv>{round(version.kw * 1.36)}</power_cv><gearbox>{MG_GEARBOX[version.gearbox]}</gearbox>"
        f"<fuel_type>{MG_FUEL[version.fuel]}</fuel_type>{_maybe_cdata('color', COLOURS[car.colour][0], cdata)}"
        f"{_maybe_cdata('price', price, not cdata)}<description><![CDATA[{description}]]></description>"
        f"<last_update>{listing.updated}</last_update><doors_count>{model.doors}</doors_count>"
        f"<num_seats>{model.seats}</num_seats><owners_count>{min(age, 3)}</owners_count>"
        f"<emissions_class>{emission_class(car.year)}</emissions_class>"
        f"<combined_consumption>{consumption // 10},{consumption % 10}</combined_consumption>"
        f"<images>{images}</images><accessories>{accessories}</accessories></element>"
    )


# --- D. mobile.de --------------------------------------------------------------------------------------
MD_FUEL = {"PETROL": ("PETROL", "Benzina"), "DIESEL": ("DIESEL", "Diesel"), "LPG": ("LPG", "GPL"),
           "CNG": ("CNG", "Metano"), "ELECTRIC": ("ELECTRICITY", "Elettrica"),
           "HYBRID": ("HYBRID", "Ibrida")}  # fmt: skip
MD_GEARBOX = {"MANUAL": ("MANUAL_GEAR", "Cambio manuale"), "AUTOMATIC": ("AUTOMATIC_GEAR", "Cambio automatico"),
              "SEMI_AUTOMATIC": ("SEMIAUTOMATIC_GEAR", "Semiautomatico")}  # fmt: skip
# Representation sizes per image, in the order a feed lists them (the largest present wins downstream).
MD_SIZE_PATTERNS = (("S", "M", "L", "XL", "XXL"), ("S", "M", "L"), ("L", "S", "XL", "M"), ("M", "L", "XL", "XXXL"))


def md_key(listing: Listing) -> str:
    return f"{listing.corporate}{listing.stock:07d}"


def md_inventory_key(listing: Listing) -> str | None:
    """The dealer's stock id; one listing in eight has none (the ad key is the fallback)."""
    return None if listing.variant % 8 == 0 else f"MB{listing.corporate}-{listing.stock:07d}"


def md_stock_id(listing: Listing) -> str:
    """What the track maps to external_source_id: the inventory key, else the ad key."""
    return md_inventory_key(listing) or md_key(listing)


def _md_enum(tag: str, key: str, text: str) -> str:
    return f'<ad:{tag} key="{key}"><resource:local-description>{text}</resource:local-description></ad:{tag}>'


def _md_image(base: str, n: int, sizes: tuple[str, ...]) -> str:
    cells = "".join(f'<ad:representation size="{s}" url="{base}/{n}_{s}.jpg"/>' for s in sizes)
    return f"<ad:image>{cells}</ad:image>"


def md_record(listing: Listing) -> str:
    car, model, version, variant = listing.car, listing.car.model, listing.car.version, listing.variant
    key = md_key(listing)
    inventory = md_inventory_key(listing)
    inventory_el = f'<ad:seller-inventory-key value="{inventory}"/>' if inventory else ""
    base = f"https://img.mobile.example/api/v1/{key}"
    images = "".join(
        _md_image(base, n, MD_SIZE_PATTERNS[(variant >> (2 * n)) & 3]) for n in range(1, listing.images + 1)
    )
    features = "".join(_md_enum("feature", OPTIONALS[i][2], OPTIONALS[i][1]) for i in option_indices(listing))
    colour, colour_key, _ = COLOURS[car.colour]
    colour_name = f'<ad:manufacturer-color-name value="{colour}"/>' if variant & 16 else ""
    vin = f'<ad:identification-number value="{car.vin}"/>' if listing.show_vin else ""
    fuel_key, fuel_text = MD_FUEL[version.fuel]
    gear_key, gear_text = MD_GEARBOX[version.gearbox]
    updated = listing.updated
    modified = f"{updated[6:10]}-{updated[3:5]}-{updated[:2]}T{updated[11:]}:00.000+01:00"
    return (
        f'<ad:ad key="{key}" url="https://services.mobile.de/search-api/ad/{key}">'
        f'<ad:creation-date value="{car.year}-{car.month:02d}-{car.day:02d}T09:00:00.000+01:00"/>'
        f'<ad:modification-date value="{modified}"/>{inventory_el}<ad:vehicle>'
        f"{_md_enum('class', 'Car', 'Autovettura')}{_md_enum('category', model.category, model.category_text)}"
        f"{_md_enum('make', model.make_key, model.make)}{_md_enum('model', model.model_key, model.model)}"
        f'<ad:model-description value="{version.name}"/><ad:specifics>'
        f'<ad:exterior-color key="{colour_key}"><resource:local-description>{colour}</resource:local-description>'
        f'{colour_name}</ad:exterior-color><ad:mileage value="{listing.mileage}"/>'
        f"{_md_enum('gearbox', gear_key, gear_text)}{_md_enum('fuel', fuel_key, fuel_text)}"
        f'<ad:power value="{version.kw}"/><ad:first-registration value="{car.year}-{car.month:02d}"/>{vin}'
        f"</ad:specifics><ad:features>{features}</ad:features></ad:vehicle>"
        f'<ad:price type="FIXED" currency="EUR"><ad:consumer-price-amount value="{listing.price}.00"/></ad:price>'
        f'<ad:images>{images}</ad:images><seller:seller key="{listing.corporate}0{listing.dealer}" '
        f'url="https://services.mobile.de/search-api/seller/{listing.corporate}0{listing.dealer}"/></ad:ad>'
    )


_MD_OPENING = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<search:search-result xmlns:search="http://services.mobile.de/schema/search"'
    ' xmlns:ad="http://services.mobile.de/schema/ad"'
    ' xmlns:resource="http://services.mobile.de/schema/resource"'
    ' xmlns:seller="http://services.mobile.de/schema/seller">\n'
)


class DmsFormat(NamedTuple):
    dms: str  # as in the landing folder source={DMS}
    carries_vin: bool  # can a listing of this format carry a VIN at all
    vin_shown: float  # share of a feed's unshared listings that carry their VIN
    opening: Callable[[int], str]  # the document up to the first record, given the record count
    closing: str
    record: Callable[[Listing], str]
    stock_id: Callable[[Listing], str]  # what the track maps to external_source_id


FORMATS: dict[str, DmsFormat] = {
    "DMS_A": DmsFormat(
        "DMS_A", True, 1.0, lambda n: '<?xml version="1.0" encoding="UTF-8"?>\n<Ads>\n', "</Ads>\n",
        dms_a_record, dms_a_stock_id,
    ),
    "GESTIONALEAUTO": DmsFormat(
        "GESTIONALEAUTO", True, 0.85, lambda n: '<?xml version="1.0" encoding="UTF-8"?>\n<export_gestionaleauto>\n',
        "</export_gestionaleauto>\n", ga_record, ga_stock_id,
    ),
    "MULTIGESTIONALE": DmsFormat(
        "MULTIGESTIONALE", False, 0.0, lambda n: '<?xml version="1.0" encoding="UTF-8"?>\n<root>\n', "</root>\n",
        mg_record, mg_stock_id,
    ),
    "MOBILEDE": DmsFormat(
        "MOBILEDE", True, 0.3, lambda n: f"{_MD_OPENING}<search:total>{n}</search:total>\n<search:ads>\n",
        "</search:ads>\n</search:search-result>\n", md_record, md_stock_id,
    ),
}  # fmt: skip
