"""The version of corridors: the one place it is written (pyproject reads it, see [tool.hatch.version])."""

__version__ = "0.1.0"
