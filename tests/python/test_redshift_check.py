"""`make redshift-check`: the Redshift SQL checker (extract/redshift_sql.py) and the check of the whole dbt
project as compiled for Redshift, both branches of the incremental models, without a cluster."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import PROJECT_ROOT

from extract.redshift_sql import check_sql_text, check_statement, load_constructs


def constructs_of(sql: str) -> list[str]:
    return [finding.construct for finding in check_statement(sql)]


def test_json_arrow_and_distinct_on_are_found_and_named() -> None:
    findings = check_statement("select distinct on (layer_id)\n    layer_id, record ->> 'Brand' as make\nfrom t")

    assert [(finding.construct, finding.lines) for finding in findings] == [
        ("->> (JSON field as text)", (2,)),
        ("DISTINCT ON", (1,)),
    ]
    assert all(finding.link.startswith("https://docs.aws.amazon.com/redshift/") for finding in findings)


@pytest.mark.parametrize(
    "sql",
    [
        "select 'record ->> distinct on (x)' as note from t",
        "select e'it\\'s ->> here' as note from t",
        "select 1 as a -- record ->> 'Brand', distinct on (x)\nfrom t",
        "select 1 as a /* select distinct on (x) y ->> z */ from t",
        'select "weird ->> name" from t',
        "select $$ distinct on ( $$ as note from t",
    ],
)
def test_nothing_is_flagged_inside_literals_comments_or_quoted_names(sql: str) -> None:
    assert constructs_of(sql) == []


def test_what_redshift_accepts_is_not_flagged() -> None:
    sql = """
        select
            item.value::varchar as item_text,
            item_position + 1 as position,
            sum(price) over (partition by ticker order by date rows between 6 preceding and current row) as ma,
            listagg(code, ',') within group (order by code) as codes
        from raw.records as records, records.record.items as item at item_position
        where records.record."Public"."Brand" is not null
        group by grouping sets ((ticker), ())
    """
    assert constructs_of(sql) == []


def test_a_statement_redshift_cannot_parse_is_a_finding() -> None:
    findings = check_statement("select a from where")

    assert [finding.construct for finding in findings] == ["parse error"]
    assert "'where'" in findings[0].why


def test_a_file_of_statements_names_each_finding_by_its_line() -> None:
    text = "create table t (id bigint);\n\ninsert into t values (1)\non conflict do nothing;\nselect ';' as x;\n"

    assert [(finding.construct, finding.lines) for finding in check_sql_text(text)] == [("ON CONFLICT (upsert)", (4,))]


def test_every_construct_names_the_aws_page_that_documents_it() -> None:
    constructs = load_constructs()

    assert len(constructs) >= 40
    assert all(construct.link.startswith("https://docs.aws.amazon.com/redshift/") for construct in constructs)
    assert len({construct.name for construct in constructs}) == len(constructs)


# --- the whole project, compiled for Redshift ------------------------------------------------------------

PLANTED_INCREMENTAL = """\
{{ config(materialized='incremental', unique_key='load_id') }}

select
    load_id,
    records_loaded
from {{ ref('stg_extract__loads') }}
{%- if is_incremental() %}
where status ->> 'code' = 'applied'
{%- endif %}
"""

PLANTED_VIEW = """\
select distinct on (load_id)
    load_id,
    records_loaded
from {{ ref('stg_extract__loads') }}
order by load_id
"""


def copy_project(target: Path) -> Path:
    for folder in ("models", "macros", "snapshots", "seeds", "tests/dbt", "tracks"):
        shutil.copytree(PROJECT_ROOT / folder, target / folder)
    shutil.copy2(PROJECT_ROOT / "dbt_project.yml", target / "dbt_project.yml")
    (target / "profiles").mkdir()
    shutil.copy2(PROJECT_ROOT / "profiles.yml.example", target / "profiles" / "profiles.yml")
    return target


def run_check(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "extract.redshift_check", "--project-dir", str(project),
         "--profiles-dir", str(project / "profiles")],
        cwd=project, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_the_check_names_each_planted_model_its_branch_and_construct(tmp_path: Path) -> None:
    project = copy_project(tmp_path)

    clean = run_check(project)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert ", 0 findings" in clean.stdout

    planted = project / "models" / "marts" / "operations"
    (planted / "planted_json_arrow.sql").write_text(PLANTED_INCREMENTAL, encoding="utf-8")
    (planted / "planted_distinct_on.sql").write_text(PLANTED_VIEW, encoding="utf-8")
    flagged = run_check(project)

    assert flagged.returncode == 1, flagged.stdout + flagged.stderr
    findings = [line for line in flagged.stdout.splitlines() if line.startswith("[")]
    assert len(findings) == 3, flagged.stdout
    json_arrow = "model planted_json_arrow (models/marts/operations/planted_json_arrow.sql): ->> (JSON field as text)"
    distinct_on = "model planted_distinct_on (models/marts/operations/planted_distinct_on.sql): DISTINCT ON"
    # the arrow is in the incremental branch only; DISTINCT ON in both
    assert sum(line.startswith(f"[incremental] {json_arrow}") for line in findings) == 1, findings
    assert sum(line.startswith(f"[full-refresh] {distinct_on}") for line in findings) == 1, findings
    assert sum(line.startswith(f"[incremental] {distinct_on}") for line in findings) == 1, findings
    assert all("https://docs.aws.amazon.com/redshift/" in line for line in findings)
    assert ", 3 findings" in flagged.stdout
