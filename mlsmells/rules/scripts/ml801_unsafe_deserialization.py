"""ML801 unsafe-deserialization: a pickle-based load of downloaded data."""

from __future__ import annotations

import ast

from mlsmells.engine import Check, Context
from mlsmells.records import Family, Rule
from mlsmells.rules.scripts._download import (
    DESTINATIONS,
    DOWNLOAD_ROOTS,
    DownloadFlow,
    argument_for,
    downloads,
    parameters,
)
from mlsmells.rules.scripts._pickle import LOAD_NAMES, PICKLE_ROOTS, pickle_load

RULE = Rule(
    code="ML801",
    name="unsafe-deserialization",
    pylint_id="W7665",
    family=Family.SCRIPTS,
    message="`{load}` unpickles data from {source} ({where}): loading it can run any code "
    "the file holds",
    summary="A pickle-based load reads data that comes from a download.",
    rationale=(
        "Unpickling runs whatever the pickle says: a file fetched from the Hub, a URL or "
        "a shared link is code written by whoever controls that place today. Save and "
        "share data in formats that hold data only (safetensors, `np.save` without "
        "objects, Parquet, JSON, skops for scikit-learn models), or check the file "
        "against a hash you trust before loading it. The loads: `pickle.load/loads`, "
        "`joblib.load`, `pd.read_pickle`, `dill` and `cloudpickle` loads, `np.load` with "
        "`allow_pickle=True` and `torch.load` with `weights_only=False` (a `torch.load` "
        "without `weights_only` is ML401's). The downloads: `hf_hub_download`, "
        "`snapshot_download`, `cached_download`, `urllib.request.urlopen` and "
        "`urlretrieve`, `requests`/`httpx` responses, `torch.hub.download_url_to_file`, "
        "`gdown`, `wget` and Keras' `get_file`, and URL literals. The rule follows the "
        "data over assignments, `with open(...) as f`, `open`, `io.BytesIO`, "
        "`os.path.join`, `Path`, decompression, `response.content`, `response.read()`, "
        "files a download wrote (the destination of `urlretrieve`, a file opened for "
        "writing that gets the response) and the functions of the same file: what they "
        "return, and what their callers pass them (the finding is then on the load "
        "inside the function). It does not follow attributes (`self.path`), other "
        "modules, or files extracted from a downloaded archive."
    ),
    bad=(
        'path = hf_hub_download("someone/q-table", "q-learning.pkl")\n'
        'with open(path, "rb") as f:\n'
        "    model = pickle.load(f)\n"
    ),
    good=(
        'path = hf_hub_download("someone/q-table", "q-table.safetensors")\n'
        "table = safetensors.numpy.load_file(path)\n"
    ),
)


#: The downloads whose results the rule follows through ``return`` (not torch's
#: ``download_url_to_file``, which returns nothing: every torch file would pay for it).
_RETURN_ROOTS = DOWNLOAD_ROOTS - {"torch"}


class UnsafeDeserialization(Check):
    """ML801: a pickle-based load of data that comes from a download."""

    rules = (RULE,)
    nodes = (ast.Call, ast.Return)
    requires = DOWNLOAD_ROOTS | PICKLE_ROOTS
    words = tuple(LOAD_NAMES)  # a finding is at a load

    _CALLS = LOAD_NAMES | frozenset(
        {name.rpartition(".")[2] for name in DESTINATIONS}
        | {"write", "writelines", "write_bytes", "copyfileobj"}
    )

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.flow = DownloadFlow(ctx)
        self.parameter_loads: dict[tuple[int, str], dict[int, tuple[ast.Call, str]]] = {}
        """(id of a function, parameter) -> the loads (by id) of what it is passed: the
        call and the load's name."""
        self.loading: set[int] = set()
        """The functions with a parameter in :attr:`parameter_loads`."""

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Return):
            if self.model.imported_roots & _RETURN_ROOTS:
                self.flow.returned(node)
            return
        assert isinstance(node, ast.Call)
        if self.model.may_resolve_to(node.func, self._CALLS):
            self._call(node)
        if self.loading:
            self._call_of_loader(node)

    def _call(self, call: ast.Call) -> None:
        load = pickle_load(self.model, call)
        if load is None:
            self.flow.called(call, self.model.qualname(call.func))
            return
        qualname, data = load
        found = self.flow.origins(data)
        text = self.ctx.source_of(call.func)
        sources = downloads(found)
        if sources:
            self._report(call, text, sources[0])
        for parameter in parameters(found):
            self.parameter_loads.setdefault(parameter, {})[id(call)] = (call, text)
            self.loading.add(parameter[0])

    def _call_of_loader(self, call: ast.Call) -> None:
        """A call of a function of the file that loads what a parameter is passed."""
        function = self.model.callee(call.func)
        if function is None or id(function) not in self.loading:
            return
        assert not isinstance(function, ast.Lambda)
        for (owner, name), loads in list(self.parameter_loads.items()):
            if owner != id(function):
                continue
            found = self.flow.origins(argument_for(call, function, name))
            sources = downloads(found)
            for load, text in loads.values():
                if sources:
                    self._report(load, text, sources[0])
            for parameter in parameters(found):  # passed on from the caller's parameter
                self.parameter_loads.setdefault(parameter, {}).update(loads)
                self.loading.add(parameter[0])

    def _report(self, load: ast.Call, text: str, source: ast.AST) -> None:
        if isinstance(source, ast.Call):
            what = f"`{self.ctx.source_of(source.func)}`"
        else:
            what = "a URL"
        where = self.ctx.line_label(getattr(source, "lineno", load.lineno))
        self.report("ML801", load, load=text, source=what, where=where)
