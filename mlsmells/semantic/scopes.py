"""Scopes and bindings: what a name is bound to at one point of the source."""

from __future__ import annotations

import ast
import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mlsmells.semantic.kinds import Kind


class ScopeType(enum.Enum):
    MODULE = "module"
    CLASS = "class"
    FUNCTION = "function"
    LAMBDA = "lambda"
    COMPREHENSION = "comprehension"


Arguments = tuple[tuple[Kind | None, ...], tuple[tuple[str, Kind | None], ...]]
"""The kinds one call passes: to the positional parameters (up to a ``*args``), and by
keyword."""


@dataclass
class ClassInfo:
    """A class defined in the linted file."""

    name: str
    node: ast.ClassDef
    is_module: bool
    is_lightning: bool = False
    """A ``LightningModule`` (directly or through classes of the file): its ``*_step``
    methods are given the batches of the data loaders."""
    attributes: dict[str, Binding] = field(default_factory=dict)
    """``self.<name>`` bindings made in any method, in source order."""
    methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    """The functions defined in the class body, by name."""
    calls: dict[str, list[Arguments]] = field(default_factory=dict)
    """Method name -> what each ``self.<method>(...)`` in the methods of this class and of
    its bases passes (when something is known): calls of a subclass's override too."""


@dataclass(frozen=True, eq=False)
class Fixed:
    """A value fixed in the file: what :meth:`SemanticModel.constant` finds (``True``,
    ``None``, ``"lbfgs"``, ``0.5`` ...). Equal only to the same value of the same type
    (``True`` is not ``1``)."""

    value: Any  # (not ``object``: a compiled dataclass finds its fields' types by name)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Fixed)
            and type(other.value) is type(self.value)
            and other.value == self.value
        )

    def __hash__(self) -> int:
        return hash((type(self.value), self.value))


@dataclass
class Binding:
    """What one name is bound to at one point of the source."""

    qualname: str | None = None
    """Set when the name is an import or an alias of something importable."""
    kind: Kind | None = None
    klass: ClassInfo | None = None
    """The same-file class this name is an instance of (or is, when ``is_class``)."""
    is_class: bool = False
    node: ast.AST | None = None
    """The value expression (or definition) that made this binding."""
    site: ast.AST | None = None
    """Where the name is bound: the ``Name`` target, or the parameter's ``arg``."""
    element_kind: Kind | None = None
    """For a list, tuple or dict display (or comprehension) whose every element is of one
    of ``ELEMENT_KINDS``: that kind, the kind of ``name[i]`` (``optimizers[0]``)."""
    constant: Fixed | None = None
    """The value fixed in the file that the name holds (``shuffle = True``; a parameter
    every call passes ``True``): see :meth:`SemanticModel.constant`."""

    def __init__(
        self,
        qualname: str | None = None,
        kind: Kind | None = None,
        klass: ClassInfo | None = None,
        is_class: bool = False,
        node: ast.AST | None = None,
        site: ast.AST | None = None,
        element_kind: Kind | None = None,
        constant: Fixed | None = None,
    ) -> None:
        # (written out: made for every name bound, it is then a compiled function in the
        # release build, not one that the dataclass generates at run time)
        self.qualname = qualname
        self.kind = kind
        self.klass = klass
        self.is_class = is_class
        self.node = node
        self.site = site
        self.element_kind = element_kind
        self.constant = constant


@dataclass
class Scope:
    type: ScopeType
    node: ast.AST | None
    parent: Scope | None
    bindings: dict[str, Binding] = field(default_factory=dict)
    star_imports: list[str] = field(default_factory=list)
    klass: ClassInfo | None = None
    """For a method scope: the class whose method it is."""
    self_name: str | None = None
    outer: tuple[Scope, ...] = field(init=False, repr=False, compare=False)
    """The enclosing scopes whose names are visible here, innermost first (not classes)."""
    function: ast.FunctionDef | ast.AsyncFunctionDef | None = field(
        init=False, repr=False, compare=False
    )
    """The innermost ``def`` this scope is in (itself, for a function's scope)."""

    def __post_init__(self) -> None:
        parent = self.parent
        if isinstance(self.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.function = self.node
        else:
            self.function = parent.function if parent is not None else None
        if parent is None:
            self.outer = ()
        elif parent.type is ScopeType.CLASS:
            self.outer = parent.outer
        else:
            self.outer = (parent, *parent.outer)

    def lookup_chain(self) -> Iterator[Scope]:
        """This scope, then the enclosing ones whose names are visible here."""
        yield self
        yield from self.outer
