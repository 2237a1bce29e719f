"""Writes the market-data sample files beside this script (standard library, deterministic: rerunning it
rewrites byte-identical files). Every value is invented; the shapes follow the real exports."""

import random
from datetime import date, timedelta
from pathlib import Path

root = Path(__file__).resolve().parent
rng = random.Random(20261101)


def walk(start, end, first_price, vol):
    days = []
    price = first_price
    d = start
    while d <= end:
        o = price
        price = round(price * (1 + rng.gauss(0, vol)), 4)
        hi = max(o, price) * (1 + abs(rng.gauss(0, vol / 2)))
        lo = min(o, price) * (1 - abs(rng.gauss(0, vol / 2)))
        days.append((d, price, o, hi, lo))
        d += timedelta(days=1)
    return days


def us(x, decimals):
    return f"{x:,.{decimals}f}"


def it(x, decimals):
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "_").replace(".", ",").replace("_", ".")


def price_file(path, days, fmt, decimals, header, datefmt, missing=(), gap=(), trailing_blank=False, vol_unit="K"):
    lines = [",".join(f'"{h}"' for h in header)]
    prev = None
    rows = []
    for d, p, o, hi, lo in days:
        if d in gap:
            continue
        change = 0.0 if prev is None else (p / prev - 1) * 100
        prev = p
        volume = fmt(rng.uniform(0.05, 3.5), 2) + vol_unit
        price = "-1" if d in missing else fmt(p, decimals)
        pct = fmt(change, 2) + "%"
        rows.append([d.strftime(datefmt), price, fmt(o, decimals), fmt(hi, decimals), fmt(lo, decimals), volume, pct])
    for r in reversed(rows):  # newest first
        lines.append(",".join(f'"{v}"' for v in r))
    text = "\n".join(lines) + "\n"
    if trailing_blank:
        text += "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def sundays(start, end):
    d = start
    while d.weekday() != 6:
        d += timedelta(days=1)
    while d <= end:
        yield d
        d += timedelta(days=7)


# BTC: English export, a -1, a 4-day gap, trailing blank line; cleaned Italian trend file
btc = walk(date(2026, 8, 1), date(2026, 10, 31), 58_000, 0.02)
price_file(
    root / "ticker=BTC" / "BTC_EUR_Historical_Data.csv",
    btc,
    us,
    1,
    ["Date", "Price", "Open", "High", "Low", "Vol.", "Change %"],
    "%m/%d/%Y",
    missing={date(2026, 9, 3)},
    gap={date(2026, 9, 12) + timedelta(days=i) for i in range(4)},
    trailing_blank=True,
)
trend = ['"Settimana","interesse bitcoin"']
level = 55
for s in sundays(date(2026, 8, 1), date(2026, 10, 25)):
    level = max(20, min(100, level + rng.randint(-9, 9)))
    trend.append(f'"{s.isoformat()}","{level}"')
(root / "ticker=BTC" / "bitcoin trend (cleaned).csv").write_text("\n".join(trend) + "\n", encoding="utf-8")

# XMR: Italian export (Data/Ultimo, DD.MM.YYYY, Italian numbers, 3 decimals), raw Italian Google Trends export with <1
xmr = walk(date(2026, 8, 15), date(2026, 10, 31), 148.0, 0.03)
price_file(
    root / "ticker=XMR" / "XMR_EUR Kraken Historical Data.csv",
    xmr,
    it,
    3,
    ["Data", "Ultimo", "Apertura", "Massimo", "Minimo", "Vol.", "Var. %"],
    "%d.%m.%Y",
    missing={date(2026, 10, 2), date(2026, 10, 3)},
    gap={date(2026, 9, 20) + timedelta(days=i) for i in range(6)},
)
raw = ["Categoria: Tutte le categorie", "", "Settimana,monero: (Italia)"]
for s in sundays(date(2026, 8, 9), date(2026, 11, 1)):
    v = rng.choice(["<1", "<1", "1", "2", "3"])
    raw.append(f"{s.isoformat()},{v}")
(root / "ticker=XMR" / "multiTimeline.csv").write_text("\n".join(raw) + "\n", encoding="utf-8")

# ETH: English export with an extra column; raw English Google Trends export
eth = walk(date(2026, 9, 1), date(2026, 10, 31), 2_350, 0.025)
price_file(
    root / "ticker=ETH" / "Ethereum Historical Data (1).csv",
    eth,
    us,
    2,
    ["Date", "Price", "Open", "High", "Low", "Vol.", "Change %"],
    "%m/%d/%Y",
    missing={date(2026, 10, 20)},
)
raw = ["Category: All categories", "", "Week,ethereum: (Worldwide)"]
for s in sundays(date(2026, 8, 23), date(2026, 11, 1)):
    raw.append(f"{s.isoformat()},{rng.randint(18, 41)}")
(root / "ticker=ETH" / "multiTimeline (2).csv").write_text("\n".join(raw) + "\n", encoding="utf-8")
