"""The semantic model: kinds of names and expressions (on top of :mod:`.names`), in
source order.

The engine drives the model during its single walk (``push_scope``,
``bind_*``), so at any node a rule sees the bindings as they stand at that
point of the source. Everything the model cannot prove is unknown (``None``).
"""

from __future__ import annotations

import ast

from mlsmells.data import pandas_api
from mlsmells.semantic import containers
from mlsmells.semantic import kinds as K
from mlsmells.semantic.index import ClassSummary, FunctionSummary
from mlsmells.semantic.kinds import Kind
from mlsmells.semantic.methods import method_result
from mlsmells.semantic.program import FunctionNode, parameter_kinds
from mlsmells.semantic.scopes import Arguments, Binding, ClassInfo, Fixed, Scope, ScopeType
from mlsmells.semantic.values import ValueModel


class SemanticModel(ValueModel):
    """Name resolution (:class:`NameModel`), values fixed in the file (:class:`ValueModel`)
    and kind inference for one module."""

    # ------------------------------------------------------------------ scopes

    # ---------------------------------------------------------------- bindings

    def bind_target(self, target: ast.expr, value: ast.expr | None) -> None:
        """Bind an assignment target to ``value`` (``None``: unknown value)."""
        if isinstance(target, ast.Name):
            binding = self.binding_for(value) if value is not None else Binding()
            self.bind(target.id, self._sited(binding, target, value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            values: list[ast.expr] | None = None
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                if not any(isinstance(e, ast.Starred) for e in target.elts + value.elts):
                    values = value.elts
            items = None
            if values is None and value is not None:
                items = self.unpacked_kinds(value, len(target.elts))
            for i, elt in enumerate(target.elts):
                if items is not None and not isinstance(elt, ast.Starred):
                    self.bind_kind(elt, items[i])
                else:
                    self.bind_target(elt, values[i] if values is not None else None)
        elif isinstance(target, ast.Starred):
            self.bind_target(target.value, None)
        elif isinstance(target, ast.Attribute):
            self._bind_self_attribute(target, value)

    def bind_unknown(self, target: ast.expr) -> None:
        self.bind_target(target, None)

    def bind_kind(self, target: ast.expr, kind: Kind | None) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, self._sited(Binding(kind=kind), target, None))
        else:
            self.bind_target(target, None)

    def _sited(self, binding: Binding, site: ast.AST, value: ast.expr | None) -> Binding:
        """``binding`` made at ``site``: an unknown kind is the one earlier walks proved
        there, or (when it may be proven: no import, class or known value) a site whose
        uses are worth recording."""
        binding.site = site
        program = self.program
        if program is None or binding.kind not in K.REFINABLE_KINDS:
            return binding
        seeded = program.seeds.sites.get(id(site))
        if seeded is not None:
            binding.kind = seeded
        elif binding.qualname is None and binding.klass is None and self._provable(value):
            program.facts.unbound[id(site)] = self.enclosing_function()
        return binding

    def _provable(self, value: ast.expr | None) -> bool:
        """Whether a name bound to ``value`` may have its kind proven by its uses: not a
        literal, nor what a look-alike library returns (``xr.open_dataset(...)``)."""
        if _is_literal(value):
            return False
        if isinstance(value, ast.Call):
            qualname = self.qualname(value.func)
            if qualname is not None and qualname.split(".")[0] in K.LOOKALIKE_ROOTS:
                return False
        return True

    def project_instance(self, value: ast.AST | None) -> bool:
        """Whether ``value`` makes an instance of a class of the project's other modules
        (asked only when evidence is found: it may take summarising a module)."""
        if not isinstance(value, ast.Call):
            return False
        qualname = self.qualname(value.func)
        return qualname is not None and isinstance(self.project_symbol(qualname), ClassSummary)

    def _bind_self_attribute(self, target: ast.Attribute, value: ast.expr | None) -> None:
        klass = self.enclosing_class()
        if (
            klass is not None
            and isinstance(target.value, ast.Name)
            and target.value.id == self.scope.self_name
        ):
            klass.attributes[target.attr] = (
                self.binding_for(value) if value is not None else Binding()
            )

    def binding_for(self, value: ast.expr) -> Binding:
        """The binding an assignment of ``value`` creates."""
        qualname = None
        if isinstance(value, (ast.Name, ast.Attribute)):
            qualname = self.qualname(value)
            if qualname is not None:
                source = self._binding_of(value)
                if source is not None and source.qualname is None:
                    qualname = None
        klass = self.instance_class(value)
        kind = self.kind_of(value)
        element_kind = self._element_kind(value)
        constant = self.constant(value, ask=False)
        return Binding(
            qualname=qualname,
            kind=kind,
            klass=klass,
            node=value,
            element_kind=element_kind,
            constant=constant,
        )

    def _element_kind(self, value: ast.expr) -> Kind | None:
        """The kind shared by every element of a container display (``ELEMENT_KINDS`` only)."""
        elements: list[ast.expr]
        if isinstance(value, (ast.List, ast.Tuple)):
            elements = value.elts
        elif isinstance(value, ast.Dict):
            if any(key is None for key in value.keys):
                return None  # {**other, ...}
            elements = value.values
        elif isinstance(value, (ast.ListComp, ast.DictComp)):
            element = value.elt if isinstance(value, ast.ListComp) else value.value
            if not isinstance(element, ast.Call):
                return None
            # Only the constructor's name, resolved here: no comprehension variable in it.
            bound = [n for g in value.generators for n in ast.walk(g.target)]
            targets = {n.id for n in bound if isinstance(n, ast.Name)}
            if any(isinstance(n, ast.Name) and n.id in targets for n in ast.walk(element.func)):
                return None
            kind = self._call_kind(element)
            return kind if kind in K.ELEMENT_KINDS else None
        else:
            return None
        if not elements or isinstance(elements[0], ast.Starred):
            return None
        kind = self.kind_of(elements[0])
        if kind not in K.ELEMENT_KINDS:
            return None  # (a long display of data stops here)
        for element in elements[1:]:
            if isinstance(element, ast.Starred) or self.kind_of(element) is not kind:
                return None
        return kind

    def _container_binding(self, expr: ast.expr) -> Binding | None:
        """The binding of ``name`` or ``self.attr``, the receivers whose elements are typed."""
        if isinstance(expr, ast.Name):
            return self.lookup(expr.id)
        if isinstance(expr, ast.Attribute):
            owner = self.self_class(expr.value)
            if owner is not None:
                return self._class_attribute(owner, expr.attr)
        return None

    def _binding_of(self, expr: ast.expr) -> Binding | None:
        while isinstance(expr, ast.Attribute):
            expr = expr.value
        if isinstance(expr, ast.Name):
            return self.lookup(expr.id)
        return None

    def define_class(self, node: ast.ClassDef) -> ClassInfo:
        is_module = is_lightning = False
        calls: dict[str, list[Arguments]] = {}
        for base in node.bases:
            base_q = self.qualname(base)
            known: ClassSummary | ClassInfo | None = None  # a class of the project or the file
            if base_q is not None and K.is_module_base(base_q):
                is_module = True
                is_lightning = is_lightning or K.canonical(base_q) == K.LIGHTNING_MODULE
            elif base_q is not None and (found := self.project_symbol(base_q)) is not None:
                known = found if isinstance(found, ClassSummary) else None
            elif isinstance(base, ast.Name):
                binding = self.lookup(base.id)
                if binding is not None and binding.is_class:
                    known = binding.klass
            if known is not None:
                is_module = is_module or known.is_module
                is_lightning = is_lightning or known.is_lightning
                for method, passed in known.calls.items():
                    calls.setdefault(method, []).extend(passed)
        info = ClassInfo(node.name, node, is_module, is_lightning)
        info.methods = {
            stmt.name: stmt
            for stmt in node.body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        info.calls = calls
        if self.program is not None:  # the bases' ``self.<method>(...)`` call the overrides
            for method, passed in calls.items():
                override = info.methods.get(method)
                if override is not None:
                    for arguments in passed:
                        kinds = parameter_kinds(override, arguments, bound=True)
                        self.program.facts.add_call(override, kinds)
        self.classes[node.name] = info
        self.bind(node.name, Binding(klass=info, is_class=True, node=node))
        return info

    def enter_function(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
        klass: ClassInfo | None,
        arguments: tuple[Kind | None, ...] = (),
    ) -> Scope:
        """Push a function scope and bind its parameters: ``arguments`` are the kinds known
        to be passed to the positional ones (after ``self``), for those not annotated."""
        is_lambda = isinstance(node, ast.Lambda)
        scope = self.push_scope(ScopeType.LAMBDA if is_lambda else ScopeType.FUNCTION, node)
        args = node.args
        positional = args.posonlyargs + args.args
        if klass is not None and not is_lambda:
            scope.klass = klass
            decorators = (
                {d.id for d in node.decorator_list if isinstance(d, ast.Name)}
                if not isinstance(node, ast.Lambda)
                else set()
            )
            if positional and "staticmethod" not in decorators and "classmethod" not in decorators:
                scope.self_name = positional[0].arg
        passed = [a for a in positional if a.arg != scope.self_name]
        values: tuple[Fixed | None, ...] = ()
        if self.program is not None and not is_lambda:
            if not arguments:
                arguments = self.program.seeds.params.get(id(node), ())
            values = self.program.seeds.constants.get(id(node), ())
        known = dict(zip((a.arg for a in passed), arguments, strict=False))
        if klass is not None and klass.is_lightning and not isinstance(node, ast.Lambda):
            if node.name in K.LIGHTNING_BATCH_STEPS and passed and not known.get(passed[0].arg):
                known[passed[0].arg] = Kind.BATCH  # ``training_step(self, batch, batch_idx)``
        fixed = dict(zip((a.arg for a in positional + args.kwonlyargs), values, strict=False))
        for arg in positional + args.kwonlyargs:
            kind = None
            annotated: ClassInfo | None = None
            if arg.annotation is not None:
                kind = self.annotation_kind(arg.annotation)
                annotated = self._annotation_class(arg.annotation)
                if annotated is not None and annotated.is_module:
                    kind = Kind.MODULE
                element = containers.annotation_element_kind(self, arg.annotation)
                # (annotated as something else: no kind from the calls)
                binding = Binding(kind=kind, klass=annotated, element_kind=element)
            else:
                binding = self._sited(Binding(kind=known.get(arg.arg)), arg, None)
            if arg.arg == scope.self_name and klass is not None:
                binding = Binding(kind=Kind.MODULE if klass.is_module else None, klass=klass)
            binding.constant = fixed.get(arg.arg)
            self.bind(arg.arg, binding)
        if self.program is not None and not is_lambda:
            self.program.facts.open[id(node)] = tuple(
                a.annotation is None and scope.bindings[a.arg].kind is None for a in passed
            )
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                self.bind(extra.arg, Binding())
        return scope

    def bind_loop_target(self, target: ast.expr, iterable: ast.expr) -> None:
        """Bind the target of ``for target in iterable`` (comprehensions too)."""
        iterable = containers.progress_source(self, iterable)
        if (
            isinstance(iterable, ast.Call)
            and self.qualname(iterable.func) == "builtins.enumerate"
            and iterable.args
            and isinstance(target, ast.Tuple)
            and len(target.elts) == 2
        ):
            self.bind_unknown(target.elts[0])
            target, iterable = target.elts[1], containers.progress_source(self, iterable.args[0])
        if self.kind_of(iterable) is Kind.DATALOADER:
            if not containers.collates_by_default(self, iterable):
                self.bind_unknown(target)  # ``collate_fn=``: batches of any kind
            elif isinstance(target, (ast.Tuple, ast.List)):
                for elt in target.elts:  # the items of a batch: tensors
                    self.bind_kind(elt, Kind.TENSOR)
            else:
                self.bind_kind(target, Kind.BATCH)
            return
        items = self.item_kinds(iterable)
        if items is None:
            self.bind_unknown(target)
        elif isinstance(items, tuple):
            if isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) == len(items):
                for elt, kind in zip(target.elts, items, strict=True):
                    self.bind_kind(elt, kind)
            else:
                self.bind_unknown(target)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self.bind_unknown(target)
        else:
            self.bind_kind(target, items)

    def item_kinds(self, iterable: ast.expr) -> Kind | tuple[Kind | None, ...] | None:
        """What iterating ``iterable`` gives: one kind for each item, a tuple of kinds for
        items that are pairs (``df.iterrows()``: index and row), or None (unknown)."""
        if isinstance(iterable, (ast.List, ast.Tuple)):
            return self._element_kind(iterable)
        kind = self.kind_of(iterable)
        if kind is Kind.FRAME_GROUPBY:
            return (None, Kind.DATAFRAME)
        if kind is Kind.SERIES_GROUPBY:
            return (None, Kind.SERIES)
        if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Attribute):
            receiver = self.kind_of(iterable.func.value)
            method = iterable.func.attr
            if receiver is Kind.DATAFRAME and method in ("iterrows", "items", "iteritems"):
                return (None, Kind.SERIES)
            qualname = self.qualname(iterable.func)
            if qualname is not None and K.CALL_RESULT.get(K.modern(qualname)) is Kind.DATAFRAME:
                if any(kw.arg in K.READER_ITERATOR_KEYWORDS for kw in iterable.keywords):
                    return Kind.DATAFRAME  # the chunks of ``pd.read_csv(f, chunksize=n)``
        if isinstance(iterable, ast.Name):
            binding = self.lookup(iterable.id)
            if binding is not None:
                return binding.element_kind
        return None

    def callback_argument_kind(self, call: ast.AST | None, func: ast.expr) -> Kind | None:
        """The kind pandas passes to ``func`` when ``call`` is ``df.apply(func, ...)`` (or
        ``transform``, ``agg``, ``pipe``, a groupby's ``apply`` ...), ``func`` being its
        first argument or ``func=``."""
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            return None
        first = call.args[0] if call.args else None
        if first is not func and not any(
            kw.arg == "func" and kw.value is func for kw in call.keywords
        ):
            return None
        receiver = self.kind_of(call.func.value)
        method = call.func.attr
        if method == "pipe" and receiver in (Kind.DATAFRAME, Kind.SERIES):
            return receiver
        if receiver is Kind.DATAFRAME and method in ("apply", "transform", "agg", "aggregate"):
            return Kind.SERIES  # a column (or, with axis=1, a row)
        if receiver is Kind.FRAME_GROUPBY and method in ("apply", "filter"):
            return Kind.DATAFRAME
        if receiver is Kind.SERIES_GROUPBY and method in (
            "apply",
            "transform",
            "agg",
            "aggregate",
            "filter",
        ):
            return Kind.SERIES
        return None

    # ------------------------------------------------------------------ names

    # ------------------------------------------------------------------ kinds
    def annotation_kind(self, annotation: ast.expr) -> Kind | None:
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                parsed = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return None
            return self.annotation_kind(parsed)
        if isinstance(annotation, ast.Subscript):
            base = self.qualname(annotation.value)
            if base in ("typing.Optional",):
                return self.annotation_kind(annotation.slice)
            return K.ANNOTATION_KIND.get(base or "")
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            sides = ((annotation.left, annotation.right), (annotation.right, annotation.left))
            for side, other in sides:
                if isinstance(other, ast.Constant) and other.value is None:
                    return self.annotation_kind(side)
            return None
        qualname = self.qualname(annotation)
        if qualname is None:
            return None
        return K.ANNOTATION_KIND.get(qualname)

    def _annotation_class(self, annotation: ast.expr) -> ClassInfo | None:
        """The same-file class an annotation names (``net: Net``, ``net: "Net"``)."""
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            if not annotation.value.isidentifier():
                return None
            annotation = ast.Name(id=annotation.value, ctx=ast.Load())
        if isinstance(annotation, ast.Name):
            binding = self.lookup(annotation.id)
            if binding is not None and binding.is_class:
                return binding.klass
        return None

    def instance_class(self, expr: ast.expr) -> ClassInfo | None:
        """The same-file class that ``expr`` is an instance of, if known."""
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
            binding = self.lookup(expr.func.id)
            if binding is not None and binding.is_class:
                return binding.klass
        if isinstance(expr, ast.Name):
            binding = self.lookup(expr.id)
            if binding is not None and not binding.is_class:
                return binding.klass
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
            if expr.func.attr in K.MODULE_TO_MODULE:
                receiver = self.instance_class(expr.func.value)
                if receiver is not None and receiver.is_module:
                    return receiver
        if isinstance(expr, ast.Attribute):
            owner = self.self_class(expr.value)
            if owner is not None:
                attr = self._class_attribute(owner, expr.attr)
                if attr is not None:
                    return attr.klass
        return None

    def _class_attribute(self, klass: ClassInfo, name: str) -> Binding | None:
        """``self.<name>`` of ``klass``, or of its nearest same-file base class that sets it."""
        seen: set[int] = set()
        pending = [klass]
        while pending:
            current = pending.pop(0)
            if id(current) in seen:
                continue
            seen.add(id(current))
            found = current.attributes.get(name)
            if found is not None:
                return found
            for base in current.node.bases:
                bound = self.lookup(base.id) if isinstance(base, ast.Name) else None
                if bound is not None and bound.is_class and bound.klass is not None:
                    pending.append(bound.klass)
        return None

    def kind_of(self, expr: ast.expr) -> Kind | None:
        """The kind of value ``expr`` evaluates to, or ``None`` when unknown."""
        if isinstance(expr, ast.Name):
            binding = self.lookup(expr.id)
            if binding is None:
                if self.project is None:
                    return None
                qualname = self.qualname(expr)  # ``from utils import *``
                found = self.project_symbol(qualname) if qualname is not None else None
                return found if isinstance(found, Kind) else None
            if (
                binding.kind in K.REFINABLE_KINDS
                and binding.site is not None
                and self.program is not None
                and id(binding.site) in self.program.facts.unbound
            ):
                return self.program.facts.evidence_kind(binding.site) or binding.kind
            if binding.kind is None and binding.qualname is not None:
                found = self.project_symbol(binding.qualname)  # ``from data import train``
                return found if isinstance(found, Kind) else None
            return binding.kind
        if isinstance(expr, ast.Call):
            return self._call_kind(expr)
        if isinstance(expr, ast.Attribute):
            return self._attribute_kind(expr)
        if isinstance(expr, ast.Subscript):
            return self._subscript_kind(expr)
        if isinstance(expr, ast.BinOp):
            return self._binop_kind(expr)
        if isinstance(expr, ast.UnaryOp) and not isinstance(expr.op, ast.Not):
            return self.kind_of(expr.operand)
        if isinstance(expr, ast.NamedExpr):
            return self.kind_of(expr.value)
        return None

    def _call_kind(self, call: ast.Call) -> Kind | None:
        func = call.func
        qualname = self.qualname(func)
        if qualname is not None:
            qualname = K.modern(qualname)
            kind = K.CALL_RESULT.get(qualname)
            if kind is not None:
                if kind is Kind.DATAFRAME and any(
                    kw.arg in K.READER_ITERATOR_KEYWORDS for kw in call.keywords
                ):
                    return None  # ``pd.read_csv(f, chunksize=n)``: an iterator of frames
                return kind
            if qualname.startswith("pandas."):
                return self._pandas_function_kind(qualname, call)
            if qualname == "builtins.next" and call.args:
                return containers.next_batch(self, call.args[0])
            kind = K.torch_class_kind(qualname)
            if kind is not None:
                return kind
            return self._library_class_kind(qualname) or self._project_call_kind(qualname)
        if isinstance(func, ast.Name):
            binding = self.lookup(func.id)
            if binding is None:
                return self._returned(self.callee(func))
            if binding.is_class and binding.klass is not None:
                return Kind.MODULE if binding.klass.is_module else None
            if binding.kind is Kind.LOSS_MODULE:
                return Kind.LOSS
            return self._returned(self.callee(func))
        if isinstance(func, ast.Attribute):
            if self._attribute_kind(func) is Kind.LOSS_MODULE:
                return Kind.LOSS  # self.criterion(out, y)
            if func.attr in K.MODULE_FACTORIES and isinstance(func.value, ast.Name):
                made = self.lookup(func.value.id)  # ``MyModel.from_pretrained(path)``
                if made is not None and made.is_class and made.klass is not None:
                    return Kind.MODULE if made.klass.is_module else None
            method = self.callee(func)
            if method is not None:
                return self._returned(method)
            receiver = self.kind_of(func.value)
            if receiver is None:
                return K.TO_PANDAS.get(func.attr)  # ``client.query(q).to_dataframe()``
            if receiver is Kind.LOSS_MODULE and func.attr == "forward":
                return Kind.LOSS
            return method_result(receiver, func.attr, call)
        return None

    def unpacked_kinds(self, value: ast.expr, count: int) -> tuple[Kind | None, ...] | None:
        """The kinds of the ``count`` items of ``value`` unpacked (``a, b = value``): the
        parts of ``train_test_split``'s arrays, the items of a DataLoader batch (tensors) or
        of a list whose elements are of one kind, or what a function of the file returns."""
        if self.kind_of(value) is Kind.BATCH:
            return (Kind.TENSOR,) * count
        container = self._container_binding(value)
        if container is not None and container.element_kind is not None:
            if not isinstance(container.node, (ast.Dict, ast.DictComp)):  # (its keys)
                return (container.element_kind,) * count
        if not isinstance(value, ast.Call):
            return None
        qualname = self.qualname(value.func)
        if qualname is not None and K.modern(qualname) in K.SPLITTING_FUNCTIONS:
            arrays = [a for a in value.args if not isinstance(a, ast.Starred)]
            if len(arrays) * 2 != count or len(arrays) != len(value.args):
                return None
            return tuple(kind for a in arrays for kind in (self.kind_of(a),) * 2)
        function = self.callee(value.func)
        items: tuple[Kind | None, ...] | None = None
        if function is not None and self.program is not None:
            items = self.program.return_items(function, self.enclosing_function())
        elif qualname is not None:
            symbol = self.project_symbol(qualname)
            items = symbol.items if isinstance(symbol, FunctionSummary) else None
        return items if items is not None and len(items) == count else None

    def callee(self, func: ast.expr) -> FunctionNode | None:
        """The function of this file that calling ``func`` runs: a function bound to the
        name (or, defined later at the module level, to be bound when the call runs), a
        method through ``self`` or an instance of a class of the file."""
        if isinstance(func, ast.Name):
            binding = self.lookup(func.id)
            if binding is None:
                return self.program.functions.get(func.id) if self.program is not None else None
            node = binding.node
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and binding.site is None:
                return node
            return None
        if isinstance(func, ast.Attribute):
            owner = self.self_class(func.value) or self._instance_of(func.value)
            if owner is not None:
                return owner.methods.get(func.attr)
        return None

    def _instance_of(self, expr: ast.expr) -> ClassInfo | None:
        if isinstance(expr, ast.Name):
            binding = self.lookup(expr.id)
            if binding is not None and not binding.is_class:
                return binding.klass
        return None

    def _returned(self, function: FunctionNode | None) -> Kind | None:
        if function is None or self.program is None:
            return None
        return self.program.return_kind(function, self.enclosing_function())

    def _pandas_function_kind(self, qualname: str, call: ast.Call) -> Kind | None:
        if qualname in K.PANDAS_SERIES_FUNCTIONS:
            if call.args and self.kind_of(call.args[0]) is Kind.SERIES:
                return Kind.SERIES
            return None
        if qualname == "pandas.concat" and call.args:
            return self._concat_kind(call)
        return None

    def _concat_kind(self, call: ast.Call) -> Kind | None:
        """``pd.concat([a, b])``: a DataFrame when a piece is one (or Series side by side)."""
        pieces = call.args[0]
        kinds: set[Kind | None]
        if isinstance(pieces, (ast.List, ast.Tuple)) and pieces.elts:
            kinds = {self.kind_of(e) for e in pieces.elts if not isinstance(e, ast.Starred)}
        elif isinstance(pieces, (ast.ListComp, ast.GeneratorExp)):
            kinds = {self.kind_of(pieces.elt)}
        else:
            return None
        if Kind.DATAFRAME in kinds:
            return Kind.DATAFRAME
        if kinds == {Kind.SERIES}:
            axis = next((kw.value for kw in call.keywords if kw.arg == "axis"), None)
            if axis is None:
                return Kind.SERIES
            if isinstance(axis, ast.Constant) and axis.value in (1, "columns"):
                return Kind.DATAFRAME
        return None

    def project_symbol(self, qualname: str) -> FunctionSummary | ClassSummary | Kind | None:
        """What ``qualname`` is among the project's own modules (``import utils``), if any."""
        project = self.project
        if project is None or not project.is_project_module(qualname):
            return None
        return project.symbol(qualname)

    def _project_call_kind(self, qualname: str) -> Kind | None:
        symbol = self.project_symbol(qualname)
        if isinstance(symbol, FunctionSummary):
            return symbol.returns
        if isinstance(symbol, ClassSummary):
            return Kind.MODULE if symbol.is_module else None
        return None

    def _library_class_kind(self, qualname: str) -> Kind | None:
        if not qualname.startswith("sklearn."):
            return None
        from mlsmells.semantic import sklearn_kinds

        return sklearn_kinds.class_kind(qualname)

    def _attribute_kind(self, expr: ast.Attribute) -> Kind | None:
        owner = self.self_class(expr.value)
        if owner is not None:
            attr = self._class_attribute(owner, expr.attr)
            return attr.kind if attr is not None else None
        receiver = self.kind_of(expr.value)
        if receiver is Kind.MODULE and expr.attr == "module":
            return Kind.MODULE  # ``ddp.module``: the Module a parallel wrapper holds
        if receiver is Kind.DATAFRAME:
            found = K.FRAME_ATTRIBUTES.get(expr.attr)
            if found is None and expr.attr not in pandas_api.FRAME_MEMBERS:
                return Kind.SERIES  # ``df.age``: a column read as an attribute
            return found
        if receiver is Kind.SERIES:
            return K.SERIES_ATTRIBUTES.get(expr.attr)
        if receiver is Kind.FRAME_OR_SERIES:
            return K.FRAME_OR_SERIES_ATTRIBUTES.get(expr.attr)
        if receiver is Kind.SERIES_ACCESSOR:
            return Kind.SERIES  # ``s.dt.year``, ``s.str.len`` (a method: see the call)
        if receiver is Kind.NDARRAY:
            return K.NDARRAY_ATTRIBUTES.get(expr.attr)
        if receiver is not None and receiver.is_tensor:
            return K.TENSOR_ATTRIBUTES.get(expr.attr)
        return None

    def _subscript_kind(self, expr: ast.Subscript) -> Kind | None:
        receiver = self.kind_of(expr.value)
        if receiver is Kind.FRAME_INDEXER:
            return self._indexer_kind(expr.slice)
        if receiver is Kind.SERIES_INDEXER or receiver is Kind.SERIES:
            return Kind.SERIES if self._selects_rows(expr.slice) else None
        if receiver is Kind.INDEX:
            return Kind.INDEX if self._selects_rows(expr.slice) else None
        if receiver is Kind.FRAME_GROUPBY:
            key = expr.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                return Kind.SERIES_GROUPBY
            return Kind.FRAME_GROUPBY if isinstance(key, ast.List) else None
        if receiver is Kind.DATAFRAME:
            key = expr.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                return Kind.SERIES
            if isinstance(key, (ast.List, ast.Slice)):
                return Kind.DATAFRAME
            if isinstance(key, ast.Name):
                bound = self.lookup(key.id)
                if bound is not None and self._is_label_list(bound.node):
                    return Kind.DATAFRAME  # FEATURES = ["a", "b"]; df[FEATURES]
            if isinstance(key, ast.Name):
                bound = self.lookup(key.id)
                if bound is not None and isinstance(bound.node, ast.Constant):
                    return Kind.SERIES if isinstance(bound.node.value, str) else None
            if self._selects_rows(key):
                return Kind.DATAFRAME  # a mask, a list of labels, an Index of them
            if isinstance(key, (ast.Constant, ast.Tuple, ast.Lambda)):
                return None  # a label of another type, a MultiIndex key, a callable
            return Kind.FRAME_OR_SERIES  # a column by a label, or columns by a list of them
        if receiver is not None and receiver.is_tensor:
            return Kind.TENSOR
        if receiver is Kind.BATCH:
            return Kind.TENSOR if containers.is_item_key(expr.slice) else None  # ``batch[0]``
        if receiver is None and not isinstance(expr.slice, ast.Slice):
            container = self._container_binding(expr.value)
            if container is not None:
                return container.element_kind
        return None

    def _is_label_list(self, value: ast.AST | None) -> bool:
        """A list of column labels: a list display or comprehension, ``list(...)``,
        ``sorted(...)``, ``x.tolist()`` (``cols = [c for c in df.columns if ...]``)."""
        if isinstance(value, (ast.List, ast.ListComp)):
            return True
        if isinstance(value, ast.Call):
            if isinstance(value.func, ast.Attribute):
                return value.func.attr == "tolist"
            return self.qualname(value.func) in ("builtins.list", "builtins.sorted")
        return False

    def _indexer_kind(self, key: ast.expr) -> Kind | None:
        """``df.loc[key]`` / ``df.iloc[key]``: rows (and columns) chosen by ``key``."""
        if isinstance(key, ast.Tuple) and len(key.elts) == 2:
            rows, columns = key.elts
            if self._selects_rows(columns):  # several columns: a list, a slice, a mask
                # rows: a frame; one row (or rows of a repeated label): a Series or a frame
                return Kind.DATAFRAME if self._selects_rows(rows) else Kind.FRAME_OR_SERIES
            if isinstance(columns, ast.Constant) and isinstance(columns.value, (str, int)):
                return Kind.SERIES if self._selects_rows(rows) else None
            return None
        if isinstance(key, ast.Tuple):
            return None  # a MultiIndex key, or a row and a column: a value
        return Kind.DATAFRAME if self._selects_rows(key) else Kind.FRAME_OR_SERIES

    def _selects_rows(self, key: ast.expr) -> bool:
        """Whether ``key`` picks several rows (a slice, a list, a mask), not one label."""
        if isinstance(key, (ast.Slice, ast.List, ast.ListComp, ast.Compare)):
            return True
        if isinstance(key, ast.UnaryOp) and isinstance(key.op, ast.Invert):
            return True
        if isinstance(key, ast.BinOp) and isinstance(key.op, (ast.BitAnd, ast.BitOr)):
            return True
        return self.kind_of(key) in (Kind.SERIES, Kind.NDARRAY, Kind.INDEX, Kind.DATAFRAME)

    def _binop_kind(self, expr: ast.BinOp) -> Kind | None:
        left = self.kind_of(expr.left)
        right = self.kind_of(expr.right)
        if left is Kind.LOSS or right is Kind.LOSS:
            other = right if left is Kind.LOSS else left
            if other in (None, Kind.LOSS, Kind.TENSOR) and _is_scalarish(
                expr.right if left is Kind.LOSS else expr.left, other
            ):
                return Kind.LOSS
            return None
        for kind in (left, right):
            if kind is Kind.TENSOR:
                return Kind.TENSOR
        if left is Kind.DATAFRAME or right is Kind.DATAFRAME:
            return Kind.DATAFRAME
        if left is Kind.SERIES or right is Kind.SERIES:
            return Kind.SERIES
        if left is Kind.NDARRAY or right is Kind.NDARRAY:
            return Kind.NDARRAY
        return None


def _is_scalarish(expr: ast.expr, kind: Kind | None) -> bool:
    """Whether ``expr`` combined with a loss keeps it a loss (a number, a weight, another loss)."""
    if kind in (Kind.LOSS, Kind.TENSOR):
        return True
    return isinstance(expr, (ast.Constant, ast.Name, ast.Attribute, ast.BinOp, ast.UnaryOp))


def _is_literal(value: ast.expr | None) -> bool:
    """A value whose kind is known to be none of the library ones (a number, a string, a
    container display, an f-string ...)."""
    return isinstance(
        value,
        (
            ast.Constant,
            ast.JoinedStr,
            ast.List,
            ast.Tuple,
            ast.Dict,
            ast.Set,
            ast.ListComp,
            ast.DictComp,
            ast.SetComp,
            ast.Lambda,
        ),
    )
