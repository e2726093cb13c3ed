"""Plugins for other linters: flake8 here (pylint's is ``mlsmells.pylint_plugin``)."""
