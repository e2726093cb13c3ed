"""The engine: one parse, one walk, the checks (and the analyses they share) dispatched
by node type. It knows no rule: the registry hands it the checks of a selection.

- :mod:`mlsmells.engine.check`: :class:`Check`, :class:`Analysis` and their :class:`Context`;
- :mod:`mlsmells.engine.walk`: :class:`Engine` and the walk;
- :mod:`mlsmells.engine.gates`: which checks run on a file (imports and text tests);
- :mod:`mlsmells.engine.nodes`: fast walks over trees, for the walk and the rules.
"""

from mlsmells.engine.check import Analysis, Check, Context, Visitor
from mlsmells.engine.nodes import import_roots, iter_local_nodes, iter_nodes, names_in
from mlsmells.engine.walk import Engine, gc_paused
from mlsmells.semantic.text import has_identifier

__all__ = [
    "Analysis",
    "Check",
    "Context",
    "Engine",
    "Visitor",
    "gc_paused",
    "has_identifier",
    "import_roots",
    "iter_local_nodes",
    "iter_nodes",
    "names_in",
]
