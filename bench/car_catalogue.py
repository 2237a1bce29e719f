"""The invented cars of the benchmark: a small catalogue and the intrinsic traits of car number n.

A car's traits (make, model, version, colour, registration, base price and mileage, VIN) are a pure
function of (salt, car number), so the two listings of a car shared by two DMS feeds agree on what the
car is, whichever process writes them. Strings here are already XML-safe (no `&`, `<`, `>` or quotes).
"""

from __future__ import annotations

from typing import NamedTuple

from dms_feeds import vin

_MASK64 = (1 << 64) - 1


def mix64(value: int) -> int:
    """splitmix64's finaliser: a well-spread 64-bit hash of an integer (deterministic, no state)."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


class Version(NamedTuple):
    name: str
    fuel: str  # canonical: PETROL DIESEL LPG CNG ELECTRIC HYBRID
    gearbox: str  # canonical: MANUAL AUTOMATIC SEMI_AUTOMATIC
    kw: int
    cc: int


class Model(NamedTuple):
    make: str
    make_key: str  # mobile.de enumeration key, also the DMS_A make code
    model: str
    model_key: str
    wmi: str  # VIN world manufacturer identifier
    vds: str  # 5 VIN descriptor characters
    motornet: str  # Motornet code prefix
    body: str  # Italian body type (GestionaleAuto)
    category: str  # mobile.de category key
    category_text: str
    doors: int
    seats: int
    base_price: int  # new, in euros
    versions: tuple[Version, ...]


def _v(name: str, fuel: str, gearbox: str, kw: int, cc: int) -> Version:
    return Version(name, fuel, gearbox, kw, cc)


MODELS: tuple[Model, ...] = (
    Model("Fiat", "FIAT", "Panda", "PANDA", "ZFA", "31200", "FIA", "City car", "SmallCar", "Citycar", 5, 4, 15500, (
        _v("1.0 FireFly Hybrid City Life", "HYBRID", "MANUAL", 51, 999),
        _v("1.2 Easy", "PETROL", "MANUAL", 51, 1242),
        _v("0.9 TwinAir Metano Lounge", "CNG", "MANUAL", 59, 875),
    )),
    Model("Fiat", "FIAT", "500X", "500X", "ZFA", "33400", "FIA", "SUV", "OffRoad", "SUV/Fuoristrada", 5, 5, 26500, (
        _v("1.3 MultiJet 95 CV Cross", "DIESEL", "MANUAL", 70, 1248),
        _v("1.5 T4 Hybrid 130 CV DCT Sport", "HYBRID", "SEMI_AUTOMATIC", 96, 1469),
    )),
    Model("Alfa Romeo", "ALFA_ROMEO", "Giulia", "GIULIA", "ZAR", "FAEDN", "ALF", "Berlina", "Limousine", "Berlina",
          4, 5, 47000, (
        _v("2.2 Turbodiesel 160 CV AT8 Sprint", "DIESEL", "AUTOMATIC", 118, 2143),
        _v("2.0 Turbo 280 CV AT8 Veloce Q4", "PETROL", "AUTOMATIC", 206, 1995),
    )),
    Model("Volkswagen", "VW", "Golf", "GOLF", "WVW", "ZZZCD", "VWG", "Berlina", "Limousine", "Berlina", 5, 5, 29500, (
        _v("1.5 TSI 130 CV Life", "PETROL", "MANUAL", 96, 1498),
        _v("2.0 TDI 115 CV Style", "DIESEL", "MANUAL", 85, 1968),
        _v("1.5 eTSI 150 CV DSG R-Line", "HYBRID", "SEMI_AUTOMATIC", 110, 1498),
    )),
    Model("Volkswagen", "VW", "T-Roc", "T-ROC", "WVG", "ZZZA1", "VWG", "SUV", "OffRoad", "SUV/Fuoristrada", 5, 5,
          31000, (
        _v("1.0 TSI 110 CV Life", "PETROL", "MANUAL", 81, 999),
        _v("2.0 TDI 150 CV DSG Style", "DIESEL", "AUTOMATIC", 110, 1968),
    )),
    Model("Peugeot", "PEUGEOT", "208", "208", "VR3", "UPHNS", "PEU", "Berlina", "SmallCar", "Citycar", 5, 5, 21000, (
        _v("PureTech 100 SS Allure", "PETROL", "MANUAL", 74, 1199),
        _v("BlueHDi 100 Active", "DIESEL", "MANUAL", 75, 1499),
        _v("e-208 motore elettrico 136 CV GT", "ELECTRIC", "AUTOMATIC", 100, 0),
    )),
    Model("Renault", "RENAULT", "Clio", "CLIO", "VF1", "RJA00", "REN", "Berlina", "SmallCar", "Citycar", 5, 5, 19500, (
        _v("TCe 90 CV Equilibre", "PETROL", "MANUAL", 67, 999),
        _v("TCe 100 CV GPL Zen", "LPG", "MANUAL", 74, 999),
        _v("E-Tech full hybrid 145 CV Techno", "HYBRID", "AUTOMATIC", 105, 1598),
    )),
    Model("Toyota", "TOYOTA", "Yaris", "YARIS", "VNK", "KBAC3", "TOY", "Berlina", "SmallCar", "Citycar", 5, 5, 22500, (
        _v("1.5 Hybrid 5 porte Trend", "HYBRID", "AUTOMATIC", 85, 1490),
        _v("1.0 5 porte Active", "PETROL", "MANUAL", 53, 998),
    )),
    Model("Toyota", "TOYOTA", "C-HR", "C-HR", "NMT", "KZ3BX", "TOY", "SUV", "OffRoad", "SUV/Fuoristrada", 5, 5, 31500, (
        _v("1.8 Hybrid E-CVT Trend", "HYBRID", "AUTOMATIC", 90, 1798),
        _v("2.0 Hybrid E-CVT Lounge", "HYBRID", "AUTOMATIC", 135, 1987),
    )),
    Model("Jeep", "JEEP", "Renegade", "RENEGADE", "ZAC", "NJDB1", "JEE", "SUV", "OffRoad", "SUV/Fuoristrada", 5, 5,
          28000, (
        _v("1.6 Mjt 130 CV Limited", "DIESEL", "MANUAL", 96, 1598),
        _v("1.3 T4 240 CV PHEV 4xe Trailhawk", "HYBRID", "AUTOMATIC", 176, 1332),
    )),
    Model("BMW", "BMW", "Serie 3", "3ER", "WBA", "8E910", "BMW", "Berlina", "Limousine", "Berlina", 4, 5, 46000, (
        _v("320d Business Advantage aut.", "DIESEL", "AUTOMATIC", 140, 1995),
        _v("330e Msport aut.", "HYBRID", "AUTOMATIC", 215, 1998),
    )),
    Model("Audi", "AUDI", "A3", "A3", "WAU", "ZZZGY", "AUD", "Berlina", "Limousine", "Berlina", 5, 5, 33500, (
        _v("Sportback 30 TDI S tronic Business", "DIESEL", "SEMI_AUTOMATIC", 85, 1968),
        _v("Sportback 35 TFSI S line", "PETROL", "MANUAL", 110, 1498),
    )),
    Model("Mercedes-Benz", "MERCEDES-BENZ", "Classe A", "A-KLASSE", "WDD", "17701", "MER", "Berlina", "Limousine",
          "Berlina", 5, 5, 36000, (
        _v("A 180 d Automatic Sport", "DIESEL", "AUTOMATIC", 85, 1461),
        _v("A 250 e Plug-in hybrid Premium", "HYBRID", "AUTOMATIC", 160, 1332),
    )),
    Model("Ford", "FORD", "Puma", "PUMA", "WF0", "2XXER", "FOR", "SUV", "OffRoad", "SUV/Fuoristrada", 5, 5, 26000, (
        _v("1.0 EcoBoost Hybrid 125 CV ST-Line", "HYBRID", "MANUAL", 92, 999),
        _v("1.5 EcoBlue 120 CV Titanium", "DIESEL", "MANUAL", 88, 1499),
    )),
    Model("Dacia", "DACIA", "Sandero", "SANDERO", "UU1", "5SDL4", "DAC", "Berlina", "SmallCar", "Citycar", 5, 5,
          14500, (
        _v("Stepway 1.0 TCe ECO-G 100 CV Expression", "LPG", "MANUAL", 74, 999),
        _v("1.0 SCe 65 CV Essential", "PETROL", "MANUAL", 49, 999),
    )),
    Model("Skoda", "SKODA", "Octavia", "OCTAVIA", "TMB", "JG7NX", "SKO", "Station wagon", "EstateCar",
          "Station wagon", 5, 5, 30500, (
        _v("Wagon 2.0 TDI 150 CV DSG Style", "DIESEL", "AUTOMATIC", 110, 1968),
        _v("Wagon 1.5 G-TEC DSG Ambition", "CNG", "AUTOMATIC", 96, 1498),
    )),
    Model("Hyundai", "HYUNDAI", "Tucson", "TUCSON", "TMA", "J3817", "HYU", "SUV", "OffRoad", "SUV/Fuoristrada", 5, 5,
          34000, (
        _v("1.6 HEV aut. XLine", "HYBRID", "AUTOMATIC", 169, 1598),
        _v("1.6 CRDi 136 CV 48V DCT Exellence", "DIESEL", "SEMI_AUTOMATIC", 100, 1598),
    )),
    Model("Tesla", "TESLA", "Model 3", "MODEL_3", "LRW", "3E7EK", "TES", "Berlina", "Limousine", "Berlina", 4, 5,
          42000, (
        _v("Long Range Dual Motor AWD", "ELECTRIC", "AUTOMATIC", 366, 0),
        _v("Standard Range Plus RWD", "ELECTRIC", "AUTOMATIC", 239, 0),
    )),
)  # fmt: skip

# (Italian colour name, mobile.de colour key, paint)
COLOURS: tuple[tuple[str, str, str], ...] = (
    ("Bianco Gelato", "WHITE", "Pastello"),
    ("Bianco Perla", "WHITE", "Perlata"),
    ("Nero Carbon", "BLACK", "Metallizzata"),
    ("Grigio Urano", "GREY", "Metallizzata"),
    ("Grigio Moda", "GREY", "Pastello"),
    ("Argento Lunare", "SILVER", "Metallizzata"),
    ("Rosso Passione", "RED", "Pastello"),
    ("Blu Italia", "BLUE", "Metallizzata"),
    ("Blu Notte", "BLUE", "Metallizzata"),
    ("Verde Rugiada", "GREEN", "Pastello"),
    ("Giallo Faro", "YELLOW", "Pastello"),
    ("Marrone Bronzo", "BROWN", "Metallizzata"),
)

# (DMS option code, Italian description, mobile.de feature key)
OPTIONALS: tuple[tuple[str, str, str], ...] = (
    ("ABS", "Sistema antibloccaggio ABS", "ABS"),
    ("ESP", "Controllo elettronico della stabilita", "ESP"),
    ("CLIMA", "Climatizzatore manuale", "AIR_CONDITIONING"),
    ("CLIMA-AUTO", "Climatizzatore automatico bizona", "AUTOMATIC_CLIMATISATION"),
    ("NAVI", "Navigatore satellitare con schermo 10 pollici", "NAVIGATION_SYSTEM"),
    ("DAB", "Radio digitale DAB+", "DIGITAL_RADIO"),
    ("BT", "Vivavoce Bluetooth", "BLUETOOTH"),
    ("CARPLAY", "Apple CarPlay e Android Auto", "CARPLAY"),
    ("SENS-POST", "Sensori di parcheggio posteriori", "PARKING_SENSORS"),
    ("SENS-ANT", "Sensori di parcheggio anteriori", "FRONT_PARKING_SENSORS"),
    ("RETRO", "Telecamera posteriore", "REAR_VIEW_CAMERA"),
    ("CAM360", "Telecamere a 360 gradi", "CAMERA_360"),
    ("ACC", "Cruise control adattivo", "ADAPTIVE_CRUISE_CONTROL"),
    ("CRUISE", "Cruise control", "CRUISE_CONTROL"),
    ("LANE", "Mantenimento della corsia attivo", "LANE_DEPARTURE_WARNING"),
    ("BLIND", "Monitoraggio angolo cieco", "BLIND_SPOT_MONITOR"),
    ("LED", "Fari full LED", "FULL_LED_HEADLIGHTS"),
    ("XENON", "Fari allo xeno", "XENON_HEADLIGHTS"),
    ("CERCHI17", "Cerchi in lega 17 pollici", "ALLOY_WHEELS"),
    ("CERCHI18", "Cerchi in lega 18 pollici", "ALLOY_WHEELS"),
    ("TETTO", "Tetto panoramico apribile", "PANORAMIC_GLASS_ROOF"),
    ("PELLE", "Interni in pelle", "LEATHER_SEATS"),
    ("SED-RISC", "Sedili anteriori riscaldabili", "HEATED_SEATS"),
    ("SED-ELET", "Sedile guida regolabile elettricamente", "ELECTRIC_ADJUSTABLE_SEATS"),
    ("KEYLESS", "Accesso e avviamento senza chiave", "KEYLESS_ENTRY"),
    ("GANCIO", "Gancio traino estraibile", "TRAILER_COUPLING"),
    ("START-STOP", "Sistema Start and Stop", "START_STOP_SYSTEM"),
    ("VOLANTE-MULTI", "Volante multifunzione in pelle", "MULTIFUNCTIONAL_WHEEL"),
    ("HEADUP", "Head-up display", "HEAD_UP_DISPLAY"),
    ("VIRTUAL", "Quadro strumenti digitale", "DIGITAL_COCKPIT"),
    ("ISOFIX", "Attacchi Isofix", "ISOFIX"),
    ("SPECCHI-ELET", "Specchietti ripiegabili elettricamente", "ELECTRIC_EXTERIOR_MIRRORS"),
    ("VETRI", "Vetri posteriori oscurati", "TINTED_WINDOWS"),
    ("PORTELLONE", "Portellone posteriore elettrico", "ELECTRIC_TAILGATE"),
    ("RUOTINO", "Ruotino di scorta", "SPARE_TYRE"),
    ("WIRELESS", "Ricarica wireless smartphone", "WIRELESS_CHARGING"),
    ("AUDIO-HIFI", "Impianto audio hi-fi", "SOUND_SYSTEM"),
    ("SOSP-SPORT", "Assetto sportivo", "SPORT_SUSPENSION"),
    ("PACK-INV", "Pacchetto inverno", "WINTER_PACKAGE"),
    ("TERMO", "Riscaldamento autonomo", "AUXILIARY_HEATING"),
)

# Model years: the newest is the benchmark's current year (feeds are dated November 2026).
FIRST_YEAR, CURRENT_YEAR = 2014, 2026


def vin_of(model: Model, year: int, number: int) -> str:
    """A valid VIN unique per car number (plant letter and 6-digit serial encode it)."""
    plant = vin.LETTERS[(number // 1_000_000) % len(vin.LETTERS)]
    return vin.build(model.wmi, model.vds, year, plant, number % 1_000_000)


class Car(NamedTuple):
    number: int
    model: Model
    version: Version
    colour: int  # index into COLOURS
    year: int
    month: int
    day: int
    mileage: int
    price: int  # asking price before each listing's own rounding, euros
    vin: str


def car_traits(salt: int, number: int) -> Car:
    """The car numbered `number`: everything a listing of it in any DMS agrees on."""
    bits = mix64(salt ^ number)
    model = MODELS[bits % len(MODELS)]
    bits //= len(MODELS)
    version = model.versions[bits % len(model.versions)]
    bits //= len(model.versions)
    colour = bits % len(COLOURS)
    bits //= len(COLOURS)
    year = FIRST_YEAR + bits % (CURRENT_YEAR - FIRST_YEAR + 1)
    bits //= CURRENT_YEAR - FIRST_YEAR + 1
    month = 1 + bits % (10 if year == CURRENT_YEAR else 12)
    bits //= 12
    day = 1 + bits % 28
    bits //= 28
    age = CURRENT_YEAR - year
    mileage = 10 if age == 0 else age * 9_000 + bits % 12_000
    bits //= 12_000
    price = int(model.base_price * 0.86**age * (0.9 + (bits % 200) / 1000)) // 10 * 10
    return Car(number, model, version, colour, year, month, day, mileage, price, vin_of(model, year, number))
