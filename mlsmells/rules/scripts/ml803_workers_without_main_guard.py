"""ML803 workers-without-main-guard: worker processes started by code that runs on import."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from mlsmells.engine import Check, Context
from mlsmells.records import Family, Rule
from mlsmells.rules._util import constant, is_main_guard, keyword
from mlsmells.rules.torch._dataloader import _DATALOADER, loader_argument
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.scopes import Scope, ScopeType

RULE = Rule(
    code="ML803",
    name="workers-without-main-guard",
    pylint_id="W7667",
    family=Family.SCRIPTS,
    message="`{call}` starts worker processes from code that runs on import ({where}): under "
    "the spawn or forkserver start method each worker imports the module again; run it under "
    '`if __name__ == "__main__":`',
    summary=(
        "A `DataLoader` with workers, or a process pool, is started by module-level code "
        'outside `if __name__ == "__main__":`.'
    ),
    rationale=(
        "With the spawn start method (the default on Windows and macOS) and forkserver "
        "(the default on Linux since Python 3.14), a worker process starts a fresh "
        "interpreter and imports the main module to find the functions it runs. Code at "
        "the module level runs again in every worker: a training loop that iterates a "
        "`DataLoader` with `num_workers > 0`, or builds a `multiprocessing` pool, starts "
        "workers while the worker itself is starting, and Python stops with "
        '"An attempt has been made to start a new process before the current process '
        'has finished its bootstrapping phase". Put the work in a function called under '
        '`if __name__ == "__main__":`. The rule reports a `DataLoader` whose '
        "`num_workers` is known to be positive (a literal, a name bound to one, "
        "`os.cpu_count()`, `max(1, ...)`) when code that runs on import iterates it "
        "(a `for` loop or comprehension over it, through `enumerate`, `tqdm` or `zip`) "
        "or passes it to a call (a training function, `trainer.fit`); and a "
        "`multiprocessing` or `torch.multiprocessing` `Pool`, `Process`, `spawn` and a "
        "`ProcessPoolExecutor` built by such code. Code that runs on import is the module "
        "level outside the guard (class bodies included) and the functions of the file "
        "it calls, directly or through other functions. The finding is on the loader's "
        "(or pool's) construction, wherever it is. Not reported: a `num_workers` read "
        "from the command line or a setting, files that choose the fork start method "
        '(`set_start_method("fork")`, `get_context("fork")`, '
        '`multiprocessing_context="fork"`), and notebooks, where the kernel\'s main '
        "module is never imported again (workers there fail differently: they cannot "
        "find classes defined in the notebook)."
    ),
    bad=(
        "loader = DataLoader(train_set, batch_size=64, num_workers=4)\n"
        "for x, y in loader:\n"
        "    train_step(x, y)\n"
    ),
    good=(
        "def main():\n"
        "    loader = DataLoader(train_set, batch_size=64, num_workers=4)\n"
        "    for x, y in loader:\n"
        "        train_step(x, y)\n\n\n"
        'if __name__ == "__main__":\n'
        "    main()\n"
    ),
)

#: Calls that start worker processes (or a pool of them) when they are made.
_POOLS = frozenset(
    {
        "multiprocessing.Pool",
        "multiprocessing.pool.Pool",
        "multiprocessing.Process",
        "multiprocessing.process.Process",
        "torch.multiprocessing.Pool",
        "torch.multiprocessing.Process",
        "torch.multiprocessing.spawn",
        "torch.multiprocessing.spawn.spawn",
        "torch.multiprocessing.start_processes",
        "concurrent.futures.ProcessPoolExecutor",
        "concurrent.futures.process.ProcessPoolExecutor",
    }
)
_GET_CONTEXT = frozenset({"multiprocessing.get_context", "torch.multiprocessing.get_context"})
_SET_START = frozenset(
    {"multiprocessing.set_start_method", "torch.multiprocessing.set_start_method"}
)
_CPU_COUNTS = frozenset(
    {
        "os.cpu_count",
        "os.process_cpu_count",
        "multiprocessing.cpu_count",
        "torch.multiprocessing.cpu_count",
        "psutil.cpu_count",
    }
)
#: Calls given a loader that do not iterate it.
_HARMLESS = frozenset(
    {
        "builtins.len", "builtins.print", "builtins.isinstance", "builtins.type", "builtins.id",
        "builtins.repr", "builtins.str", "builtins.hasattr", "builtins.getattr",
        "builtins.setattr", "builtins.vars", "builtins.dir", "builtins.format",
    }
)  # fmt: skip

_ROOTS = frozenset({"torch", "multiprocessing", "concurrent"})

Start = tuple[ast.Call, ast.AST]
"""A construction that starts workers, and where they are started (the loop, the call)."""


class WorkersWithoutMainGuard(Check):
    """ML803: workers started by code that runs when the module is imported."""

    rules = (RULE,)
    nodes = (
        ast.Call,
        ast.For,
        ast.AsyncFor,
        ast.ListComp,
        ast.SetComp,
        ast.GeneratorExp,
        ast.DictComp,
        ast.Return,
    )
    requires = _ROOTS
    #: The last names of what starts workers: :data:`_POOLS`, a context's ``Pool`` and
    #: ``Process``, a ``DataLoader``.
    words = ("Pool", "Process", "spawn", "start_processes", "DataLoader")

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.starts: dict[int, dict[int, Start]] = {}
        """Where code runs (0: on import; else the id of a function of the file) -> the
        constructions that start workers there, by id."""
        self.calls: dict[int, set[int]] = {}
        """Where code runs -> the functions of the file it calls (by id)."""
        self.returned: dict[int, dict[int, ast.Call]] = {}
        """id of a function -> the loaders with workers it returns."""
        self.forks = False
        """The file chooses the fork start method."""
        self.late: dict[int, list[tuple[str, ast.AST]]] = {}
        """Where code runs -> the names it runs that were not bound yet when its function
        was walked (a module-level loader built further down), with where they run."""
        self.options: dict[str, ast.expr] = {}
        """Command-line options of the file (``parser.add_argument``) -> their defaults."""

    # ------------------------------------------------------------------ visits
    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            self._call(node)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            late: list[str] = []
            self._run(self._loaders(node.iter, late), node, late)
        elif isinstance(node, ast.Return):
            function = self.model.enclosing_function()
            if function is not None and node.value is not None:
                for loader in self._loaders(node.value, []):
                    self.returned.setdefault(id(function), {})[id(loader)] = loader
        else:
            assert isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp))
            for generator in node.generators:
                late = []
                self._run(self._loaders(generator.iter, late), node, late)

    def _call(self, call: ast.Call) -> None:
        qualname = self.model.qualname(call.func)
        if qualname in _SET_START:
            method = call.args[0] if call.args else None
            if isinstance(method, ast.Constant) and method.value == "fork":
                self.forks = True
            return
        if self._starts_pool(call, qualname):
            self._run([call], call)
            return
        if isinstance(call.func, ast.Attribute) and call.func.attr == "add_argument":
            self._option(call)
        if qualname not in _HARMLESS and qualname != _DATALOADER:
            late: list[str] = []
            found = [
                loader
                for argument in [*call.args, *(kw.value for kw in call.keywords)]
                if isinstance(argument, (ast.Name, ast.Attribute))
                for loader in self._loaders(argument, late)
            ]
            self._run(found, call, late)
        function = self._callee(call)
        if function is not None:
            where = self._where()
            if where is not None:
                self.calls.setdefault(where, set()).add(id(function))

    def _callee(self, call: ast.Call) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The function of the file the call runs (a class's ``__init__`` for a class)."""
        func = call.func
        model = self.model
        if isinstance(func, ast.Name):
            binding = model.lookup(func.id)
            if binding is not None and binding.is_class and binding.klass is not None:
                return binding.klass.methods.get("__init__")
            if binding is not None and binding.qualname is not None:
                return None  # an import (most calls): no function of the file
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id != model.scope.self_name:
                receiver = model.lookup(func.value.id)
                if receiver is None or receiver.klass is None:
                    return None  # not an instance of a class of the file
        else:
            return None
        function = model.callee(func)
        return None if isinstance(function, ast.Lambda) else function

    def _option(self, call: ast.Call) -> None:
        """``parser.add_argument("--workers", type=int, default=2)``: remember the default."""
        default = keyword(call, "default")
        if default is None:
            return
        dest = keyword(call, "dest")
        name = None
        if dest is not None and isinstance(dest.value, ast.Constant):
            name = dest.value.value
        for flag in call.args:
            if name is None and isinstance(flag, ast.Constant) and isinstance(flag.value, str):
                if flag.value.startswith("--") or not flag.value.startswith("-"):
                    name = flag.value.lstrip("-").replace("-", "_")
        if isinstance(name, str):
            self.options[name] = default.value

    def _starts_pool(self, call: ast.Call, qualname: str | None) -> bool:
        func = call.func
        if isinstance(func, ast.Name) and func.id in ("Pool", "Process"):
            stars = self.model.module_scope.star_imports
            if self.model.lookup(func.id) is None and "multiprocessing" in stars:
                return True  # ``from multiprocessing import *`` (after any other star import)
        if qualname in _POOLS:
            context = keyword(call, "mp_context")
            return context is None or not self._forking_context(context.value)
        if not (isinstance(func, ast.Attribute) and func.attr in ("Pool", "Process")):
            return False
        made: ast.AST | None = func.value
        if isinstance(made, ast.Name):
            binding = self.model.lookup(made.id)
            made = binding.node if binding is not None else None  # ctx = get_context(...)
        if not isinstance(made, ast.Call) or self.model.qualname(made.func) not in _GET_CONTEXT:
            return False
        return not self._forking_context(made)

    def _forking_context(self, expr: ast.expr) -> bool:
        """``get_context("fork")`` (or the name of one)."""
        if isinstance(expr, ast.Name):
            binding = self.model.lookup(expr.id)
            if binding is not None and isinstance(binding.node, ast.expr):
                expr = binding.node
        if not (isinstance(expr, ast.Call) and self.model.qualname(expr.func) in _GET_CONTEXT):
            return False
        method = expr.args[0] if expr.args else None
        return isinstance(method, ast.Constant) and method.value == "fork"

    # ----------------------------------------------------------------- loaders
    def _loaders(self, expr: ast.expr, late: list[str], depth: int = 3) -> list[ast.Call]:
        """The loaders with workers that iterating ``expr`` iterates: ``loader``,
        ``enumerate(loader)``, ``tqdm(loader)``, ``zip(a, b)``, a ``DataLoader(...)``. A
        name that a function reads before the module binds it goes into ``late``."""
        if isinstance(expr, ast.Name):
            binding = self.model.lookup(expr.id)
            if binding is None:
                if self.model.enclosing_function() is not None:
                    late.append(expr.id)
                return []
            value = binding.node
            if isinstance(value, ast.Name) and depth > 1:
                return self._loaders(value, late, depth - 1)  # ``loader = train_loader``
            if binding.kind is not Kind.DATALOADER:
                return []  # (the model knows what ``DataLoader(...)`` and functions return)
            return self._made(value) if isinstance(value, ast.Call) else []
        if isinstance(expr, ast.Attribute):
            klass = self.model.enclosing_class()
            if isinstance(expr.value, ast.Name) and expr.value.id == self.model.scope.self_name:
                attribute = klass.attributes.get(expr.attr) if klass is not None else None
                if attribute is None or attribute.kind is not Kind.DATALOADER:
                    return []
                value = attribute.node
                return self._made(value) if isinstance(value, ast.Call) else []
            return []
        if not isinstance(expr, ast.Call):
            return []
        made = self._made(expr)
        if made or depth <= 1:
            return made
        return [loader for a in expr.args for loader in self._loaders(a, late, depth - 1)]

    def _made(self, call: ast.Call) -> list[ast.Call]:
        """The loaders with workers ``call`` makes: a ``DataLoader(...)`` itself, or what a
        function of the file returns."""
        if self.model.qualname(call.func) == _DATALOADER:
            return [call] if self._with_workers(call) else []
        function = self.model.callee(call.func)
        if function is None:
            return []
        return list(self.returned.get(id(function), {}).values())

    def _with_workers(self, call: ast.Call) -> bool:
        context = keyword(call, "multiprocessing_context")
        if context is not None:
            fork = constant(self.model, context.value)
            if (fork is not None and fork.value == "fork") or self._forking_context(context.value):
                return False
        workers = loader_argument(call, "num_workers", positional=True)
        return workers is not None and _positive(self, workers, 4)

    # ------------------------------------------------------------------- where
    def _where(self) -> int | None:
        """Where the current node runs: 0 on import, the id of the enclosing function, or
        None under ``if __name__ == "__main__":``."""
        function = self.model.enclosing_function()
        if function is not None:
            return id(function)
        return None if self._guarded() else 0

    def _guarded(self) -> bool:
        chain = self.ctx.ancestors
        for i, node in enumerate(chain):
            if isinstance(node, ast.If) and is_main_guard(node):
                inner = chain[i + 1] if i + 1 < len(chain) else None
                if inner is None or any(stmt is inner for stmt in node.body):
                    return True
        return False

    def _run(
        self, constructions: list[ast.Call], site: ast.AST, late: Sequence[str] = ()
    ) -> None:
        if not constructions and not late:
            return
        where = self._where()
        if where is None:
            return
        for name in late:
            self.late.setdefault(where, []).append((name, site))
        found = self.starts.setdefault(where, {})
        for construction in constructions:
            found.setdefault(id(construction), (construction, site))

    def leave_scope(self, scope: Scope) -> None:
        if scope.type is not ScopeType.MODULE or self.forks or self.ctx.line_map is not None:
            return
        reached = {0}
        pending = [0]
        while pending:
            for callee in self.calls.get(pending.pop(), ()):
                if callee not in reached:
                    reached.add(callee)
                    pending.append(callee)
        for where in reached:
            for name, site in self.late.get(where, ()):
                binding = self.model.module_scope.bindings.get(name)
                value = binding.node if binding is not None else None
                if isinstance(value, ast.Call):
                    found = self.starts.setdefault(where, {})
                    for construction in self._made(value):
                        found.setdefault(id(construction), (construction, site))
        reported: set[int] = set()
        for where in reached:
            for key, (construction, site) in self.starts.get(where, {}).items():
                if key in reported:
                    continue
                reported.add(key)
                self.report(
                    "ML803",
                    construction,
                    call=self.ctx.source_of(construction.func),
                    where=self.ctx.line_label(getattr(site, "lineno", construction.lineno)),
                )


def _positive(check: WorkersWithoutMainGuard, expr: ast.expr, depth: int) -> bool:
    """Whether ``expr`` is known to be a positive int (a literal, a name bound to one, a
    CPU count, ``max(1, ...)``, ``min`` of positive values, ``x or 4``)."""
    if depth <= 0:
        return False
    model = check.model
    if isinstance(expr, ast.Constant):
        number = expr.value
        return isinstance(number, int) and not isinstance(number, bool) and number > 0
    if isinstance(expr, ast.Name):
        binding = model.lookup(expr.id)
        value = binding.node if binding is not None else None
        return isinstance(value, ast.expr) and _positive(check, value, depth - 1)
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        binding = model.lookup(expr.value.id)  # ``opt.workers``, ``opt = parser.parse_args()``
        parsed = binding.node if binding is not None else None
        if isinstance(parsed, ast.Call) and isinstance(parsed.func, ast.Attribute):
            default = check.options.get(expr.attr)
            if parsed.func.attr == "parse_args" and default is not None:
                return _positive(check, default, depth - 1)
        return False
    if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
        return _positive(check, expr.values[-1], depth - 1)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
        return _positive(check, expr.left, depth - 1) and _positive(check, expr.right, depth - 1)
    if not isinstance(expr, ast.Call):
        return False
    qualname = model.qualname(expr.func)
    if qualname in _CPU_COUNTS:
        return True
    arguments = expr.args
    if qualname == "builtins.len" and len(arguments) == 1 and isinstance(arguments[0], ast.Call):
        return model.qualname(arguments[0].func) == "os.sched_getaffinity"
    if qualname == "builtins.int" and len(arguments) == 1:
        return _positive(check, arguments[0], depth - 1)
    if qualname == "builtins.max":
        return any(_positive(check, a, depth - 1) for a in arguments)
    if qualname == "builtins.min":
        return bool(arguments) and all(_positive(check, a, depth - 1) for a in arguments)
    return False
