"""Stand-in for dbt's `api` under sqlfluff: `api.Relation.create(database=..., schema=..., identifier=...)`
renders as the relation's dotted name (what the SQL around it needs to parse), keeping its parts."""

from __future__ import annotations


class _Relation(str):
    database: str | None
    schema: str | None
    identifier: str | None


class Relation:
    @staticmethod
    def create(
        database: str | None = None, schema: str | None = None, identifier: str | None = None, type: str | None = None
    ) -> _Relation:
        relation = _Relation(".".join(part for part in (database, schema, identifier) if part))
        relation.database, relation.schema, relation.identifier = database, schema, identifier
        return relation
