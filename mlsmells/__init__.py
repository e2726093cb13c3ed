"""mlsmells: find and fix machine-learning code smells."""

__version__ = "0.1.0"


def compiled() -> bool:
    """Whether the engine and the rules run compiled (the release build, made with mypyc:
    docs/performance.md) rather than as Python source."""
    import importlib.util  # (asked by ``--version`` and the benchmark only)

    spec = importlib.util.find_spec("mlsmells.engine.walk")
    return spec is not None and spec.origin is not None and not spec.origin.endswith(".py")
