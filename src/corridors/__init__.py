"""corridors: how fast international organizations agree to send a peace operation, and why.

Implements the argument of Hardt (2012), "Keep Friends Close but Colleagues Closer:
Efficiency in the Establishment of Peace Operations", as a scenario language, two
engines of one negotiation model, experiments at scale and an empirical toolkit.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("corridors")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
