"""The front ends, side by side above the engine: the ``mlsmells`` command (:mod:`.cli`
and its subcommands :mod:`.check`, :mod:`.fix`, :mod:`.rules`, with the options they
share in :mod:`.options`), the flake8 plugin (:mod:`.flake8`) and the pylint plugin
(:mod:`.pylint`). Each is thin: it reads its host's options, runs the runner or the
engine, and reports in its host's conventions.
"""
