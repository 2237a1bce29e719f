"""unificado: deduplicated on (ID, MUESTRA, RESULTADO), stamped with its copy time, with a run log."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from support import query, run_dbt, run_extract

from extract.warehouse import WarehouseAddress

HEADER = ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", "MUESTRA", "VALOR", "ORIGEN",
          "FECHA_COPIA", "RESULTADO"]  # fmt: skip


def row(
    id_: str, muestra: str, resultado: str, qual: str, info: str = "DP=30", origen: str = "HOSPITAL", copied: str = ""
) -> list[str]:
    """A line of a lab file; FECHA_COPIA (`copied`) is empty in the weekly files, filled in the old table's export."""
    return ["chr1", "100", id_, "A", "C", qual, "PASS", info, "GT", muestra, "0/1", origen, copied, resultado]


def write_csv(path: Path, rows: list[list[str]], delimiter: str, encoding: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [delimiter.join(HEADER if n == 0 else r) for n, r in enumerate([HEADER, *rows])]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))


def test_weekly_files_deduplicate_and_log(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    week1 = [
        row("rsA", "M1", "POS", "10"),
        row("rsA", "M1", "POS", "11"),  # duplicate within the file: the later line wins
        row("", "M2", "NEG", "20"),  # null ID
        row("rsB", "M3", "POS", "30", info="X" * 701),  # too long for INFO varchar(700)
    ]
    week2 = [
        row("rsA", "M1", "POS", "12", origen="Clínica Peña"),  # across weeks, differs only in non-key columns
        row("", "M2", "NEG", "21"),  # null key parts count as equal
        row("rsC", "M4", "POS", "40"),
        row("rsA", "M1", "NEG", "50"),  # another RESULTADO: another row
    ]
    write_csv(landing / "lab/unificado/week1.csv", week1, ",", "utf-8-sig")  # UTF-8 with BOM, commas
    assert run_extract(warehouse, "--landing", str(landing)).returncode == 0
    write_csv(landing / "lab/unificado/week2.csv", week2, ";", "latin-1")  # semicolons, Latin-1
    assert run_extract(warehouse, "--landing", str(landing)).returncode == 0

    built = run_dbt(
        warehouse, tmp_path, "build", "--select", "+unificado", "+unificado_rejected", "+unificado_load_log"
    )

    assert built.returncode == 0, built.stdout[-4000:]
    rows = query(warehouse, "select id, muestra, resultado, qual, origen from marts.unificado order by 1, 3")
    assert rows == [
        ("rsA", "M1", "NEG", "50", "HOSPITAL"),
        ("rsA", "M1", "POS", "12", "Clínica Peña"),
        ("rsC", "M4", "POS", "40", "HOSPITAL"),
        (None, "M2", "NEG", "21", "HOSPITAL"),
    ]
    copies = query(
        warehouse,
        "select u.qual, l.file from marts.unificado u join marts.unificado_load_log l on u.fecha_copia = l.fecha_copia"
        " order by 1",
    )
    assert [file for _, file in copies] == ["lab/unificado/week2.csv"] * 4  # stamped with its copy time
    assert query(warehouse, "select landing_key, line_number, rejection_reason from marts.unificado_rejected") == [
        ("lab/unificado/week1.csv", 5, "INFO has 701 characters, at most 700;")
    ]
    log = query(
        warehouse,
        "select file, rows_in_file, new_rows, replaced_rows, rows_rejected, database_name"
        " from marts.unificado_load_log order by load_id",
    )
    assert log == [
        ("lab/unificado/week1.csv", 4, 2, 0, 1, warehouse.dbname),
        ("lab/unificado/week2.csv", 4, 2, 2, 0, warehouse.dbname),
    ]
    columns = query(
        warehouse,
        "select column_name, data_type, character_maximum_length from information_schema.columns"
        " where table_schema = 'marts' and table_name = 'unificado' order by ordinal_position",
    )
    assert [c[0] for c in columns] == [h.lower() for h in HEADER]
    assert columns[7] == ("info", "character varying", 700) and columns[12][1] == "timestamp without time zone"


def test_the_old_table_migrates_with_its_copy_times(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    """An export of the old Unificado table keeps its FECHA_COPIA; keep-latest works across it and the weekly files."""
    landing = tmp_path / "landing"
    old_table = [
        row("rsA", "M1", "POS", "10", copied="2019-05-31 20:19:24.760"),
        row("rsA", "M1", "POS", "10", copied="2019-05-31 20:19:24.760"),  # two identical copies ...
        row("rsA", "M1", "POS", "11", copied="2020-02-03 08:00:00.000"),  # ... and a later one: it wins
        row("rsB", "M2", "NEG", "20", copied="2020-02-03 08:00:00"),
        row("rsC", "M3", "POS", "30", copied="2020-02-03 08:00:00.000"),
        row("rsD", "M4", "POS", "40", copied="31/05/2019 20:19"),  # not the table's format: refused, with the reason
    ]
    write_csv(landing / "lab/unificado/unificado_old_table.csv", old_table, ",", "utf-8")
    assert run_extract(warehouse, "--landing", str(landing)).returncode == 0
    write_csv(landing / "lab/unificado/week.csv", [row("rsB", "M2", "NEG", "21")], ",", "utf-8")  # a weekly file
    assert run_extract(warehouse, "--landing", str(landing)).returncode == 0

    built = run_dbt(
        warehouse, tmp_path, "build", "--select", "+unificado", "+unificado_rejected", "+unificado_load_log"
    )

    assert built.returncode == 0, built.stdout[-4000:]
    [(weekly_copy,)] = query(warehouse, "select fecha_copia from marts.unificado_load_log where file like '%%week.csv'")
    assert query(warehouse, "select id, qual, fecha_copia from marts.unificado order by 1") == [
        ("rsA", "11", datetime(2020, 2, 3, 8, 0)),
        ("rsB", "21", weekly_copy),  # the weekly file's row is newer than the old table's copy
        ("rsC", "30", datetime(2020, 2, 3, 8, 0)),
    ]
    assert query(warehouse, "select line_number, rejection_reason from marts.unificado_rejected") == [
        (7, "FECHA_COPIA 31/05/2019 20:19 is not a date-time (expected YYYY-MM-DD HH:MM:SS.fff);")
    ]
