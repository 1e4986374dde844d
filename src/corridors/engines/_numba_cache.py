"""Keep numba's on-disk cache of the engines true to their sources.

Kept by hand: numba invalidates a cached function on its own file's change only, not its callees'.

numba invalidates a cached function only when *its own* file changes, but a compiled
kernel carries the code of every function it calls or inlines from other files (a rule
of :mod:`corridors.engines.rules`, a sampler). After an edit to ``rules.py`` alone, the
cached batch kernels would still run the old rule. So the engines' sources are hashed on
import, and the cache files under the package are removed whenever the hash changes.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

__all__ = ["refresh_numba_cache"]

_ENGINES = Path(__file__).resolve().parent
_STAMP = _ENGINES / "__pycache__" / "numba-sources.sha256"


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(_ENGINES.rglob("*.py")):
        digest.update(path.relative_to(_ENGINES).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def refresh_numba_cache() -> bool:
    """Drop the engines' cached kernels if any engine source changed; returns whether it did."""
    current = _sources_digest()
    with contextlib.suppress(OSError):
        if _STAMP.read_text().strip() == current:
            return False
    removed = False
    for pattern in ("*.nbi", "*.nbc"):
        for cached in _ENGINES.rglob(pattern):
            with contextlib.suppress(OSError):
                cached.unlink()
                removed = True
    with contextlib.suppress(OSError):  # a read-only installation keeps its cache as installed
        _STAMP.parent.mkdir(exist_ok=True)
        _STAMP.write_text(current + "\n")
    return removed
