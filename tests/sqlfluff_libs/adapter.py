"""Stand-in for dbt's `adapter` when sqlfluff renders models with its jinja templater (no database).

`adapter.dispatch('name')(args...)` renders as the SQL call `name(args...)` (lists as array[...]): enough
for the linter to parse and check the model around it. FROM-clause fragments render as PostgreSQL's.
The macros themselves are rendered by dbt on every target.
"""


def _sql(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return "array[" + ", ".join(f"'{v}'" for v in value) + "]"
    return str(value)


def dispatch(macro_name: str, macro_namespace: str | None = None):
    def render(*args: object, **kwargs: object) -> str:
        if macro_name == "unnest_json_array":
            array, element, position = (*args, *kwargs.values())[:3]
            return f"cross join lateral jsonb_array_elements({array}) with ordinality as {element} (value, {position})"
        if macro_name == "json_read_once_join":
            column, alias = (*args, *kwargs.values())[:2]
            return f"cross join lateral (select {column} #> '{{}}' as document) as {alias}"  # dbt's adds offset 0
        if macro_name == "json_read_once":
            return f"{(*args, *kwargs.values())[1]}.document"
        if macro_name == "dms_list_rows":  # a whole select (per warehouse: macros/vehicles/dms_lists.sql)
            return f"select * from dms_list_rows('{args[0]}')"
        if macro_name == "unpivot_vehicle_fields":  # a whole select over its relation (or the table it reads)
            relation, table = args[0], args[2] if len(args) > 2 else kwargs.get("table")
            return f"select * from {relation}" if table is None else f"select * from {table} as {relation}"
        if macro_name == "regex_capture":
            text, pattern = (*args, *kwargs.values())[:2]
            return "substring({} from '{}')".format(text, str(pattern).replace("'", "''"))
        if macro_name in ("parse_date", "parse_number"):
            args, kwargs = args[:1], {}  # the format and the shape (a regular expression) are not SQL
        parts = [_sql(a) for a in args] + [_sql(v) for v in kwargs.values()]
        return f"{macro_name}({', '.join(parts)})"

    return render
