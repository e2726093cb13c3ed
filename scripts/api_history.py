"""Read released wheels of NumPy, pandas, scikit-learn, PyTorch and torchvision statically.

A helper of ``scripts/gen_api_tables.py`` (see its docstring for the whole
pipeline). Given one wheel, :class:`Release` answers *probes* -- questions
about that release's public API -- by parsing its Python sources and type
stubs with :mod:`ast`; nothing is imported or installed, so a wheel built for
another Python or platform does as well as a native one.

A probe is a string ``"<kind>:<spec>"``:

``mod:<dotted>``
    The module exists. It *warns* when its body emits a deprecation warning
    on import (``numpy.compat`` in NumPy 2).
``attr:<dotted>``
    A public name: the longest importable module prefix, then a name bound in
    that module (by a definition, an assignment, an import, a star import
    filtered by the source module's ``__all__``, or its ``.pyi`` stub), then
    optionally one class member. It warns when its definition does (a
    ``warnings.warn`` with a deprecation category or wording, a decorator
    called ``deprecated``/``deprecate``/...), when the module's
    ``__deprecated_attrs__`` holds it (NumPy), when a module ``__getattr__``
    warns about it (pandas 1.x's ``pd.np``), or when PyTorch's
    ``add_docstr`` text for it calls it deprecated (functions written in C++).
``member:<Class>|<Class>...:<name>``
    A method or attribute defined in the body of a class of one of these
    names anywhere in the package (pandas' ``DataFrame``/``NDFrame`` ...).
``param:<dotted callable>:<name>``
    The callable (a function, or a class's ``__init__`` found through its
    bases) has this parameter. It warns when the default is the sentinel
    ``"deprecated"``/``"warn"`` or a deprecation warning of the class or
    function names the parameter.
``fitted:<Class>|<Class>...:<name>``
    As ``member``, or an attribute that a method of such a class sets on
    ``self`` (``self.grid_scores_ = ...`` in ``fit``: a fitted attribute).
``value:<dotted callable>:<keyword>=<value>``
    The module defining the callable spells the string ``value`` as a
    literal (a parameter constraint, a table of criteria ...). It warns when
    a deprecation warning there names the value.

Each probe answers ``present`` (bool), ``warns`` (bool) and ``stated`` (the
version a deprecation message of it states, ``"deprecated since 1.16"``, or
``None``).
"""

from __future__ import annotations

import ast
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: Words of a deprecation message.
DEPRECATION_WORDS = re.compile(
    r"deprecat|will be removed|was renamed|is renamed|renamed to|has been renamed", re.IGNORECASE
)
_CATEGORIES = frozenset(
    {
        "DeprecationWarning", "FutureWarning", "VisibleDeprecationWarning",
        "PendingDeprecationWarning",
    }
)
#: ``deprecated since 1.16``, ``deprecated in version 1.2``, ``deprecated as of NumPy 1.25``.
_STATED = re.compile(
    r"(?:deprecated|renamed)\b(?:(?!remov|will|future)[^.;]){0,60}?\b(?:since|in|as of|from)\s+"
    r"(?:(?:NumPy|numpy|PyTorch|pytorch|pandas|scikit-learn|torchvision)\s+)?"
    r"(?:version\s+|v)?(\d+\.\d+)"
    r"|deprecated\s+(?:NumPy|numpy|PyTorch|pandas|scikit-learn|torchvision)\s+(\d+\.\d+)"
    r"|\.\. deprecated:: (\d+\.\d+)",
    re.IGNORECASE,
)
#: A docstring that says its function or class is deprecated (PyTorch's ``.. warning::``).
_DOC_DEPRECATED = re.compile(
    r"\b(?:is|are|has been) deprecated\b|\bdeprecated in favou?r of\b", re.IGNORECASE
)
#: Modules whose namespace a loop fills at import time from a C extension, and the
#: stubs that list what it gets (``for name in dir(_C._VariableFunctions): ...``).
EXTRA_STUBS: dict[str, tuple[str, ...]] = {
    "torch": ("torch/_C/_VariableFunctions.pyi",),
}
#: NumPy's tables of names its module ``__getattr__`` serves with a warning, and of
#: names it refuses (they raise ``AttributeError`` with a migration note).
_WARNED_TABLES = frozenset({"__deprecated_attrs__"})
_REFUSED_TABLES = frozenset(
    {"__former_attrs__", "__expired_functions__", "__expired_attributes__", "__future_scalars__"}
)


@dataclass(frozen=True)
class Answer:
    present: bool
    warns: bool = False
    stated: str | None = None


def _strings(node: ast.AST) -> Iterator[str]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value


def _names(node: ast.AST) -> Iterator[str]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            yield sub.id
        elif isinstance(sub, ast.Attribute):
            yield sub.attr


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def deprecation_calls(node: ast.AST) -> Iterator[ast.Call]:
    """Calls in ``node`` that emit a deprecation warning (``warnings.warn(..., FutureWarning)``,
    ``warn("... is deprecated ...")``, ``TORCH_WARN``-like helpers named ``*warn*``)."""
    for sub in ast.walk(node):
        if not isinstance(sub, ast.Call) or "warn" not in _call_name(sub).lower():
            continue
        texts = list(_strings(sub))
        if any(DEPRECATION_WORDS.search(text) for text in texts):
            yield sub
        elif _CATEGORIES & set(_names(sub)) and not any(" " in text for text in texts):
            yield sub  # the message is not spelled here (a variable): trust the category


def stated_version(texts: Iterator[str] | list[str]) -> str | None:
    """The oldest version that deprecation messages among ``texts`` name."""
    found = [
        next(g for g in m.groups() if g) for text in texts for m in _STATED.finditer(text)
    ]
    return min(found, key=version_key) if found else None


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run at import time: also those inside ``if``/``try``/``with`` blocks."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If):
            yield from _module_level(stmt.body)
            yield from _module_level(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            yield from _module_level(stmt.body)
            for handler in stmt.handlers:
                yield from _module_level(handler.body)
            yield from _module_level(stmt.orelse)
            yield from _module_level(stmt.finalbody)
        elif isinstance(stmt, ast.With):
            yield from _module_level(stmt.body)


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from _target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _only_raises(function: ast.FunctionDef) -> bool:
    """A function whose body (past its docstring) only raises: a removed API's tombstone."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return len(body) == 1 and isinstance(body[0], ast.Raise)


def _served_by_getattr(function: ast.FunctionDef, env: dict[str, ast.expr]) -> set[str]:
    """The names a module ``__getattr__`` returns something for: string literals its
    ``if`` tests compare the name with (also through a module-level variable), in
    branches that do not raise."""
    served: set[str] = set()
    for sub in ast.walk(function):
        if not isinstance(sub, ast.If):
            continue
        branch = ast.Module(body=sub.body, type_ignores=[])
        if any(isinstance(s, ast.Raise) for s in ast.walk(branch)):
            continue
        if any(re.search(r"\b(?:is|was|been) removed\b", t) for t in _strings(branch)):
            continue  # pandas 1.0's ``pd.Panel``: a placeholder that says it is gone
        served.update(t for t in _strings(sub.test) if t.isidentifier())
        for name in _names(sub.test):
            if name in env:
                served.update(t for t in _strings(env[name]) if t.isidentifier())
    return served


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


class Release:
    """One wheel of a library, read without importing it."""

    def __init__(self, package: str, version: str, wheel: Path) -> None:
        self.package = package
        self.version = version
        self._zip = zipfile.ZipFile(wheel)
        self._files = frozenset(
            n for n in self._zip.namelist() if n.endswith((".py", ".pyi"))
        )
        self._trees: dict[str, ast.Module | None] = {}
        self._names: dict[str, frozenset[str]] = {}
        self._warned: dict[str, frozenset[str]] = {}
        self._classes: dict[str, list[tuple[str, ast.ClassDef]]] = {}
        self._texts: dict[str, str] = {}
        self._exports: dict[str, frozenset[str]] = {}
        self._resolving: set[str] = set()

    # ---------------------------------------------------------------- files
    def files(self) -> frozenset[str]:
        return self._files

    def tree(self, path: str) -> ast.Module | None:
        if path not in self._trees:
            try:
                text = self._zip.read(path).decode("utf-8", errors="replace")
                self._trees[path] = ast.parse(text)
            except (KeyError, SyntaxError, ValueError):
                self._trees[path] = None
        return self._trees[path]

    def module_paths(self, dotted: str) -> list[str]:
        """The source and stub files of a module (empty when it does not exist)."""
        base = dotted.replace(".", "/")
        found = [
            p
            for p in (f"{base}.py", f"{base}/__init__.py", f"{base}.pyi", f"{base}/__init__.pyi")
            if p in self._files
        ]
        return found + [p for p in EXTRA_STUBS.get(dotted, ()) if p in self._files]

    def is_module(self, dotted: str) -> bool:
        return bool(self.module_paths(dotted))

    def _resolve_from(self, module: str, node: ast.ImportFrom, is_package: bool) -> str:
        if not node.level:
            return node.module or ""
        parts = module.split(".")
        keep = len(parts) - node.level + (1 if is_package else 0)
        base = ".".join(parts[:keep])
        return f"{base}.{node.module}" if node.module else base

    def _statements(self, module: str) -> Iterator[tuple[str, ast.stmt]]:
        for path in self.module_paths(module):
            tree = self.tree(path)
            if tree is not None:
                for stmt in _module_level(tree.body):
                    yield path, stmt

    # ------------------------------------------------------------ namespace
    def names(self, module: str) -> frozenset[str]:
        """The names bound at the top level of ``module`` (an over-approximation)."""
        if module in self._names:
            return self._names[module]
        if module in self._resolving:
            return frozenset()
        self._resolving.add(module)
        found: set[str] = set()
        refused: set[str] = set()
        warned: set[str] = set()
        env: dict[str, ast.expr] = {}
        for path, stmt in self._statements(module):
            is_package = path.endswith(("__init__.py", "__init__.pyi"))
            table = self._table_name(stmt)
            if table in _WARNED_TABLES:
                warned.update(self._table_keys(stmt, env))
            elif table in _REFUSED_TABLES and isinstance(stmt, ast.Assign):
                refused.update(self._table_keys(stmt, env))
            if isinstance(stmt, ast.FunctionDef) and stmt.name == "__getattr__":
                found.update(_served_by_getattr(stmt, env))
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.add(stmt.name)
            elif isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    found.update(_target_names(target))
                    if isinstance(target, ast.Name):
                        env[target.id] = stmt.value
            elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
                found.update(_target_names(stmt.target))
            elif isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    found.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(stmt, ast.ImportFrom):
                source = self._resolve_from(module, stmt, is_package)
                for alias in stmt.names:
                    if alias.name == "*":
                        found.update(self.exports(source))
                    elif alias.name in _REFUSED_TABLES:
                        refused.update(self._imported_table(source, alias.name))
                    else:
                        found.add(alias.asname or alias.name)
        self._resolving.discard(module)
        self._warned[module] = frozenset(warned)
        result = frozenset((found | warned) - refused)
        self._names[module] = result
        return result

    @staticmethod
    def _table_name(stmt: ast.stmt) -> str:
        """``__deprecated_attrs__`` for ``__deprecated_attrs__ = {...}`` or ``.update(...)``."""
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name):
                return target.id
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                return target.value.id
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            func = stmt.value.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                return func.value.id
        return ""

    def _imported_table(self, module: str, table: str) -> set[str]:
        """The keys of ``table`` assigned in ``module`` (``from ._expired_attrs_2_0 import
        __expired_attributes__``)."""
        keys: set[str] = set()
        for _, stmt in self._statements(module):
            if isinstance(stmt, ast.Assign) and self._table_name(stmt) == table:
                keys |= self._table_keys(stmt, {})
        return keys

    @staticmethod
    def _table_keys(stmt: ast.stmt, env: dict[str, ast.expr]) -> set[str]:
        """The names a NumPy attribute table lists: dict keys, ``[name] =`` subscripts,
        and the first strings of the tuples a comprehension iterates over (also through
        a module-level variable: ``for n, msg in _type_info``)."""
        keys: set[str] = set()
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript):
            index = stmt.targets[0].slice
            if isinstance(index, ast.Constant) and isinstance(index.value, str):
                keys.add(index.value)
            return keys
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Dict):
                keys.update(
                    k.value
                    for k in sub.keys
                    if isinstance(k, ast.Constant) and isinstance(k.value, str)
                )
            elif isinstance(sub, ast.comprehension):
                iterated = sub.iter
                if isinstance(iterated, ast.Name) and iterated.id in env:
                    iterated = env[iterated.id]
                for elt in ast.walk(iterated):
                    if isinstance(elt, ast.Tuple) and elt.elts:
                        first = elt.elts[0]
                        if isinstance(first, ast.Constant) and isinstance(first.value, str):
                            keys.add(first.value)
                    elif isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                        if elt.value.isidentifier():
                            keys.add(elt.value)
        return keys

    def exports(self, module: str) -> frozenset[str]:
        """What ``from module import *`` binds: ``__all__`` when it can be computed."""
        if module in self._exports:
            return self._exports[module]
        names = self.names(module)
        declared = self._static_all(module)
        result = frozenset(declared) if declared is not None else frozenset(
            n for n in names if not n.startswith("_")
        )
        self._exports[module] = result
        return result

    def _static_all(self, module: str) -> set[str] | None:
        value: set[str] | None = None
        imported: dict[str, str] = {}
        extenders: set[str] = set()
        for path, stmt in self._statements(module):
            if path.endswith(".pyi"):
                continue
            is_package = path.endswith("__init__.py")
            if isinstance(stmt, ast.FunctionDef) and "__all__" in set(_names(stmt)):
                extenders.add(stmt.name)  # NumPy's ``extend_all(module)``
                continue
            if (
                isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Call)
                and isinstance(stmt.value.func, ast.Name)
                and stmt.value.func.id in extenders
                and len(stmt.value.args) == 1
                and isinstance(stmt.value.args[0], ast.Name)
                and stmt.value.args[0].id in imported
            ):
                extra = self.exports(imported[stmt.value.args[0].id])
                value = (value or set()) | set(extra)
                continue
            if isinstance(stmt, ast.ImportFrom):
                source = self._resolve_from(module, stmt, is_package)
                for alias in stmt.names:
                    imported[alias.asname or alias.name] = f"{source}.{alias.name}"
            elif isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    imported[alias.asname or alias.name] = alias.name
            expr: ast.expr | None = None
            replace = False
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in stmt.targets
            ):
                expr, replace = stmt.value, True
            elif isinstance(stmt, ast.AugAssign) and getattr(stmt.target, "id", "") == "__all__":
                expr = stmt.value
            elif (
                isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Call)
                and isinstance(stmt.value.func, ast.Attribute)
                and getattr(stmt.value.func.value, "id", "") == "__all__"
                and stmt.value.args
            ):
                method = stmt.value.func.attr
                arg = stmt.value.args[0]
                if method == "append" and isinstance(arg, ast.Constant):
                    value = (value or set()) | {str(arg.value)}
                elif method == "remove" and isinstance(arg, ast.Constant) and value:
                    value.discard(str(arg.value))
                elif method == "extend":
                    expr = arg
            if expr is None:
                continue
            items = self._eval_all(expr, imported)
            if items is None:
                return None
            value = items if replace or value is None else value | items
        return value

    def _eval_all(self, expr: ast.expr, imported: dict[str, str]) -> set[str] | None:
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            out: set[str] = set()
            for elt in expr.elts:
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                    out.add(elt.value)
                elif isinstance(elt, ast.Starred):
                    inner = self._eval_all(elt.value, imported)
                    if inner is None:
                        return None
                    out |= inner
                else:
                    return None
            return out
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left = self._eval_all(expr.left, imported)
            right = self._eval_all(expr.right, imported)
            return None if left is None or right is None else left | right
        if isinstance(expr, ast.Attribute) and expr.attr == "__all__":
            if isinstance(expr.value, ast.Name) and expr.value.id in imported:
                return set(self.exports(imported[expr.value.id]))
            return None
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
            if expr.func.id in ("list", "sorted", "tuple", "set") and len(expr.args) == 1:
                return self._eval_all(expr.args[0], imported)
        return None

    # ----------------------------------------------------------- definitions
    def split(self, dotted: str) -> tuple[str, list[str]] | None:
        """``(module, [attr, ...])`` for the longest existing module prefix."""
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if self.is_module(module):
                return module, parts[cut:]
        return None

    def definition(self, module: str, name: str, depth: int = 0) -> tuple[str, ast.AST] | None:
        """Where ``module.name`` is defined: following imports and star imports."""
        if depth > 12:
            return None
        stars: list[str] = []
        for path, stmt in self._statements(module):
            is_package = path.endswith(("__init__.py", "__init__.pyi"))
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if stmt.name == name and not path.endswith(".pyi"):
                    return module, stmt
            elif isinstance(stmt, ast.Assign) and not path.endswith(".pyi"):
                if any(name in set(_target_names(t)) for t in stmt.targets):
                    return module, stmt
            elif isinstance(stmt, ast.ImportFrom):
                source = self._resolve_from(module, stmt, is_package)
                for alias in stmt.names:
                    if alias.name == "*":
                        stars.append(source)
                    elif (alias.asname or alias.name) == name:
                        if self.is_module(f"{source}.{alias.name}"):
                            return None
                        return self.definition(source, alias.name, depth + 1)
        for source in stars:
            if name in self.exports(source):
                found = self.definition(source, name, depth + 1)
                if found is not None:
                    return found
        return None

    def _imported_module(self, module: str, name: str, depth: int = 0) -> str | None:
        """The module that ``module.name`` is, when an import binds a module to it."""
        if depth > 8:
            return None
        for path, stmt in self._statements(module):
            is_package = path.endswith(("__init__.py", "__init__.pyi"))
            if isinstance(stmt, ast.ImportFrom):
                source = self._resolve_from(module, stmt, is_package)
                for alias in stmt.names:
                    if alias.name == "*":
                        if name in self.exports(source):
                            found = self._imported_module(source, name, depth + 1)
                            if found is not None:
                                return found
                    elif (alias.asname or alias.name) == name:
                        target = f"{source}.{alias.name}"
                        if self.is_module(target):
                            return target
                        return self._imported_module(source, alias.name, depth + 1)
        return None

    def classes(self, name: str) -> list[tuple[str, ast.ClassDef]]:
        """Every class called ``name`` in the package's sources (not stubs)."""
        if name not in self._classes:
            self._classes[name] = list(self._find_classes(name))
        return self._classes[name]

    def _find_classes(self, name: str) -> Iterator[tuple[str, ast.ClassDef]]:
        for path in sorted(self._files):
            if not path.endswith(".py") or "/tests/" in path:
                continue
            tree = self.tree(path) if self._mentions(path, f"class {name}") else None
            if tree is None:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name == name:
                    yield path, node

    def _text(self, path: str) -> str:
        if path not in self._texts:
            self._texts[path] = self._zip.read(path).decode("utf-8", errors="replace")
        return self._texts[path]

    def _mentions(self, path: str, text: str) -> bool:
        return text in self._text(path)

    # ---------------------------------------------------------------- probes
    def answer(self, probe: str) -> Answer:
        kind, _, spec = probe.partition(":")
        if kind == "mod":
            return self._module(spec)
        if kind == "attr":
            return self._attr(spec)
        if kind == "member":
            classes, _, name = spec.partition(":")
            return self._member(classes.split("|"), name)
        if kind == "fitted":
            classes, _, name = spec.partition(":")
            return self._member(classes.split("|"), name, fitted=True)
        if kind == "param":
            callable_, _, name = spec.partition(":")
            return self._param(callable_, name)
        if kind == "value":
            callable_, _, rest = spec.partition(":")
            keyword, _, value = rest.partition("=")
            return self._value(callable_, keyword, value)
        if kind == "text":
            return self._text_probe(spec)
        raise ValueError(f"unknown probe kind: {probe}")

    def _text_probe(self, literal: str) -> Answer:
        """``text:<literal>``: a string constant of the package's code (tests excluded) is
        ``literal``; it warns when a deprecation warning's message names it."""
        present = False
        warns = False
        texts: list[str] = []
        escaped = re.escape(literal)
        quoted = re.compile(rf"""['"`]{escaped}['"`]|(?<![\w.]){escaped}(?!\w)""")
        for path in sorted(self._files):
            if not path.endswith(".py") or "/tests/" in path or not self._mentions(path, literal):
                continue
            tree = self.tree(path)
            if tree is None:
                continue
            for sub in ast.walk(tree):
                if isinstance(sub, ast.Constant) and sub.value == literal:
                    present = True
            for call in deprecation_calls(tree):
                strings = list(_strings(call))
                if any(quoted.search(text) for text in strings):
                    warns = True
                    texts.extend(strings)
        return Answer(present, warns, stated_version(texts))

    def _module(self, dotted: str) -> Answer:
        if not self.is_module(dotted):
            return Answer(False)
        calls = [
            call
            for _, stmt in self._statements(dotted)
            if isinstance(stmt, ast.Expr)
            for call in deprecation_calls(stmt)
        ]
        texts = [t for call in calls for t in _strings(call)]
        return Answer(True, bool(calls), stated_version(texts))

    def _attr(self, dotted: str) -> Answer:
        split = self.split(dotted)
        if split is None:
            return Answer(False)
        module, attrs = split
        if not attrs and "." in dotted:
            # ``torch.nn.utils.weight_norm``: a submodule, and the function its package
            # imports from it under the same name (the function wins).
            parent, _, last = dotted.rpartition(".")
            found = self.definition(parent, last) if self.is_module(parent) else None
            if found is not None and isinstance(found[1], (ast.FunctionDef, ast.ClassDef)):
                module, attrs = parent, [last]
        if not attrs:
            return self._module(dotted)
        if attrs[0] not in self.names(module):
            return Answer(False)
        submodule = self._imported_module(module, attrs[0])
        if submodule is not None and len(attrs) > 1:
            # ``np.char.compare_chararrays`` in NumPy 1.x: ``from . import defchararray as char``
            return self._attr(".".join([submodule, *attrs[1:]]))
        found = self.definition(module, attrs[0])
        node = found[1] if found else None
        if isinstance(node, ast.FunctionDef) and _only_raises(node):
            return Answer(False)  # ``torch.solve``: kept only to say it was removed
        for attr in attrs[1:]:
            if not isinstance(node, ast.ClassDef):
                return Answer(False)
            node = self._class_member(node, attr)
            if node is None:
                return Answer(False)
        warns, stated = self._warning_of(node)
        if not warns:
            warns, stated = self._module_warning(module, attrs[0])
        if not warns and len(attrs) == 1:
            warns, stated = self._docstring_warning(module, attrs[0])
        return Answer(True, warns, stated)

    @staticmethod
    def _class_member(cls: ast.ClassDef, name: str) -> ast.AST | None:
        """The last definition of ``name`` in the class body (after any ``@overload``)."""
        found: ast.AST | None = None
        for stmt in cls.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if stmt.name == name:
                    found = stmt
            elif isinstance(stmt, ast.Assign):
                if any(name in set(_target_names(t)) for t in stmt.targets):
                    found = stmt
            elif isinstance(stmt, ast.AnnAssign) and name in set(_target_names(stmt.target)):
                found = stmt
        return found

    @staticmethod
    def _set_on_self(cls: ast.ClassDef, name: str) -> ast.AST | None:
        """An assignment ``self.<name> = ...`` in a method of the class."""
        for stmt in cls.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for sub in ast.walk(stmt):
                targets = sub.targets if isinstance(sub, ast.Assign) else []
                if isinstance(sub, (ast.AnnAssign, ast.AugAssign)):
                    targets = [sub.target]
                for target in (n for t in targets for n in ast.walk(t)):  # (a, self.b) = ...
                    if (
                        isinstance(target, ast.Attribute)
                        and target.attr == name
                        and isinstance(target.value, ast.Name)
                        and target.value.id == "self"
                    ):
                        return sub
        return None

    def _warning_of(self, node: ast.AST | None) -> tuple[bool, str | None]:
        if node is None:
            return False, None
        texts: list[str] = []
        warns = False
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for decorator in node.decorator_list:
                name = _decorator_name(decorator).lower()
                if "deprecat" in name and not re.search("positional|nonkeyword|_args|kwarg", name):
                    warns = True
                    texts.extend(_strings(decorator))
            docstring = ast.get_docstring(node) or ""
            directive = re.search(r"\.\. deprecated::\s*(\S+)", docstring)
            if directive:
                warns = True
                texts.append(directive.group(0))
            elif _DOC_DEPRECATED.search(docstring):
                warns = True
                texts.append(docstring)
            body: ast.AST = node
            if isinstance(node, ast.ClassDef):
                init = self._class_member(node, "__init__")
                body = init if init is not None else ast.Module(body=[], type_ignores=[])
                if isinstance(init, ast.FunctionDef):
                    for decorator in init.decorator_list:
                        if "deprecat" in _decorator_name(decorator).lower():
                            warns = True
                            texts.extend(_strings(decorator))
            for call in deprecation_calls(body):
                warns = True
                texts.extend(_strings(call))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            # ``normal = _make_deprecate(normal_)``, ``upsample = deprecated(...)(...)``
            if "deprecat" in _call_name(node.value).lower():
                warns = True
                texts.extend(_strings(node.value))
        return warns, stated_version(texts)

    def _module_warning(self, module: str, name: str) -> tuple[bool, str | None]:
        """``__deprecated_attrs__`` (NumPy) or a module ``__getattr__`` warning about ``name``."""
        self.names(module)
        if name in self._warned.get(module, frozenset()):
            return True, None
        for _, stmt in self._statements(module):
            if isinstance(stmt, ast.FunctionDef) and stmt.name == "__getattr__":
                for sub in ast.walk(stmt):
                    if isinstance(sub, ast.If) and name in set(_strings(sub.test)):
                        calls = list(deprecation_calls(ast.Module(body=sub.body, type_ignores=[])))
                        if calls:
                            return True, stated_version([t for c in calls for t in _strings(c)])
        return False, None

    def _docstring_warning(self, module: str, name: str) -> tuple[bool, str | None]:
        """PyTorch's ``add_docstr(torch.name, r\"\"\"... deprecated ...\"\"\")``."""
        docs = f"{module.replace('.', '/')}/_torch_docs.py"
        if docs not in self._files:
            return False, None
        tree = self.tree(docs)
        if tree is None:
            return False, None
        for sub in ast.walk(tree):
            if not (isinstance(sub, ast.Call) and _call_name(sub) == "add_docstr" and sub.args):
                continue
            target = sub.args[0]
            if isinstance(target, ast.Attribute) and target.attr == name:
                text = " ".join(_strings(sub))
                if re.search(r"\bis deprecated\b|\bdeprecated\b.*\buse\b", text, re.I | re.S):
                    return True, stated_version([text])
                return False, None
        return False, None

    def _member(self, classes: list[str], name: str, fitted: bool = False) -> Answer:
        present = False
        warns = False
        stated: str | None = None
        for class_name in classes:
            for _, cls in self.classes(class_name):
                node = self._class_member(cls, name)
                if node is None and fitted:
                    node = self._set_on_self(cls, name)
                if node is None:
                    continue
                present = True
                node_warns, node_stated = self._warning_of(node)
                if node_warns and not self._names_member(node, name):
                    node_warns = False  # a warning about an argument, not the member
                if node_warns:
                    warns = True
                    stated = node_stated or stated
        return Answer(present, warns, stated)

    @staticmethod
    def _names_member(node: ast.AST, name: str) -> bool:
        mention = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
        calls = list(deprecation_calls(node))
        texts = [t for call in calls for t in _strings(call)]
        docstring = ""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            docstring = ast.get_docstring(node) or ""
        return any(mention.search(t) for t in texts) or ".. deprecated::" in docstring

    def _callable(self, dotted: str) -> tuple[str, ast.AST] | None:
        """A function, a class, or a method (``pandas.DataFrame.fillna``, found in the
        class or, by name, in its bases)."""
        split = self.split(dotted)
        if split is None or not 1 <= len(split[1]) <= 2:
            return None
        module, attrs = split
        found = self.definition(module, attrs[0])
        if found is None or len(attrs) == 1:
            return found
        if not isinstance(found[1], ast.ClassDef):
            return None
        return self._method(found[0], found[1], attrs[1])

    def _method(
        self, module: str, cls: ast.ClassDef, name: str, depth: int = 0
    ) -> tuple[str, ast.AST] | None:
        member = self._class_member(cls, name)
        if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return module, member
        if depth > 6:
            return None
        for base in cls.bases:
            for path, parent in self.classes(_decorator_name(base)):
                found = self._method(path[:-3].replace("/", "."), parent, name, depth + 1)
                if found is not None:
                    return found
        return None

    def _init(self, cls: ast.ClassDef, depth: int = 0) -> ast.FunctionDef | None:
        init = self._class_member(cls, "__init__")
        if isinstance(init, ast.FunctionDef):
            return init
        if depth > 6:
            return None
        for base in cls.bases:
            base_name = _decorator_name(base)
            for _, parent in self.classes(base_name):
                found = self._init(parent, depth + 1)
                if found is not None:
                    return found
        return None

    def _param(self, dotted: str, name: str) -> Answer:
        found = self._callable(dotted)
        if found is None:
            return Answer(False)
        _, node = found
        function = self._init(node) if isinstance(node, ast.ClassDef) else node
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return Answer(False)
        args = function.args
        positional = args.posonlyargs + args.args
        defaults: dict[str, ast.expr] = dict(
            zip(
                [a.arg for a in positional][len(positional) - len(args.defaults) :],
                args.defaults,
                strict=True,
            )
        )
        defaults.update(
            {
                a.arg: d
                for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                if d is not None
            }
        )
        names = {a.arg for a in positional + args.kwonlyargs}
        for decorator in function.decorator_list:
            # pandas' ``@deprecate_kwarg(old_arg_name="line_terminator", ...)``
            if isinstance(decorator, ast.Call) and any(
                kw.arg == "old_arg_name" and isinstance(kw.value, ast.Constant)
                and kw.value.value == name
                for kw in decorator.keywords
            ):
                return Answer(True, True, None)
        if name not in names:
            return Answer(False)
        default = defaults.get(name)
        warns = isinstance(default, ast.Constant) and default.value in ("deprecated", "warn")
        mention = re.compile(rf"(?<![\w]){re.escape(name)}(?![\w])")
        quoted = re.compile(rf"""['"`]{re.escape(name)}['"`]""")
        texts: list[str] = []
        for call in deprecation_calls(node):
            strings = list(_strings(call))
            if any(mention.search(text) for text in strings):
                warns = True
                texts.extend(strings)
        if not warns:
            # A helper of the module warns: pandas' ``_refine_defaults_read``; the message
            # names the parameter in quotes and the callable.
            callee = dotted.rpartition(".")[2]
            for _, stmt in self._statements(found[0]):
                for call in deprecation_calls(stmt):
                    strings = list(_strings(call))
                    joined = " ".join(strings)
                    if quoted.search(joined) and callee in joined:
                        warns = True
                        texts.extend(strings)
        return Answer(True, warns, stated_version(texts))

    def _value(self, dotted: str, keyword: str, value: str) -> Answer:
        found = self._callable(dotted)
        if found is None:
            return Answer(False)
        module, _ = found
        present = False
        texts: list[str] = []
        warns = False
        # A value is named in quotes (``'mse'``), or bare when it is no common word.
        bare = rf"(?<![\w.]){re.escape(value)}(?![\w])" if len(value) >= 5 else "(?!x)x"
        quoted = re.compile(rf"""['"`]{re.escape(value)}['"`]|{bare}""")
        for _, stmt in self._statements(module):
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Constant) and sub.value == value:
                    present = True
            for call in deprecation_calls(stmt):
                strings = list(_strings(call))
                if any(quoted.search(text) for text in strings):
                    warns = True
                    texts.extend(strings)
        return Answer(present, warns, stated_version(texts))
