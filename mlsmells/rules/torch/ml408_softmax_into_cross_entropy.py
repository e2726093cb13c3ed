"""ML408 softmax-into-cross-entropy: softmax probabilities passed to cross-entropy."""

from __future__ import annotations

import ast

from mlsmells.engine import Check, Context
from mlsmells.records import Family, Rule
from mlsmells.rules._util import keyword
from mlsmells.rules.torch._common import _binding_of, _constructed_by, _constructor
from mlsmells.rules.torch._loops import walk_local
from mlsmells.semantic.names import last_names
from mlsmells.semantic.scopes import ClassInfo

RULE = Rule(
    code="ML408",
    name="softmax-into-cross-entropy",
    pylint_id="E7648",
    family=Family.TORCH,
    message="`{loss}` expects raw logits but gets probabilities from {source}: softmax "
    "is applied twice",
    summary=(
        "The output of `softmax` is passed to `F.cross_entropy` or an "
        "`nn.CrossEntropyLoss`, which apply `log_softmax` themselves."
    ),
    rationale=(
        "`cross_entropy` computes `log_softmax` of its input. Feeding it probabilities "
        "applies softmax twice: the loss is squashed into a narrow range, gradients "
        "shrink, and training converges slowly or to a worse model without any error. "
        "Pass the logits (and apply softmax only for reporting probabilities). "
        "`log_softmax` output is fine (log-softmax of log-probabilities is unchanged) and "
        "so is `probs.log()`. The rule follows the value from the softmax call through "
        "assignments in the same function (not from inside a branch the loss call is not "
        "in) and through reshaping methods, and knows same-file models whose `forward` "
        "always returns a softmax (also the output of an attribute that is an `nn.Softmax` "
        "or an `nn.Sequential` ending in one) or whose `nn.Sequential` ends in `nn.Softmax`."
    ),
    bad=("probs = F.softmax(model(x), dim=1)\nloss = F.cross_entropy(probs, y)\n"),
    good=(
        "logits = model(x)\nloss = F.cross_entropy(logits, y)\nprobs = F.softmax(logits, dim=1)\n"
    ),
)


_SOFTMAX_FUNCTIONS = frozenset(
    {"torch.softmax", "torch.nn.functional.softmax", "torch.special.softmax"}
)
_SOFTMAX_MODULES = frozenset({"torch.nn.Softmax", "torch.nn.modules.activation.Softmax"})
_SEQUENTIAL = frozenset({"torch.nn.Sequential", "torch.nn.modules.container.Sequential"})
_CROSS_ENTROPY_MODULES = frozenset(
    {"torch.nn.CrossEntropyLoss", "torch.nn.modules.loss.CrossEntropyLoss"}
)
_CROSS_ENTROPY = "torch.nn.functional.cross_entropy"
_CROSS_ENTROPY_NAMES = last_names([*_CROSS_ENTROPY_MODULES, _CROSS_ENTROPY])
#: Methods that reshape, move or cast a tensor: probabilities stay probabilities.
_KEEPS_VALUES = frozenset(
    {
        "view", "reshape", "squeeze", "unsqueeze", "flatten", "float", "double", "half",
        "to", "contiguous", "permute", "transpose", "cpu", "cuda", "clone", "view_as",
        "reshape_as",
    }
)  # fmt: skip
_FLOW_DEPTH = 6


def _block_path(
    ancestors: list[ast.AST], node: ast.AST, fields: dict[int, dict[int, str]]
) -> list[tuple[int, str]]:
    """(id of each ancestor, the field holding the next node on the way to ``node``).

    ``fields`` caches, per parent, the field of each child (id -> name): searching a
    long body once per statement would take quadratic time on a big module.
    """
    path = [*ancestors, node]
    steps: list[tuple[int, str]] = []
    for parent, child in zip(path, path[1:], strict=False):
        where = fields.get(id(parent))
        if where is None:
            where = fields[id(parent)] = {
                id(item): name
                for name, value in ast.iter_fields(parent)
                for item in (value if isinstance(value, list) else (value,))
                if isinstance(item, ast.AST)
            }
        name = where.get(id(child))
        if name is not None:
            steps.append((id(parent), name))
    return steps


class SoftmaxIntoCrossEntropy(Check):
    """ML408: probabilities (softmax output) passed to cross-entropy, which expects logits."""

    rules = (RULE,)
    nodes = (ast.Assign, ast.Call)
    requires = frozenset({"torch"})

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.assignments: dict[int, tuple[list[ast.AST], ast.Assign]] = {}
        """id of an assigned value -> (the ancestors, the assignment statement)."""
        self.assigned_in: dict[int, list[tuple[int, str]]] = {}
        """id of an assigned value -> the block path of its assignment statement (computed
        when a loss call asks: most assignments are never asked about)."""
        self._class_verdicts: dict[int, bool] = {}
        self._fields: dict[int, dict[int, str]] = {}
        """For :func:`_block_path`."""

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            self.assignments[id(node.value)] = (list(self.ctx.ancestors), node)
            return
        assert isinstance(node, ast.Call)
        if not self._is_cross_entropy(node.func):
            return
        given = keyword(node, "input")
        argument = given.value if given is not None else (node.args[0] if node.args else None)
        if argument is None or isinstance(argument, ast.Starred):
            return
        path = _block_path(self.ctx.ancestors, node, self._fields)
        source = self._probabilities(argument, path, _FLOW_DEPTH)
        if source is None:
            return
        shown = self.ctx.source_of(source)
        if "\n" in shown or len(shown) > 80:
            shown = f"{self.ctx.source_of(source.func)}(...)"
        shown = f"`{shown}`"
        if not self._is_softmax(source):
            shown += " (the model ends in a softmax)"
        self.report("ML408", node, loss=self.ctx.source_of(node.func), source=shown)

    def _is_cross_entropy(self, func: ast.expr) -> bool:
        # Names and constructors ending otherwise are not resolved (most calls).
        model = self.model
        if model.may_resolve_to(func, _CROSS_ENTROPY_NAMES) and model.qualname(func) == (
            _CROSS_ENTROPY
        ):
            return True
        made_by = _constructor(model, func)
        return (
            made_by is not None
            and model.may_resolve_to(made_by.func, _CROSS_ENTROPY_NAMES)
            and model.qualname(made_by.func) in _CROSS_ENTROPY_MODULES
        )

    def _probabilities(
        self, expr: ast.expr, path: list[tuple[int, str]], depth: int
    ) -> ast.Call | None:
        """The softmax call (or model call) whose output ``expr`` holds, if it holds one."""
        if depth <= 0:
            return None
        if isinstance(expr, ast.Subscript):
            return self._probabilities(expr.value, path, depth - 1)
        if isinstance(expr, ast.Name):
            binding = self.model.lookup(expr.id)
            value = binding.node if binding is not None else None
            if not isinstance(value, ast.expr):
                return None
            where = self._assigned_in(value)
            if where is None or where != path[: len(where)]:
                return None  # not assigned on every way to this call
            return self._probabilities(value, path, depth - 1)
        if not isinstance(expr, ast.Call):
            return None
        if self._is_softmax(expr):
            return expr
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in _KEEPS_VALUES:
            return self._probabilities(func.value, path, depth - 1)
        if self._model_outputs_probabilities(func):
            return expr
        return None

    def _assigned_in(self, value: ast.expr) -> list[tuple[int, str]] | None:
        """The block path of the assignment of ``value`` (None: not an assigned value)."""
        path = self.assigned_in.get(id(value))
        if path is None:
            assignment = self.assignments.get(id(value))
            if assignment is None:
                return None
            ancestors, statement = assignment
            path = self.assigned_in[id(value)] = _block_path(ancestors, statement, self._fields)
        return path

    def _is_softmax(self, call: ast.Call) -> bool:
        func = call.func
        if self.model.qualname(func) in _SOFTMAX_FUNCTIONS:
            return True
        if isinstance(func, ast.Attribute) and func.attr == "softmax":
            if self.model.qualname(func) is not None:
                return False  # some module's softmax function other than torch's
            kind = self.model.kind_of(func.value)
            return kind is None or kind.is_tensor
        return _constructed_by(self.model, func) in _SOFTMAX_MODULES

    def _model_outputs_probabilities(self, func: ast.expr) -> bool:
        """A same-file model whose ``forward`` always returns a softmax, or an
        ``nn.Sequential`` ending in ``nn.Softmax``."""
        binding = _binding_of(self.model, func)
        made_by = binding.node if binding is not None else None
        if isinstance(made_by, ast.Call) and self.model.qualname(made_by.func) in _SEQUENTIAL:
            return self._outputs_softmax(made_by)
        klass = self.model.instance_class(func)
        if klass is None or not klass.is_module:
            return False
        verdict = self._class_verdicts.get(id(klass.node))
        if verdict is None:
            verdict = self._forward_returns_softmax(klass)
            self._class_verdicts[id(klass.node)] = verdict
        return verdict

    def _forward_returns_softmax(self, klass: ClassInfo) -> bool:
        forward = next(
            (
                n
                for n in klass.node.body
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == "forward"
            ),
            None,
        )
        if forward is None:
            return False
        returns = [n for n in walk_local(forward.body) if isinstance(n, ast.Return)]
        if not returns:
            return False
        return all(self._returns_softmax(forward, r, klass) for r in returns)

    def _returns_softmax(
        self, forward: ast.FunctionDef | ast.AsyncFunctionDef, ret: ast.Return, klass: ClassInfo
    ) -> bool:
        value = ret.value
        if isinstance(value, ast.Name) and ret in forward.body:
            # ``x = F.softmax(x, 1); return x``: the last assignment before the return.
            for stmt in reversed(forward.body[: forward.body.index(ret)]):
                if isinstance(stmt, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == value.id for t in stmt.targets
                ):
                    value = stmt.value
                    break
        if not isinstance(value, ast.Call):
            return False
        func = value.func
        if self.model.qualname(func) in _SOFTMAX_FUNCTIONS:
            return True
        if isinstance(func, ast.Attribute) and func.attr == "softmax":
            return self.model.qualname(func) is None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            # ``return self.softmax(x)`` with ``self.softmax = nn.Softmax(dim=1)``
            positional = forward.args.posonlyargs + forward.args.args
            if positional and func.value.id == positional[0].arg:
                attribute = klass.attributes.get(func.attr)
                made_by = attribute.node if attribute is not None else None
                return self._outputs_softmax(made_by)
        return False

    def _outputs_softmax(self, made_by: ast.AST | None) -> bool:
        """``nn.Softmax(...)``, or an ``nn.Sequential(...)`` whose last layer is one."""
        if not isinstance(made_by, ast.Call):
            return False
        qualname = self.model.qualname(made_by.func)
        if qualname in _SOFTMAX_MODULES:
            return True
        if qualname not in _SEQUENTIAL:
            return False
        layers = made_by.args
        if not layers or any(isinstance(a, ast.Starred) for a in layers):
            return False
        return self._outputs_softmax(layers[-1])
