"""The S3 landing zone, against moto's S3-compatible server over real HTTP."""

from __future__ import annotations

from support import AWS_CREDENTIALS as CREDENTIALS
from support import PROJECT_ROOT, query, run_extract

from extract.warehouse import WarehouseAddress


def keys(client: object, bucket: str) -> list[str]:
    listing = client.list_objects_v2(Bucket=bucket)  # type: ignore[attr-defined]
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_s3_landing_loads_archives_and_rejects(
    warehouse: WarehouseAddress, bucket: tuple[str, object], aws_endpoint: str
) -> None:
    name, client = bucket
    sample = PROJECT_ROOT / "sample_data/lab/unificado/unificado_2026-11-09.csv"
    client.upload_file(str(sample), name, "feeds/lab/unificado/week.csv")  # type: ignore[attr-defined]
    client.put_object(Bucket=name, Key="feeds/lab/unificado/bad.csv", Body=b"nothing,useful\n")  # type: ignore[attr-defined]
    client.put_object(Bucket=name, Key="elsewhere/lab/unificado/other.csv", Body=b"x\n")  # type: ignore[attr-defined]

    done = run_extract(warehouse, "--landing", f"s3://{name}/feeds", AWS_ENDPOINT_URL=aws_endpoint, **CREDENTIALS)

    assert done.returncode == 1, done.stderr
    assert query(warehouse, "select count(*) from raw.unificado_rows") == [(6,)]
    assert query(warehouse, "select landing_uri, landing_key, status from raw.load_ledger order by landing_key") == [
        (f"s3://{name}/feeds", "lab/unificado/bad.csv", "rejected"),
        (f"s3://{name}/feeds", "lab/unificado/week.csv", "loaded"),
    ]
    remaining = keys(client, name)
    assert "elsewhere/lab/unificado/other.csv" in remaining  # outside the prefix: untouched
    assert not [k for k in remaining if k.startswith("feeds/lab/")]
    imported = [k for k in remaining if k.startswith("feeds/imported/lab/unificado/")]
    rejected = [k for k in remaining if k.startswith("feeds/rejected/lab/unificado/")]
    assert len(imported) == 1 and imported[0].endswith("/week.csv") and len(imported[0].split("/")) == 9
    assert sorted(k.rsplit("/", 1)[1] for k in rejected) == ["bad.csv", "bad.csv.reason.txt"]
    reason_key = next(k for k in rejected if k.endswith(".reason.txt"))
    reason = client.get_object(Bucket=name, Key=reason_key)["Body"].read().decode()  # type: ignore[attr-defined]
    assert "bad.csv line 1: the header lacks CHROM" in reason


def test_s3_same_object_again_is_skipped(
    warehouse: WarehouseAddress, bucket: tuple[str, object], aws_endpoint: str
) -> None:
    name, client = bucket
    sample = PROJECT_ROOT / "sample_data/lab/unificado/unificado_2026-11-16.csv"
    env = {"AWS_ENDPOINT_URL": aws_endpoint, **CREDENTIALS}
    for _ in range(2):
        client.upload_file(str(sample), name, "lab/unificado/week.csv")  # type: ignore[attr-defined]
        assert run_extract(warehouse, "--landing", f"s3://{name}", **env).returncode == 0

    assert query(warehouse, "select status from raw.load_ledger order by load_id") == [
        ("loaded",),
        ("skipped",),
    ]
    assert query(warehouse, "select count(*) from raw.unificado_rows") == [(4,)]
