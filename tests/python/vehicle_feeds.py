"""Builders of DMS_A vehicle feeds for tests (the seed's own format, tracks/dms_a.sql), written by dms_feeds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dms_feeds import dms_a
from dms_feeds.export import write_export
from dms_feeds.xml_text import cdata


@dataclass
class Ad:
    stock_id: str  # "": no <Id> at all
    vin: str = ""
    make: str = "Fiat"
    model: str = "Panda"
    list_price: str = "12900.00"
    mileage: str = "35000"
    color: str = "Bianco"
    images: list[str] = field(default_factory=lambda: ["https://img.example/1.jpg"])
    options: list[tuple[str, str]] = field(default_factory=lambda: [("CLIMA", "Climatizzatore")])

    def values(self) -> dms_a.Ad:
        ad: dms_a.Ad = {
            "DealerCode": "D001",
            "Vin": self.vin,
            "Brand": self.make,
            "Model": self.model,
            "Version": "1.2 Easy",
            "RegistrationDate": "2021-03-15",
            "Mileage": self.mileage,
            "Fuel": "Petrol",
            "Gearbox": "Manual",
            "Color": self.color,
            "ListPrice": self.list_price,
            "PromotionalPrice": None,
            "MakeCode": "FIA",
            "images": self.images,
            "options": [(code, cdata(text)) for code, text in self.options],  # descriptions as CDATA
        }
        if self.stock_id:
            ad["Id"] = self.stock_id
        return ad

    def xml(self) -> str:
        """The <Ad> element, on one line."""
        return dms_a.record(self.values())


def document(ads: list[Ad]) -> str:
    return dms_a.FORMAT.document([ad.values() for ad in ads])


def write_feed(
    landing: Path, corporate: str, dms: str, name: str, content: str | bytes, feed_at: datetime | None = None
) -> Path:
    """Write a feed under vehicles/corporate=../source=../name; .zip (member data.xml) and .gz names are compressed."""
    path = landing / "vehicles" / f"corporate={corporate}" / f"source={dms}" / name
    return write_export(path, content, feed_at=feed_at)
