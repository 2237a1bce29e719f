"""Redshift SQL checked without a cluster: does a statement parse as Redshift SQL, and does it use a
PostgreSQL construct Amazon Redshift does not accept?

Two checks, because neither is enough alone: sqlglot's `redshift` dialect parses the statement (a parse
error is a finding; the SQL is only read, never rewritten), and the constructs of
extract/redshift_unsupported.yml (one regular expression each, with the AWS page that documents it) are
looked for in the statement with its comments, string literals and quoted identifiers blanked out, so
text inside quotes is never flagged. sqlglot accepts much that Redshift rejects (PostgreSQL JSON
operators, FILTER, LATERAL, ON CONFLICT): the list catches those.

    check_statement(sql)  -> findings of one statement
    check_sql_text(text)  -> findings of a file of statements separated by semicolons
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CONSTRUCTS_FILE = Path(__file__).with_name("redshift_unsupported.yml")
SQL_COMMANDS_LINK = "https://docs.aws.amazon.com/redshift/latest/dg/c_SQL_commands.html"

# Comments, string literals (plain, E'...' and dollar-quoted) and quoted identifiers, leftmost first.
_QUOTED = re.compile(
    r"""
      (?P<comment>--[^\n]*|/\*.*?\*/)
    | (?P<escaped>(?<![\w$])[eE]'(?:[^'\\]|\\.|'')*')
    | (?P<string>'(?:[^']|'')*')
    | (?P<identifier>"(?:[^"]|"")*")
    | (?P<dollar>\$(?P<tag>[A-Za-z_]\w*)?\$.*?\$(?P=tag)?\$)
    """,
    re.DOTALL | re.VERBOSE,
)

# sqlglot names a token by its repr in error messages; a person needs only its text.
_TOKEN = re.compile(r"<Token token_type: [\w.]+, text: (.*?), line: \d+.*?>")


@dataclass(frozen=True)
class Construct:
    """One entry of redshift_unsupported.yml."""

    name: str
    pattern: re.Pattern[str]
    why: str
    link: str


@dataclass(frozen=True)
class Finding:
    """A construct Redshift rejects (or a parse error), where it is, why, and the AWS page saying so."""

    construct: str
    why: str
    link: str
    lines: tuple[int, ...]  # 1-based lines of the checked text where it occurs

    def describe(self) -> str:
        where = ", ".join(str(line) for line in self.lines[:5])
        more = f" (+{len(self.lines) - 5} more)" if len(self.lines) > 5 else ""
        return f"{self.construct} (line {where}{more}): {self.why} {self.link}"


@dataclass(frozen=True)
class Statement:
    """One statement of a SQL text and the line of the text it starts on (1-based)."""

    sql: str
    first_line: int


@cache
def load_constructs(path: Path = CONSTRUCTS_FILE) -> tuple[Construct, ...]:
    """The constructs of the data file, each pattern compiled (case-insensitive)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = document.get("constructs") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: expected a non-empty list under 'constructs'")
    constructs = []
    for number, entry in enumerate(entries, start=1):
        missing = [key for key in ("name", "pattern", "why", "link") if not (entry or {}).get(key)]
        if missing:
            raise ValueError(f"{path}: construct #{number} has no {', '.join(missing)}")
        try:
            pattern = re.compile(entry["pattern"], re.IGNORECASE)
        except re.error as error:
            raise ValueError(f"{path}: construct '{entry['name']}' has a bad pattern: {error}") from None
        constructs.append(Construct(entry["name"], pattern, " ".join(entry["why"].split()), entry["link"]))
    return tuple(constructs)


def blank_quoted(sql: str) -> str:
    """The SQL with comments removed and the insides of literals and quoted identifiers turned into
    spaces; quotes, line breaks and every offset stay where they were."""

    def blank(match: re.Match[str]) -> str:
        text = match.group(0)
        if match.group("comment"):
            return re.sub(r"[^\n]", " ", text)
        opening = len(match.group("tag") or "") + 2 if match.group("dollar") else (2 if match["escaped"] else 1)
        closing = opening if match.group("dollar") else 1
        inside = re.sub(r"[^\n]", " ", text[opening:-closing])
        return text[:opening] + inside + text[-closing:]

    return _QUOTED.sub(blank, sql)


def split_statements(text: str) -> list[Statement]:
    """The statements of a text, split at semicolons outside quotes and comments; empty ones dropped."""
    blanked = blank_quoted(text)
    statements, start = [], 0
    for end in [match.start() for match in re.finditer(";", blanked)] + [len(text)]:
        if blanked[start:end].strip():
            offset = start + len(blanked[start:end]) - len(blanked[start:end].lstrip())
            statements.append(Statement(text[offset:end], text.count("\n", 0, offset) + 1))
        start = end + 1
    return statements


def check_statement(sql: str) -> list[Finding]:
    """Findings of one statement: a parse error as Redshift SQL, then each unsupported construct."""
    findings = _parse_findings(sql)
    blanked = blank_quoted(sql)
    for construct in load_constructs():
        lines = sorted({blanked.count("\n", 0, match.start()) + 1 for match in construct.pattern.finditer(blanked)})
        if lines:
            findings.append(Finding(construct.name, construct.why, construct.link, tuple(lines)))
    return findings


def check_sql_text(text: str) -> list[Finding]:
    """Findings of every statement of a text (a file of DDL, COPY and ledger SQL), lines of the text."""
    findings = []
    for statement in split_statements(text):
        for finding in check_statement(statement.sql):
            lines = tuple(line + statement.first_line - 1 for line in finding.lines)
            findings.append(Finding(finding.construct, finding.why, finding.link, lines))
    return findings


def _parse_findings(sql: str) -> list[Finding]:
    try:
        import sqlglot
        from sqlglot.errors import ParseError, TokenError
    except ImportError:
        raise RuntimeError("the Redshift check needs sqlglot: pip install -e '.[dev]'") from None
    logging.getLogger("sqlglot").setLevel(logging.ERROR)  # "falling back to a command" is not a finding
    try:
        sqlglot.parse(sql, read="redshift")  # read only: nothing is generated from the tree
    except ParseError as error:
        first = error.errors[0] if error.errors else {}
        where = f" near '{first.get('highlight')}'" if first.get("highlight") else ""
        description = _TOKEN.sub(r"'\1'", str(first.get("description", error)))
        why = f"sqlglot's redshift dialect cannot parse it: {description}{where}."
        return [Finding("parse error", why, SQL_COMMANDS_LINK, (int(first.get("line") or 1),))]
    except TokenError as error:
        return [Finding("parse error", f"sqlglot's redshift dialect cannot read it: {error}.", SQL_COMMANDS_LINK, (1,))]
    return []
