"""Stand-in for dbt's `adapter` when sqlfluff renders models with its jinja templater (no database).

`adapter.dispatch('name')(args...)` renders as the SQL call `name(args...)`: enough for the linter to
parse and check the model around it; the macros themselves are rendered by dbt on every target.
"""


def dispatch(macro_name: str, macro_namespace: str | None = None):
    def render(*args: object, **kwargs: object) -> str:
        parts = [str(a) for a in args] + [str(v) for v in kwargs.values()]
        return f"{macro_name}({', '.join(parts)})"

    return render
