"""Stand-in for dbt's `target` under sqlfluff (the dev target's defaults)."""

type = "postgres"  # noqa: A001 - dbt's attribute name
name = "dev"
dbname = "warehouse"
host = "127.0.0.1"
schema = "public"
