"""A corpus of bad landing files and bad landing keys (issue 15, item 5), each with what the extractor must do.

Every file is written at test time (nothing large is committed). A case is `rejected` (whole: a reason naming
the file and the position, no raw rows, the file moved to rejected/ with <name>.reason.txt beside it) or
`loaded` (a legitimate file with a strange name or shape; its `reason`, when given, is the one of the line set
aside in raw.rejected_records). tests/python/test_bad_files.py runs them all in one extract run.

Decisions the cases pin down (docs/architecture.md, "Bad CSV files and bad landing keys"):
- mixed line ends: each of \\r\\n, \\n and \\r ends one line; a file mixing them loads when every line parses,
  and a line that no longer does (a stray \\r cutting a row in two) is set aside like any line with the wrong
  number of fields, naming its line;
- a lab line with too many or too few fields is set aside (raw.rejected_records) and the rest loads; a lab
  file none of whose lines has the header's fields, or with no line after its header, is rejected whole;
- a file that is not UTF-8 is read as Latin-1, unless it is UTF-8 with a few invalid bytes in it (a file
  mixing both: rejected, naming the first invalid byte);
- quotes, semicolons, spaces, backslashes and non-ASCII letters are legitimate in file names: such a file
  loads, its key stored verbatim.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LOADED, REJECTED = "loaded", "rejected"

LAB_COLUMNS = "CHROM,POS,ID,REF,ALT,QUAL,FILTER,INFO,FORMAT,MUESTRA,VALOR,ORIGEN,FECHA_COPIA,RESULTADO"
PRICE_HEADER = '"Date","Price","Open","High","Low","Vol.","Change %"'
PRICE_ROWS = (
    '"10/31/2026","57,235.5","59,326.9","59,472.1","56,914.9","1.32K","-3.53%"',
    '"10/30/2026","59,326.9","57,116.3","59,477.4","56,486.5","1.92K","3.87%"',
    '"10/29/2026","57,116.3","56,000.0","57,200.0","55,900.0","1.10K","2.00%"',
)
TRENDS_WITH_JUNK = (
    "Category: All categories\n\nWeek,bitcoin: (Worldwide)\n2023-10-01,20\n2023-10-08,34\nlorem ipsum,dolor\n"
    "2023-10-22,40\n"
)
ETC_PASSWD = Path("/etc/passwd")
TEN_MB = 10 * 1024 * 1024

# Writes a case's file (or link, or pipe) at `path`; `outside` is a folder outside the landing zone.
Writer = Callable[[Path, Path], None]


@dataclass(frozen=True)
class BadFile:
    id: str
    key: str  # the landing key, relative to the landing root (or the S3 prefix)
    write: Writer
    outcome: str  # LOADED or REJECTED
    reason: str | None  # regex (re.search) of the file's reason, or of its set-aside line's; names file and position
    rows: int = 0  # raw rows a loaded case lands


def lab_row(number: int, origen: str = "HOSPITAL") -> str:
    return f"chr1,{100 + number},rs{number},A,C,50,PASS,DP=30,GT,M{number},0/1,{origen},,POS"


def lab_text(rows: int = 2, line_end: str = "\n") -> str:
    return line_end.join([LAB_COLUMNS, *(lab_row(n) for n in range(1, rows + 1))]) + line_end


def price_text() -> str:
    return "\n".join([PRICE_HEADER, *PRICE_ROWS]) + "\n"


def pipe_prices() -> str:
    """The price file with `|` between its fields (no thousands marks): not a delimiter a CSV here may use."""
    rows = [row.replace(",", "").replace('""', "|").replace('"', "") for row in PRICE_ROWS]
    return "\n".join(["Date|Price|Open|High|Low|Vol.|Change %", *rows]) + "\n"


def random_bytes() -> bytes:
    return random.Random(15).randbytes(4096)


def png_image() -> bytes:
    """A 1x1 PNG."""
    header = b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    return b"\x89PNG\r\n\x1a\n" + header + b"\x00\x00\x00\nIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4"


def unclosed_quote() -> bytes:
    """A quote opened on line 3 and never closed: the field runs on through 3,000 more lines."""
    opened = lab_row(2).replace("DP=30", '"DP=30')
    return "\n".join([LAB_COLUMNS, lab_row(1), opened, *(lab_row(n) for n in range(3, 3003))]).encode()


def mixed_encodings() -> bytes:
    """UTF-8 (line 2), then a Latin-1 í (0xED) on line 3."""
    return f"{LAB_COLUMNS}\n{lab_row(1, 'Clínica Peña')}\n".encode() + f"{lab_row(2, 'Clínica')}\n".encode("latin-1")


def _parent(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def content(data: bytes | str | Callable[[], bytes]) -> Writer:
    """A writer of bytes (text as UTF-8; a function's bytes are made when the case is written)."""

    def write(path: Path, outside: Path) -> None:
        raw = data() if callable(data) else data
        _parent(path).write_bytes(raw.encode("utf-8") if isinstance(raw, str) else raw)

    return write


def symlink_to(target: Path | str) -> Writer:
    """A symlink at the landing key to `target`: an absolute path, or a name in `outside` (a good lab file is
    written there, unless the name is `missing`: a dangling link)."""

    def write(path: Path, outside: Path) -> None:
        points_to = Path(target) if Path(target).is_absolute() else outside / target
        if not Path(target).is_absolute() and target != "missing":
            _parent(points_to).write_text(lab_text(), encoding="utf-8")
        _parent(path).symlink_to(points_to)

    return write


def symlinked_folder(path: Path, outside: Path) -> None:
    """A symlink at the landing key to a folder outside the zone that holds a good lab file."""
    folder = outside / "linked_folder"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "inside.csv").write_text(lab_text(), encoding="utf-8")
    _parent(path).symlink_to(folder, target_is_directory=True)


def named_pipe(path: Path, outside: Path) -> None:
    os.mkfifo(_parent(path))


def _lab(name: str) -> str:
    return f"lab/unificado/{name}"


def _at(key: str) -> str:
    """The regex of a reason that starts with the key, verbatim."""
    return "^" + re.escape(key)


def _not_regular(key: str, what: str) -> str:
    return "^landing files must be regular files: " + re.escape(key) + " is " + what


LAB_CASES = (
    BadFile(
        "lab_empty", _lab("empty.csv"), content(b""), REJECTED, _at(_lab("empty.csv")) + " line 1: the file is empty"
    ),
    BadFile(
        "lab_header_only", _lab("header_only.csv"), content(LAB_COLUMNS + "\n"), REJECTED,
        _at(_lab("header_only.csv")) + r" line 2: no data line after the header \(line 1\)",
    ),
    BadFile(
        "lab_semicolon_rows_under_a_comma_header", _lab("semicolons.csv"),
        content(LAB_COLUMNS + "\n" + "\n".join(lab_row(n).replace(",", ";") for n in (1, 2)) + "\n"), REJECTED,
        _at(_lab("semicolons.csv")) + " line 2: none of the 2 data lines has the header's 14 fields separated by "
        "','; line 2 has 1; separated by ';' it has 14",
    ),
    BadFile(
        "lab_pipe_delimiter", _lab("pipes.csv"), content(lab_text().replace(",", "|")), REJECTED,
        _at(_lab("pipes.csv")) + r" line 1: the header lacks CHROM, .* found 1 column: 'CHROM\|POS\|",
    ),
    BadFile(
        "lab_random_bytes", _lab("random.csv"), content(random_bytes), REJECTED,
        _at(_lab("random.csv")) + r" line \d+ \(byte \d+\): a NUL byte",
    ),
    BadFile(
        "lab_png_renamed_csv", _lab("image.csv"), content(png_image), REJECTED,
        _at(_lab("image.csv")) + " byte 0: a PNG image, not CSV text",
    ),
    BadFile(
        "lab_10mb_single_line", _lab("one_line.csv"), content(lambda: b"x" * TEN_MB), REJECTED,
        _at(_lab("one_line.csv")) + " line 1: longer than 131,072 characters",
    ),
    BadFile(
        "lab_unclosed_quote", _lab("unclosed_quote.csv"), content(unclosed_quote), REJECTED,
        _at(_lab("unclosed_quote.csv")) + r" line 3: a field longer than 131,072 characters, running from line 3 to "
        r"line \d+: a quote opened on line 3 and never closed",
    ),
    BadFile(
        "lab_mixed_line_ends", _lab("mixed_line_ends.csv"),
        content(f"{LAB_COLUMNS}\r\n{lab_row(1)}\n{lab_row(2)}\r{lab_row(3)}\r\n"), LOADED, None, rows=3,
    ),
    BadFile(
        "lab_stray_cr_splits_a_row", _lab("stray_cr.csv"),
        content("\n".join([LAB_COLUMNS, lab_row(1), lab_row(2).replace("DP=30", "DP=\r30")]) + "\n"), LOADED,
        _at(_lab("stray_cr.csv")) + " line 3: expected 14 fields separated by ',', found 8", rows=1,
    ),
    BadFile(
        "lab_invalid_utf8", _lab("invalid_utf8.csv"), content(mixed_encodings), REJECTED,
        _at(_lab("invalid_utf8.csv")) + r" line 3 \(byte \d+\): invalid UTF-8 \(0xED\) in a file that is otherwise "
        "UTF-8",
    ),
    BadFile(
        "lab_latin1_whole_file", _lab("latin1.csv"), content(lab_text().replace("HOSPITAL", "Peña").encode("latin-1")),
        LOADED, None, rows=2,
    ),
    BadFile(
        "lab_nul_bytes", _lab("nul.csv"), content(lab_text(1) + lab_row(2).replace("DP=30", "DP=\x0030") + "\n"),
        REJECTED, _at(_lab("nul.csv")) + r" line 3 \(byte \d+\): a NUL byte",
    ),
    BadFile(
        "lab_utf16", _lab("utf16.csv"), content(lab_text().encode("utf-16")), REJECTED,
        _at(_lab("utf16.csv")) + " byte 0: UTF-16 text",
    ),
    BadFile(
        "lab_row_with_too_many_fields", _lab("too_many.csv"), content(lab_text(1) + lab_row(2) + ",extra\n"), LOADED,
        _at(_lab("too_many.csv")) + " line 3: expected 14 fields separated by ',', found 15", rows=1,
    ),
    BadFile(
        "lab_row_with_too_few_fields", _lab("too_few.csv"), content(lab_text(1) + lab_row(2).rsplit(",", 1)[0] + "\n"),
        LOADED, _at(_lab("too_few.csv")) + " line 3: expected 14 fields separated by ',', found 13", rows=1,
    ),
)  # fmt: skip

SQL_TICKER = "crypto/ticker=BTC';drop table raw.load_ledger;--/x.csv"

CRYPTO_CASES = (
    BadFile(
        "crypto_price_empty", "crypto/ticker=EMPTY/prices.csv", content(b""), REJECTED,
        _at("crypto/ticker=EMPTY/prices.csv") + " line 1: the file is empty",
    ),
    BadFile(
        "crypto_price_header_only", "crypto/ticker=HEADER/prices.csv", content(PRICE_HEADER + "\n"), REJECTED,
        _at("crypto/ticker=HEADER/prices.csv") + r" line 2: a price file without any data line after its header",
    ),
    BadFile(
        "crypto_price_pipe_delimiter", "crypto/ticker=PIPE/prices.csv", content(pipe_prices()), REJECTED,
        _at("crypto/ticker=PIPE/prices.csv") + r" line 1: not a price or trend file; .* found 'Date\|Price\|",
    ),
    BadFile(
        "crypto_binary_junk", "crypto/ticker=JUNK/prices.csv", content(random_bytes), REJECTED,
        _at("crypto/ticker=JUNK/prices.csv") + r" line \d+ \(byte \d+\): a NUL byte",
    ),
    BadFile(
        "crypto_trends_with_a_junk_line", "crypto/ticker=TRENDJUNK/multiTimeline.csv", content(TRENDS_WITH_JUNK),
        REJECTED, _at("crypto/ticker=TRENDJUNK/multiTimeline.csv") + " line 6: the period 'lorem ipsum' is not a date",
    ),
    BadFile(
        "crypto_ticker_folder_injecting_sql", SQL_TICKER, content(price_text()), REJECTED,
        _at(SQL_TICKER) + r": the folder ticker=BTC';drop table raw\.load_ledger;-- does not name a ticker",
    ),
    BadFile(
        "crypto_ticker_folder_with_a_space", "crypto/ticker=BT C/x.csv", content(price_text()), REJECTED,
        _at("crypto/ticker=BT C/x.csv") + ": the folder ticker=BT C does not name a ticker",
    ),
)  # fmt: skip

# Legitimate file names that look dangerous: they load, their keys stored verbatim (`\N` is COPY's null).
QUOTED_LAB_KEY = _lab("it's; weird ünïcode.csv")
SQL_LAB_KEY = _lab('say "hi"; drop table raw.load_ledger;-- \\N.csv')
QUOTED_PRICE_KEY = 'crypto/ticker=ETH/O\'Brien "prices"; ü.csv'

KEY_CASES = (
    BadFile("key_quotes_semicolon_unicode", QUOTED_LAB_KEY, content(lab_text()), LOADED, None, rows=2),
    BadFile("key_double_quotes_sql_copy_null", SQL_LAB_KEY, content(lab_text()), LOADED, None, rows=2),
    BadFile("key_quoted_price_file", QUOTED_PRICE_KEY, content(price_text()), LOADED, None, rows=3),
    BadFile(
        "key_unknown_domain_folder", "misc/notes.csv", content(lab_text()), REJECTED,
        _at("misc/notes.csv") + ": no domain handles the folder 'misc'",
    ),
    BadFile(
        "key_file_at_the_landing_root", "stray.csv", content(lab_text()), REJECTED,
        _at("stray.csv") + ": no domain handles the folder '/'",
    ),
    BadFile(
        "symlink_to_etc_passwd", _lab("passwd.csv"), symlink_to(ETC_PASSWD), REJECTED,
        _not_regular(_lab("passwd.csv"), "a symlink to /etc/passwd;"),
    ),
    BadFile(
        "symlink_to_a_good_file_outside", _lab("outside.csv"), symlink_to("good_lab.csv"), REJECTED,
        _not_regular(_lab("outside.csv"), "a symlink to /.*/outside/good_lab.csv;"),
    ),
    BadFile(
        "symlink_dangling", _lab("dangling.csv"), symlink_to("missing"), REJECTED,
        _not_regular(_lab("dangling.csv"), "a symlink to /.*/outside/missing;"),
    ),
    BadFile(
        "symlinked_folder", _lab("linked_folder"), symlinked_folder, REJECTED,
        _not_regular(_lab("linked_folder"), "a symlink to /.*/outside/linked_folder;"),
    ),
    BadFile(
        "named_pipe", _lab("pipe.csv"), named_pipe, REJECTED, _not_regular(_lab("pipe.csv"), r"a named pipe \(FIFO\)")
    ),
)  # fmt: skip

LOCAL_CASES = LAB_CASES + CRYPTO_CASES + KEY_CASES

# On S3: the dangerous-looking names, and keys only an object store can hold ('..' segments).
S3_CASES = (
    BadFile("s3_quotes_semicolon_unicode", QUOTED_LAB_KEY, content(lab_text()), LOADED, None, rows=2),
    BadFile("s3_double_quotes_sql_copy_null", SQL_LAB_KEY, content(lab_text()), LOADED, None, rows=2),
    BadFile(
        "s3_dotdot_inside_the_domain", "lab/../unificado/x.csv", content(lab_text()), REJECTED,
        _at("lab/../unificado/x.csv") + r": segment 2 of the key is '\.\.'",
    ),
    BadFile(
        "s3_dotdot_climbing_out", "lab/unificado/../../x.csv", content(lab_text()), REJECTED,
        _at("lab/unificado/../../x.csv") + r": segment 3 of the key is '\.\.'",
    ),
    BadFile(
        "s3_ticker_folder_injecting_sql", SQL_TICKER, content(price_text()), REJECTED,
        _at(SQL_TICKER) + r": the folder ticker=BTC';drop table raw\.load_ledger;-- does not name a ticker",
    ),
)  # fmt: skip
