"""The pylint plugin under the name its users load: ``pylint
--load-plugins=mlsmells.pylint_plugin`` (the plugin is :mod:`mlsmells.frontends.pylint`)."""

from mlsmells.frontends.pylint import register

__all__ = ["register"]
