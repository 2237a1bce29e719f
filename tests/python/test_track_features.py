"""Track files that cover real formats, checked against the catalogue's one list of fields.

A Russian dealer's export (tests/fixtures/real_formats/) has no stock id, a year-only registration,
fuel, gearbox and power only inside a string, a price plus a discount, equipment grouped by category,
Cyrillic vocabularies and an ISO 8601 export time with an offset. It must read right on the embedded
warehouse and on a database created with the C locale, where PostgreSQL's upper() ignores Cyrillic.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from support import PROJECT_ROOT, query, run_dbt, run_extract
from test_dms_onboarding import copy_project
from vehicle_feeds import Ad, document, write_feed

from dms_feeds import mobilede
from extract.catalogue import load_catalogue, render_docs
from extract.track_checks import hint_check
from extract.tracks import TrackError, load_track
from extract.warehouse import WarehouseAddress

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "real_formats"
GEELY, HAVAL = "L6T7844Z1RN012345", "LGWEF6A57PH012345"
VEHICLE_MODELS = (
    "+vehicle+", "+vehicle_layer+", "+vehicle_image+", "+vehicle_optional+", "+vehicle_field_lineage+",
    "+vehicle_layer_history",
)  # fmt: skip


def onboard(tmp_path: Path, track: Path) -> Path:
    """A copy of the project with one more DMS: its track file and its one-line staging model."""
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    shutil.copy2(track, project / "tracks" / track.name)
    dms = track.stem
    (project / f"models/staging/dms/stg_{dms}__vehicles.sql").write_text(f"{{{{ dms_vehicle_staging('{dms}') }}}}\n")
    return project


@pytest.mark.parametrize("database", ["embedded default", "C locale"])
def test_a_real_export_reads_right_on_any_locale(database: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    warehouse = request.getfixturevalue("warehouse" if database == "embedded default" else "c_locale_warehouse")
    project = onboard(tmp_path, FIXTURES / "autoru.sql")
    landing = tmp_path / "landing"
    write_feed(landing, "77", "AutoRu", "cars.xml", (FIXTURES / "cars.xml").read_bytes())

    extracted = run_extract(warehouse, "--landing", str(landing), cwd=project)
    built = run_dbt(warehouse, tmp_path, "build", "--select", *VEHICLE_MODELS, project_dir=project)

    assert extracted.returncode == 0, extracted.stdout + extracted.stderr
    assert built.returncode == 0, built.stdout[-4000:]
    # the one value the track cannot read is said in the summary and kept in the ledger, not dropped silently
    finding = "1 value(s) of fuel is not in its vocabulary (e.g. 'Гибрид-плюс')"
    assert finding in extracted.stdout
    [(warnings,)] = query(warehouse, "select warnings from raw.load_ledger where landing_key like %s", ("%cars.xml",))
    assert finding in warnings
    # the export names its own time, with an offset
    assert query(warehouse, "select distinct feed_at from raw.vehicle_records") == [
        (datetime(2014, 1, 14, 17, 56, 42, tzinfo=UTC),)
    ]
    columns = (
        "external_source_id, make, model, version, gearbox, fuel, power_kw, body_type, color, color_family,"
        " registration_date, registration_date_precision, list_price, promotional_price, currency, doors, description"
    )
    layers = {row[0]: row[1:] for row in query(warehouse, f"select {columns} from marts.vehicle_layer order by 1")}
    assert layers[GEELY] == (
        "Geely", "Preface", "I Рестайлинг 2", "SEMI_AUTOMATIC", "PETROL", 147, "SEDAN", "Белый", "WHITE",
        date(2024, 1, 1), "YEAR", Decimal("2500000.00"), Decimal("2350000.00"), "RUR", 4,
        "Новый автомобиль 🚗, комплектация Flagship; сeрый салон",
    )  # fmt: skip
    assert layers[HAVAL] == (
        "Haval", "Jolion", "I", "MANUAL", None, 105, "SUV", "Серый", "GREY",
        date(2023, 1, 1), "YEAR", Decimal("1990000.00"), None, "RUR", 5, None,
    )  # fmt: skip
    # equipment grouped by category: every element of every group, the group's name as its category
    optionals = query(
        warehouse,
        "select vehicle_id, position, code, description, category from marts.vehicle_optional order by 1, 2",
    )
    assert [row[2:] for row in optionals if row[0] == GEELY] == [
        ("climate", "Климат-контроль", "Комфорт"),
        ("seats-heat", "Подогрев сидений", "Комфорт"),
        ("abs", "ABS", "Безопасность"),
        ("esp", "ESP", "Безопасность"),
        ("airbags", "Подушки безопасности", "Безопасность"),
    ]
    assert [row[2:] for row in optionals if row[0] == HAVAL] == [("climate", "Климат-контроль", "Комфорт")]
    # the new fields reach the resolved vehicle and its lineage
    assert query(
        warehouse, "select power_kw, body_type, registration_date_precision from marts.vehicle where vehicle_id = %s",
        (GEELY,),
    ) == [(147, "SEDAN", "YEAR")]  # fmt: skip
    assert query(
        warehouse,
        "select value, source from marts.vehicle_field_lineage where vehicle_id = %s and field_name = 'fuel'",
        (GEELY,),
    ) == [("PETROL", "AUTORU")]


def test_parse_hints_read_the_same_in_the_extractor_and_in_dbt(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    """The extractor counts a value dbt makes null: both must agree on every hint, value by value."""
    cases = {
        "number": ["12345.00", "12,345.5", "-3", "abc", "12.3.4"],
        "italian_number": ["21.900", "5,3", "1.234,56", "x1", ""],
        "YYYY-MM-DD": ["2021-03-15", "2021-13-01", "15/03/2021", "2021-03-15T10:00:00"],
        "YYYY-MM": ["2019-09", "2019-9", "2019-13", "09-2019"],
        "MM/YYYY": ["03/2021", "3/2021", "13/2021", "2021/03"],
        "YYYY": ["2024", "1899", "24", "2024-01"],
        "DD-MM-YYYY HH:MM": ["14-01-2014 18:56", "2014-01-14 18:56", "32-01-2014 10:00"],
        "ISO 8601": [
            "2014-01-14T18:56:42+01:00", "2014-01-14", "2014-01-14T18:56Z", "2014-01-14 18:56:42.123",
            "14-01-2014", "2014-01-14T25:00",
        ],
        "vin": ["WBA8E9C55GK644215", "wba8e9c55gk644215", "WBA8E9C55GK64421O", "SHORT"],
    }  # fmt: skip
    selects = []
    for hint, texts in cases.items():
        field = {"vin": "vin", "number": "list_price", "italian_number": "list_price"}.get(hint, "registration_date")
        for text in texts:
            literal = "'" + text.replace("'", "''") + "'"
            expression = (
                f"dms_typed_column({{'parse': {{'{field}': '{hint}'}}}}, "
                f"(vehicle_fields() | selectattr('name', 'equalto', '{field}') | list)[0], \"{literal}\")"
            )
            selects.append(f"select '{hint}' as hint, {literal} as text, ({{{{ {expression} }}}}) is not null as reads")
    shown = run_dbt(
        warehouse, tmp_path, "show", "--inline", " union all ".join(selects), "--limit", "-1", "--output", "json",
        "--log-format", "json",
    )  # fmt: skip
    assert shown.returncode == 0, shown.stdout[-3000:]
    rows = next(json.loads(line)["data"]["preview"] for line in shown.stdout.splitlines() if '"preview"' in line)
    in_dbt = {(r["hint"], r["text"]): r["reads"] for r in json.loads(rows) if isinstance(rows, str)} or {
        (r["hint"], r["text"]): r["reads"] for r in rows
    }
    in_extractor = {
        (hint, text): bool(text) and hint_check(hint)(text) for hint, texts in cases.items() for text in texts
    }
    assert in_dbt == in_extractor
    assert in_extractor[("YYYY", "2024")] and in_extractor[("ISO 8601", "2014-01-14T18:56:42+01:00")]


def invalid(tmp_path: Path, yaml_body: str) -> str:
    path = tmp_path / "broken.sql"
    path.write_text("{% macro track__broken() %}{% set track %}\n" + yaml_body.strip() + "\n"
                    "{% endset %}{{ return(fromyaml(track)) }}{% endmacro %}\n")  # fmt: skip
    with pytest.raises(TrackError) as refused:
        load_track(path)
    return str(refused.value)


def test_a_track_is_refused_with_its_file_line_and_the_allowed_values(tmp_path: Path) -> None:
    base = "root: car\nmappings:\n  id: external_source_id\n  fuel: fuel\n  regdate: registration_date\n"
    message = invalid(tmp_path, base + "parse:\n  registration_date: YYYY/MM\n")
    assert f"{tmp_path / 'broken.sql'} line 8: parse.registration_date: 'YYYY/MM'" in message
    assert "allowed: YYYY-MM-DD, YYYY-MM, MM/YYYY, YYYY, DD-MM-YYYY HH:MM, ISO 8601" in message

    message = invalid(tmp_path, base + "vocabularies:\n  fuel: {Робот: ROBOT}\n")
    assert "line 8: vocabularies.fuel.Робот: maps to 'ROBOT'" in message
    assert "PETROL, DIESEL, LPG, CNG, ELECTRIC, HYBRID, OTHER" in message

    message = invalid(tmp_path, base + "lists:\n  images:\n    - path: photos/photo\n      fields: {caption: '.'}\n")
    assert "line 10: lists.images.0.fields.caption: unknown images field; allowed: url" in message

    message = invalid(tmp_path, base + "mapping_options: {}\n")
    assert "line 7: mapping_options: unknown key; allowed: dms, root, record_parent" in message

    message = invalid(tmp_path, "root: car\nmappings:\n  id: external_source_id\n  colour: colour\n")
    assert "line 5: mappings.colour: targets 'colour'; catalogue columns: external_source_id, vin," in message

    message = invalid(tmp_path, base + "  fuel: gearbox\n")
    assert "line 7: 'fuel' is written twice in the same mapping; merge them" in message

    message = invalid(tmp_path, base + "patterns:\n  fuel: '^[a-z]+$'\n")
    assert "line 8: patterns.fuel: needs exactly one capture group, has 0" in message

    message = invalid(
        tmp_path, base + "values:\n  discount: max_discount\nderive:\n  promotional_price: list_price / discount\n"
    )
    assert "derive.promotional_price: '/' must be followed by a number" in message


def test_an_invalid_track_stops_only_its_own_dms(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    track = project / "tracks" / "multigestionale.sql"
    track.write_text(track.read_text().replace("mileage: italian_number", "mileage: roman_numerals"))
    landing = tmp_path / "landing"
    assert run_extract(warehouse, "sample-data", "--landing", str(landing)).returncode == 0

    extracted = run_extract(warehouse, "--landing", str(landing), cwd=project)

    assert extracted.returncode == 1, extracted.stdout + extracted.stderr
    assert f"{track} line" in extracted.stderr and "parse.mileage: 'roman_numerals'" in extracted.stderr
    loaded = {row[0] for row in query(warehouse, "select distinct dms from raw.vehicle_records")}
    assert loaded == {"DMS_A", "GESTIONALEAUTO", "MOBILEDE"}
    assert query(warehouse, "select count(*) from raw.load_ledger where domain <> 'vehicles'")[0][0] > 0
    waiting = [p.name for p in (landing / "vehicles").rglob("*") if p.is_file() and "MULTIGESTIONALE" in str(p)]
    assert len(waiting) == 1 and "waits for a valid track file" in extracted.stdout


def test_what_a_track_cannot_read_is_counted_per_file(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    track = project / "tracks" / "dms_a.sql"
    # a track written for another version of the export: its equipment is under Equipment/Item now
    track.write_text(track.read_text().replace("path: Options/Option", "path: Equipment/Item"))
    landing = tmp_path / "landing"
    ads = [Ad("A-1", mileage="35.000 km"), Ad("A-2"), Ad("A-3", mileage="n/d")]
    write_feed(landing, "1", "DMS_A", "data.xml", document(ads).replace("<Fuel>Petrol</Fuel>", "<Fuel>Benzin</Fuel>"))

    extracted = run_extract(warehouse, "--landing", str(landing), cwd=project)

    assert extracted.returncode == 0, extracted.stdout + extracted.stderr
    [(warnings,)] = query(warehouse, "select warnings from raw.load_ledger")
    assert warnings.splitlines() == [
        "model_code: none of its paths (Codes/ModelCode) is in any of the 3 records",  # this export has none
        "version_code: none of its paths (Codes/VersionCode) is in any of the 3 records",
        "lists.optionals Equipment/Item: no item in any of the 3 records",
        "3 value(s) of fuel is not in its vocabulary (e.g. 'Benzin'): dbt makes them null",
        "2 value(s) of mileage does not read as number (e.g. '35.000 km', 'n/d'): dbt makes them null",
    ]
    assert "Loaded, but the track could not read everything" in extracted.stdout


def test_a_new_catalogue_field_needs_only_the_list_and_a_track(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    landing = tmp_path / "landing"
    feed = document([Ad("A-1", vin=GEELY)]).replace("<Color>", "<Drive>4x4</Drive><Color>")
    write_feed(landing, "1", "DMS_A", "data.xml", feed, datetime(2026, 11, 20, 6, tzinfo=UTC))
    assert run_extract(warehouse, "--landing", str(landing), cwd=project).returncode == 0
    assert run_dbt(warehouse, tmp_path, "build", "--select", *VEHICLE_MODELS, project_dir=project).returncode == 0

    # the only two edits: the field in the catalogue's list, and a mapping onto it in a track
    fields = project / "macros" / "vehicles" / "catalogue_fields.sql"
    new_field = "  - name: drive_type\n    kind: text\n    description: Which wheels the engine drives.\n"
    fields.write_text(fields.read_text().replace("fields:\n", "fields:\n" + new_field, 1))
    track = project / "tracks" / "dms_a.sql"
    track.write_text(
        track.read_text().replace("  Public/Color: color\n", "  Public/Color: color\n  Public/Drive: drive_type\n")
    )

    # the built incremental tables lack the column: the build says so instead of leaving it out
    refused = run_dbt(warehouse, tmp_path, "build", "--select", *VEHICLE_MODELS, project_dir=project)
    assert refused.returncode == 1 and "out of sync" in refused.stdout
    rebuilt = run_dbt(warehouse, tmp_path, "build", "--full-refresh", "--select", *VEHICLE_MODELS, project_dir=project)

    assert rebuilt.returncode == 0, rebuilt.stdout[-4000:]
    assert query(warehouse, "select drive_type from marts.vehicle") == [("4x4",)]
    assert query(warehouse, "select drive_type from marts.vehicle_layer") == [("4x4",)]
    assert query(warehouse, "select drive_type from marts.vehicle_layer_history") == [("4x4",)]
    assert query(warehouse, "select value from marts.vehicle_field_lineage where field_name = 'drive_type'") == [
        ("4x4",)
    ]
    assert load_catalogue.__wrapped__(fields).field("drive_type") is not None  # the extractor reads it too


def test_the_fields_doc_blocks_are_written_from_the_list() -> None:
    """dbt docs describes every catalogue field from the list; a field added without `catalogue docs` fails here."""
    written = (PROJECT_ROOT / "models/marts/vehicles/_catalogue_fields__docs.md").read_text(encoding="utf-8")
    assert written == render_docs(load_catalogue()), "run: python -m extract catalogue docs"


def test_dbt_fails_on_a_code_outside_the_catalogue_vocabulary(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    """The extractor refuses such a track; if one reaches dbt anyway (edited after the load), the build says so."""
    landing = tmp_path / "landing"
    write_feed(
        landing, "1", "DMS_A", "data.xml", document([Ad("A-1", vin=GEELY)]), datetime(2026, 11, 20, 6, tzinfo=UTC)
    )
    assert run_extract(warehouse, "--landing", str(landing)).returncode == 0
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    track = project / "tracks" / "dms_a.sql"
    track.write_text(track.read_text().replace("Petrol: PETROL", "Petrol: BENZINE"))

    built = run_dbt(warehouse, tmp_path, "build", "--select", "+vehicle_layer", project_dir=project)

    assert built.returncode == 1
    assert "Failure in test values_in_catalogue_vocabularies_vehicle_layer_" in built.stdout
    assert query(warehouse, "select fuel from marts.vehicle_layer") == [("BENZINE",)]  # what the test caught


def test_each_image_takes_its_largest_size_with_a_url(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    """mobile.de lists every size of an image (tracks/mobilede.sql: variants ranked XXXL ... S)."""
    url = "https://img.mobile.example/{}.jpg".format
    ad = mobilede.Ad(
        key="4711", inventory_key="MB-1", seller="S1", created="2026-11-18T10:00:00.000+01:00",
        modified="2026-11-20T06:00:00.000+01:00", category="Limousine", category_text="Berlina", make_key="VW",
        make="Volkswagen", model_key="GOLF", model="Golf", version="1.0 TSI", colour_key="GREY",
        colour_text="Grigio", colour_name=None, mileage=1000, gearbox="MANUAL_GEAR", gearbox_text="Manuale",
        fuel="PETROL", fuel_text="Benzina", power=81, first_registration="2020-09", vin=None, features=[],
        price="18490.00",
        images=[
            [("L", url("1_L")), ("S", url("1_S")), ("XL", url("1_XL")), ("M", url("1_M"))],  # scrambled: XL
            [("XXL", ""), ("M", url("2_M"))],  # the largest has no URL: the next size that has one
            [("L", ""), ("S", " ")],  # no size with a URL: no image, the next one takes position 3
            [("WIDE", url("4_WIDE")), ("S", url("4_S"))],  # a size the track does not rank comes last
            [("L", url("5_L_first")), ("L", url("5_L_second"))],  # one size twice: the first in the document
            [("WIDE", url("6_WIDE"))],  # only an unranked size: still an image
        ],
    )  # fmt: skip
    write_feed(tmp_path / "landing", "7", "MOBILEDE", "ads.xml", mobilede.FORMAT.document([ad]))
    assert run_extract(warehouse, "--landing", str(tmp_path / "landing")).returncode == 0

    built = run_dbt(warehouse, tmp_path, "build", "--select", "+vehicle_image")  # the images alone, and their tests
    assert built.returncode == 0, built.stdout[-3000:]

    assert query(warehouse, "select position, url from marts.vehicle_image order by position") == [
        (1, url("1_XL")), (2, url("2_M")), (3, url("4_S")), (4, url("5_L_first")), (5, url("6_WIDE")),
    ]  # fmt: skip
