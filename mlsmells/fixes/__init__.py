"""``mlsmells fix``: the machinery that applies the rules' fixes; no rule's own code.

Each rule module holds its fixes (its ``FIXES``; :data:`mlsmells.registry.TRANSFORMS`
gathers them). Here:

- :mod:`mlsmells.fixes.base`: what a fix is (:class:`~mlsmells.fixes.base.Edit`), how
  a finding is located in the libcst tree, and the libcst helpers the fixes share;
- :mod:`mlsmells.fixes.apply`: detect, apply the non-overlapping fixes, repeat;
- :mod:`mlsmells.fixes.suggest`: each finding's fix on its own, for JSON and SARIF;
- :mod:`mlsmells.fixes.files`: reading and atomically writing source files.

The ``fix`` subcommand is :mod:`mlsmells.frontends.fix`. Importing this package
imports none of these (``mlsmells check`` never needs libcst).
"""
