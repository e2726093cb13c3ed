"""``python -m mlsmells``: the same as the ``mlsmells`` command."""

from mlsmells.cli import main

raise SystemExit(main())
