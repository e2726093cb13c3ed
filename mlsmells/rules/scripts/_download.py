"""Where a value comes from: downloaded data, followed over the model's bindings (ML801).

:class:`DownloadFlow` answers, at one point of the walk, whether an expression holds
what a download fetched (the data, a response, the path of the file it wrote) and
from which download, following:

- names back to the values they are bound to (the model's bindings: ``path =
  hf_hub_download(...)``), and ``with ... as f`` / ``for chunk in ...`` targets to what
  they iterate or enter;
- the calls that pass data on: ``open(path)``, ``io.BytesIO(data)``,
  ``os.path.join(folder, ...)``, ``Path(p)``, ``gzip.decompress``, ``response.content``,
  ``response.read()``, ``folder / "x.pkl"``, f-strings;
- files a download wrote: the destination of ``urlretrieve(url, "x.pkl")`` and
  ``torch.hub.download_url_to_file``, and a file opened for writing that is given
  downloaded data (``f.write(response.content)``): the same literal, name or
  expression read later is downloaded data;
- functions of the file (through the model's :meth:`callee`): what a function returns
  (``return hf_hub_download(...)``, or its own parameter ``return open(path, "rb")``),
  and a parameter that a caller passes downloaded data to.

A value that comes from a parameter is answered with a token naming the function and
the parameter, so that a rule can wait for the calls of that function. Only what the
walk has passed counts: a function called before its body is walked returns nothing
known. Attributes (``self.path``), containers filled by a loop, other modules, files
extracted from a downloaded archive and data fetched by a subprocess are not followed.
"""

from __future__ import annotations

import ast

from mlsmells.engine import Context
from mlsmells.semantic.model import SemanticModel
from mlsmells.semantic.scopes import Binding, ScopeType

Token = ast.AST | tuple[int, str]
"""Where a value comes from: the download call or URL literal that fetched it, or a
parameter of a function of the file (the function's id, the parameter's name)."""

Origins = frozenset[Token]
_NONE: Origins = frozenset()

#: Calls whose result is downloaded: the data, a response, a file's path or a URL.
DOWNLOADS = frozenset(
    {
        "huggingface_hub.hf_hub_download",
        "huggingface_hub.file_download.hf_hub_download",
        "huggingface_hub.snapshot_download",
        "huggingface_hub._snapshot_download.snapshot_download",
        "huggingface_hub.cached_download",
        "huggingface_hub.file_download.cached_download",
        "huggingface_hub.hf_hub_url",
        "transformers.utils.cached_file",
        "transformers.utils.hub.cached_file",
        "urllib.request.urlopen",
        "urllib.request.urlretrieve",
        "requests.get",
        "requests.post",
        "requests.request",
        "requests.api.get",
        "requests.api.request",
        "httpx.get",
        "httpx.stream",
        "gdown.download",
        "wget.download",
        "tensorflow.keras.utils.get_file",
        "keras.utils.get_file",
        "keras.src.utils.file_utils.get_file",
    }
)

#: Downloads that write a file: qualified name -> position and keyword of its path.
DESTINATIONS: dict[str, tuple[int, str]] = {
    "urllib.request.urlretrieve": (1, "filename"),
    "torch.hub.download_url_to_file": (1, "dst"),
    "gdown.download": (1, "output"),
    "wget.download": (1, "out"),
}

#: Top-level packages of the downloads.
DOWNLOAD_ROOTS = frozenset(
    {"huggingface_hub", "transformers", "urllib", "requests", "httpx", "gdown", "wget",
     "tensorflow", "keras", "torch"}
)  # fmt: skip

#: Calls whose result holds what their first argument holds (a file of that path, the
#: same bytes decompressed, a path inside that folder ...).
_WRAPPERS = frozenset(
    {
        "builtins.open", "io.open", "gzip.open", "bz2.open", "lzma.open", "gzip.GzipFile",
        "bz2.BZ2File", "lzma.LZMAFile", "io.BytesIO", "io.BufferedReader", "pathlib.Path",
        "pathlib.PurePath", "builtins.str", "os.fspath", "os.path.join", "os.path.abspath",
        "os.path.expanduser", "os.path.realpath", "os.path.normpath", "gzip.decompress",
        "zlib.decompress", "bz2.decompress", "lzma.decompress", "base64.b64decode",
    }
)  # fmt: skip

#: Methods whose result holds what their receiver holds.
_PASSING_METHODS = frozenset(
    {"read", "read_bytes", "open", "getvalue", "iter_content", "iter_lines", "iter_bytes",
     "joinpath", "resolve", "absolute", "expanduser"}
)  # fmt: skip
#: Attributes of a response that hold its body.
_PAYLOADS = frozenset({"content", "raw"})

#: Methods that write their argument to the receiver's file.
_WRITES = frozenset({"write", "writelines", "write_bytes"})

#: Opening a file for writing: the mode argument's position.
_OPENERS = {
    "builtins.open": 1,
    "io.open": 1,
    "gzip.open": 1,
    "bz2.open": 1,
    "lzma.open": 1,
    "gzip.GzipFile": 1,
    "bz2.BZ2File": 1,
    "lzma.LZMAFile": 1,
}

#: How deep :meth:`DownloadFlow.origins` follows bindings and arguments.
_DEPTH = 12


def downloads(origins: Origins) -> list[ast.AST]:
    """The downloads among ``origins``, in source order."""
    found = [token for token in origins if isinstance(token, ast.AST)]
    return sorted(found, key=_position)


def _position(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def parameters(origins: Origins) -> list[tuple[int, str]]:
    return [token for token in origins if isinstance(token, tuple)]


class DownloadFlow:
    """Where values come from, at the current point of one walk (see the module)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.model: SemanticModel = ctx.model
        self.files: dict[str, Origins] = {}
        """Path literals of files a download wrote -> the downloads."""
        self.bound: dict[int, tuple[Binding, Origins]] = {}
        """id of a binding whose value is a path a download wrote to -> (it, the downloads)."""
        self.written: dict[str, Origins] = {}
        """``ast.dump`` of any other expression a download wrote to -> the downloads."""
        self.returns: dict[int, set[Token]] = {}
        """id of a function of the file -> where the values it returns come from."""

    # -------------------------------------------------------------- queries
    def origins(self, expr: ast.expr | None) -> Origins:
        """Where the value of ``expr`` comes from (empty: nowhere this flow knows)."""
        if expr is None:
            return _NONE
        return self._origins(expr, _DEPTH, set())

    def _origins(self, expr: ast.expr, depth: int, seen: set[int]) -> Origins:
        if depth <= 0:
            return _NONE
        depth -= 1
        if isinstance(expr, ast.Name):
            return self._name(expr.id, depth, seen)
        if isinstance(expr, ast.Constant):
            return self._literal(expr)
        if isinstance(expr, ast.Call):
            found = self._call(expr, depth, seen)
        elif isinstance(expr, ast.Attribute):
            return self._origins(expr.value, depth, seen) if expr.attr in _PAYLOADS else _NONE
        elif isinstance(expr, (ast.Subscript, ast.NamedExpr, ast.Await, ast.Starred)):
            return self._origins(expr.value, depth, seen)
        elif isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Div, ast.Add, ast.Mod)):
            found = self._origins(expr.left, depth, seen) | self._origins(expr.right, depth, seen)
        elif isinstance(expr, ast.JoinedStr):
            found = self._fstring(expr, depth, seen)
        elif isinstance(expr, ast.IfExp):
            return self._origins(expr.body, depth, seen) | self._origins(expr.orelse, depth, seen)
        else:
            return _NONE
        if self.written:
            found |= self.written.get(ast.dump(expr), _NONE)
        return found

    def _literal(self, expr: ast.Constant) -> Origins:
        value = expr.value
        if not isinstance(value, str):
            return _NONE
        if value.startswith(("http://", "https://", "ftp://")):
            return frozenset({expr})
        return self.files.get(value, _NONE)

    def _fstring(self, expr: ast.JoinedStr, depth: int, seen: set[int]) -> Origins:
        first = expr.values[0] if expr.values else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            if first.value.startswith(("http://", "https://", "ftp://")):
                return frozenset({expr})
        found: set[Token] = set()
        for part in expr.values:
            if isinstance(part, ast.FormattedValue):
                found |= self._origins(part.value, depth, seen)
        return frozenset(found)

    def _name(self, name: str, depth: int, seen: set[int]) -> Origins:
        binding = self.model.lookup(name)
        if binding is None or id(binding) in seen:
            return _NONE
        seen.add(id(binding))
        written = self.bound.get(id(binding))
        found = written[1] if written is not None else _NONE
        parameter = self._parameter(name, binding)
        if parameter is not None:
            return found | {parameter}
        value = binding.node
        if isinstance(value, ast.expr) and binding.qualname is None and not binding.is_class:
            return found | self._origins(value, depth, seen)
        entered = self._entered(binding.site)
        if entered is not None:
            return found | self._origins(entered, depth, seen)
        return found

    def _parameter(self, name: str, binding: Binding) -> tuple[int, str] | None:
        """``(id of the function, name)`` when ``binding`` is a parameter's, as the call
        bound it (not rebound since)."""
        site = binding.site
        if site is not None and not isinstance(site, ast.arg):
            return None
        if site is None and (binding.node is not None or binding.qualname or binding.is_class):
            return None
        for scope in self.model.scope.lookup_chain():
            if scope.bindings.get(name) is not binding:
                continue
            node = scope.node
            if scope.type is ScopeType.FUNCTION and isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef)
            ):
                args = node.args
                if any(a.arg == name for a in args.posonlyargs + args.args + args.kwonlyargs):
                    return id(node), name
            return None
        return None

    def _entered(self, site: ast.AST | None) -> ast.expr | None:
        """What a ``with`` enclosing this point enters, or a ``for`` iterates, to bind the
        name bound at ``site``."""
        if site is None:
            return None
        for node in reversed(self.ctx.ancestors):
            if isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is site:
                        return item.context_expr
            elif isinstance(node, (ast.For, ast.AsyncFor)) and node.target is site:
                return node.iter
        return None

    def _call(self, call: ast.Call, depth: int, seen: set[int]) -> Origins:
        qualname = self.model.qualname(call.func)
        if qualname in DOWNLOADS:
            return frozenset({call})
        if qualname in _WRAPPERS:
            first = call.args[0] if call.args else None
            return self._origins(first, depth, seen) if first is not None else _NONE
        func = call.func
        if qualname is None and isinstance(func, ast.Attribute) and func.attr in _PASSING_METHODS:
            return self._origins(func.value, depth, seen)
        function = self.model.callee(func)
        if function is None or isinstance(function, ast.Lambda):
            return _NONE
        found: set[Token] = set()
        for token in self.returns.get(id(function), ()):
            if not isinstance(token, tuple):
                found.add(token)
            elif token[0] == id(function):
                argument = argument_for(call, function, token[1])
                if argument is not None:
                    found |= self._origins(argument, depth, seen)
        return frozenset(found)

    # --------------------------------------------------------------- events
    def returned(self, node: ast.Return) -> None:
        """A ``return`` of a function of the file: remember where its value comes from."""
        function = self.model.enclosing_function()
        if function is None or node.value is None:
            return
        found = self.origins(node.value)
        if found:
            self.returns.setdefault(id(function), set()).update(found)

    def called(self, call: ast.Call, qualname: str | None) -> None:
        """A call that may write downloaded data to a file."""
        place = DESTINATIONS.get(qualname or "")
        if place is not None:
            self._wrote(argument_at(call, *place), frozenset({call}))
            return
        func = call.func
        data: ast.expr | None
        if qualname == "shutil.copyfileobj" and len(call.args) >= 2:
            data, target = call.args[0], self._written_path(call.args[1])
        elif isinstance(func, ast.Attribute) and func.attr in _WRITES:
            data = call.args[0] if call.args else None
            target = self._written_path(func.value, func.attr == "write_bytes")
        else:
            return
        if data is not None and target is not None:
            found = frozenset(downloads(self.origins(data)))
            if found:
                self._wrote(target, found)

    def _written_path(self, expr: ast.expr, path: bool = False, depth: int = 4) -> ast.expr | None:
        """The path of the file ``expr`` writes to: ``open(p, "wb")`` (or, ``path``:
        ``Path(p)``), or a name bound to one or entered by ``with``."""
        if depth <= 0:
            return None
        if isinstance(expr, ast.Name):
            binding = self.model.lookup(expr.id)
            if binding is None:
                return None
            value = binding.node if isinstance(binding.node, ast.expr) else None
            value = value if value is not None else self._entered(binding.site)
            return self._written_path(value, path, depth - 1) if value is not None else None
        if not isinstance(expr, ast.Call) or not expr.args:
            return None
        qualname = self.model.qualname(expr.func)
        if path:
            return expr.args[0] if qualname in ("pathlib.Path", "pathlib.PurePath") else None
        position = _OPENERS.get(qualname or "")
        if position is None:
            return None
        mode = argument_at(expr, position, "mode")
        if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
            if any(letter in mode.value for letter in "wax"):
                return expr.args[0]
        return None

    def _wrote(self, target: ast.expr | None, found: Origins) -> None:
        """A download wrote to the file at ``target``."""
        if target is None:
            return
        if isinstance(target, ast.Constant) and isinstance(target.value, str):
            self.files[target.value] = self.files.get(target.value, _NONE) | found
        elif isinstance(target, ast.Name):
            binding = self.model.lookup(target.id)
            if binding is None:
                return
            known = self.bound.get(id(binding))
            self.bound[id(binding)] = (binding, found | (known[1] if known else _NONE))
            value = binding.node
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                self.files[value.value] = self.files.get(value.value, _NONE) | found
        else:
            key = ast.dump(target)
            self.written[key] = self.written.get(key, _NONE) | found


def argument_at(call: ast.Call, position: int, name: str) -> ast.expr | None:
    """The argument ``name`` of ``call``, by keyword or at ``position``."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    args = call.args
    if len(args) > position and not any(isinstance(a, ast.Starred) for a in args[: position + 1]):
        return args[position]
    return None


def argument_for(
    call: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef, name: str
) -> ast.expr | None:
    """The argument ``call`` passes to the parameter ``name`` of ``function`` (a method
    called through an attribute takes its first parameter from the receiver)."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    args = function.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    static = any(
        isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list
    )
    if isinstance(call.func, ast.Attribute) and not static and positional:
        positional = positional[1:]
    if name not in positional:
        return None
    index = positional.index(name)
    if any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return None
    return call.args[index] if index < len(call.args) else None
