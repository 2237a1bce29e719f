"""Builders of DMS_A vehicle feeds for tests (the seed's own format, tracks/dms_a.sql)."""

from __future__ import annotations

import gzip
import os
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape


@dataclass
class Ad:
    stock_id: str
    vin: str = ""
    make: str = "Fiat"
    model: str = "Panda"
    list_price: str = "12900.00"
    mileage: str = "35000"
    color: str = "Bianco"
    images: list[str] = field(default_factory=lambda: ["https://img.example/1.jpg"])
    options: list[tuple[str, str]] = field(default_factory=lambda: [("CLIMA", "Climatizzatore")])

    def xml(self) -> str:
        images = "".join(f"<Image>{escape(u)}</Image>" for u in self.images)
        options = "".join(f'<Option code="{c}"><![CDATA[{d}]]></Option>' for c, d in self.options)
        stock = f"<Id>{self.stock_id}</Id>" if self.stock_id else ""
        return (
            f"<Ad>{stock}<DealerCode>D001</DealerCode>"
            f"<Public><Vin>{self.vin}</Vin><Brand>{self.make}</Brand><Model>{self.model}</Model>"
            f"<Version>1.2 Easy</Version><RegistrationDate>2021-03-15</RegistrationDate>"
            f"<Mileage>{self.mileage}</Mileage><Fuel>Petrol</Fuel><Gearbox>Manual</Gearbox>"
            f"<Color>{self.color}</Color></Public>"
            f"<Business><ListPrice>{self.list_price}</ListPrice><PromotionalPrice/></Business>"
            f"<Codes><MakeCode>FIA</MakeCode></Codes><Images>{images}</Images><Options>{options}</Options></Ad>"
        )


def document(ads: list[Ad]) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<Ads>\n' + "\n".join(ad.xml() for ad in ads) + "\n</Ads>\n"


def write_feed(
    landing: Path, corporate: str, dms: str, name: str, content: str | bytes, feed_at: datetime | None = None
) -> Path:
    """Write a feed under vehicles/corporate=../source=../name; .zip and .gz names are compressed."""
    path = landing / "vehicles" / f"corporate={corporate}" / f"source={dms}" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    if name.endswith(".zip"):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("data.xml", data)
    elif name.endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    if feed_at is not None:
        os.utime(path, (feed_at.timestamp(), feed_at.timestamp()))
    return path
