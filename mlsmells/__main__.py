"""``python -m mlsmells``: the same as the ``mlsmells`` command."""

from mlsmells.frontends.cli import main

raise SystemExit(main())
