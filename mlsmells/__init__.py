"""mlsmells: find and fix machine-learning code smells."""

__version__ = "0.1.0"
