"""Market-data files at scale (sources.md §2): per ticker, a daily Investing.com price export covering
Y years, newest first, and a weekly Google Trends file, under `crypto/ticker={T}/`.

The variants of the real files are all present: names with spaces, 1 or 3 decimals, `-1` for a missing
price, gaps of several days, a trailing blank line, cleaned Italian trend files and raw Google Trends
exports with their category preamble and `<1` values.
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

KNOWN_TICKERS = (
    ("BTC", "bitcoin", 16_000.0), ("ETH", "ethereum", 900.0), ("XMR", "monero", 120.0), ("LTC", "litecoin", 60.0),
    ("XRP", "ripple", 0.4), ("ADA", "cardano", 0.3), ("DOT", "polkadot", 6.0), ("SOL", "solana", 20.0),
    ("DOGE", "dogecoin", 0.07), ("LINK", "chainlink", 7.0), ("BCH", "bitcoin cash", 110.0),
    ("XLM", "stellar", 0.1), ("ATOM", "cosmos", 9.0), ("ETC", "ethereum classic", 18.0), ("TRX", "tron", 0.06),
    ("AVAX", "avalanche", 14.0), ("ALGO", "algorand", 0.25), ("UNI", "uniswap", 5.5), ("FIL", "filecoin", 4.0),
    ("AAVE", "aave", 60.0),
)  # fmt: skip
LAST_DAY = date(2026, 11, 20)
DELIVERED_AT = datetime(2026, 11, 21, 7, 0, tzinfo=UTC)
PRICE_HEADER = '"Date","Price","Open","High","Low","Vol.","Change %"'
MISSING_PRICE = 0.002  # share of days whose price is "-1"
GAP = 0.004  # share of days after which 2-5 days are missing


@dataclass(frozen=True)
class CryptoCounts:
    tickers: int
    price_rows: int
    trend_rows: int
    files: int


def ticker_list(count: int) -> list[tuple[str, str, float]]:
    """(ticker, search term, starting price): the known ones first, then invented ones."""
    extra = [(f"X{n:03d}", f"coin {n}", 1.0 + n) for n in range(count - len(KNOWN_TICKERS))]
    return list(KNOWN_TICKERS[:count]) + extra


def _volume(rng: random.Random) -> str:
    amount = rng.lognormvariate(0, 1.5)
    return f"{amount:.2f}K" if amount < 100 else f"{amount / 1000:.2f}M"


def price_lines(rng: random.Random, start_price: float, first: date, last: date, decimals: int) -> list[str]:
    """Daily rows from `first` to `last` (a random walk), newest first as Investing.com writes them."""
    rows: list[str] = []
    price, previous, day = start_price, start_price, first
    while day <= last:
        price *= math.exp(rng.gauss(0.0003, 0.035))
        high, low = price * (1 + rng.random() * 0.03), price * (1 - rng.random() * 0.03)
        opening = low + (high - low) * rng.random()
        shown = '"-1"' if rng.random() < MISSING_PRICE else f'"{price:,.{decimals}f}"'
        change = (price / previous - 1) * 100
        rows.append(
            f'"{day:%m/%d/%Y}",{shown},"{opening:,.{decimals}f}","{high:,.{decimals}f}","{low:,.{decimals}f}",'
            f'"{_volume(rng)}","{change:.2f}%"'
        )
        previous = price
        day += timedelta(days=rng.randint(3, 6) if rng.random() < GAP else 1)
    rows.reverse()
    return rows


def trend_lines(rng: random.Random, term: str, first: date, last: date, raw_export: bool) -> list[str]:
    """Weekly interest 0-100 on Sundays; a raw Google Trends export has a preamble and `<1` values."""
    sunday = first + timedelta(days=(6 - first.weekday()) % 7)
    header = ["Category: All categories", "", f"Week,{term}: (Worldwide)"] if raw_export else [
        f'"Settimana","interesse {term}"'
    ]  # fmt: skip
    rows, level = [], rng.uniform(10, 60)
    while sunday <= last:
        level = min(100.0, max(0.0, level + rng.gauss(0, 6)))
        value = "<1" if raw_export and level < 1 else str(round(level))
        rows.append(f"{sunday:%Y-%m-%d},{value}")
        sunday += timedelta(days=7)
    return header + rows


def _write(path: Path, lines: list[str], trailing_blank: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n" + ("\n" if trailing_blank else ""), encoding="utf-8")
    moment = DELIVERED_AT.timestamp()
    os.utime(path, (moment, moment))


def write_crypto_files(root: Path, seed: int, tickers: int, years: int) -> CryptoCounts:
    """`tickers` tickers x `years` years of daily prices and weekly trends under root/crypto/ticker={T}/."""
    first = LAST_DAY - timedelta(days=round(365.25 * years) - 1)
    price_rows = trend_rows = 0
    for n, (ticker, term, start_price) in enumerate(ticker_list(tickers)):
        rng = random.Random(f"{seed}:crypto:{ticker}")
        folder = root / "crypto" / f"ticker={ticker}"
        prices = price_lines(rng, start_price, first, LAST_DAY, 3 if n % 5 == 2 else 1)
        name = f"{ticker}_EUR Kraken Historical Data.csv" if n % 3 == 2 else f"{ticker}_EUR_Historical_Data.csv"
        _write(folder / name, [PRICE_HEADER, *prices], trailing_blank=n % 4 == 1)
        trends = trend_lines(rng, term, first, LAST_DAY, raw_export=n % 2 == 1)
        _write(folder / f"google_trends_{ticker.lower()}.csv", trends, trailing_blank=False)
        price_rows += len(prices)
        trend_rows += sum(1 for line in trends if line[:1].isdigit())
    return CryptoCounts(tickers, price_rows, trend_rows, 2 * tickers)
