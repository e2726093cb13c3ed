"""ML902 read-without-dtype: a pandas reader called without `dtype=`."""

from __future__ import annotations

import ast

from mlsmells.engine import Check
from mlsmells.records import Family, Rule
from mlsmells.rules._util import has_star_kwargs, keyword
from mlsmells.rules.opinionated._qualnames import short

RULE = Rule(
    code="ML902",
    name="read-without-dtype",
    pylint_id="C7682",
    family=Family.OPINIONATED,
    message="`{func}(...)` without `dtype=`: column types are guessed from the data",
    summary="`pd.read_csv`/`read_table`/`read_excel` is called without `dtype=`.",
    rationale=(
        "Without `dtype=` pandas infers each column's type from the values it sees: an ID "
        "column with leading zeros becomes an integer, a column with one stray string "
        "becomes `object`, and a new data drop silently changes the schema the rest of the "
        "pipeline expects. Declaring the types makes the expected schema explicit and "
        "fails early when the data disagrees. `converters=` or `**kwargs` also count as "
        "declaring types."
    ),
    bad='df = pd.read_csv("customers.csv")\n',
    good='df = pd.read_csv("customers.csv", dtype={"zip": "string", "age": "Int64"})\n',
    default_enabled=False,
    noise=(
        "Fires on every exploratory load: notebooks, examples and small scripts read "
        "CSVs whose schema nobody needs to pin, and wide tables make a full `dtype=` "
        "mapping long."
    ),
)


_READERS = frozenset({"pandas.read_csv", "pandas.read_table", "pandas.read_excel"})


class ReadWithoutDtype(Check):
    """ML902: a pandas reader without ``dtype=``."""

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = frozenset({"pandas"})

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        qualname = self.model.qualname(node.func)
        if qualname not in _READERS or has_star_kwargs(node):
            return
        if keyword(node, "dtype") is not None or keyword(node, "converters") is not None:
            return
        self.report("ML902", node, func=f"pd.{short(qualname)}")
