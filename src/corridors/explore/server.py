"""Start the explorer's Solara server on this machine only, unless told otherwise."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import sys
import tempfile
import warnings

# Solara's telemetry, its home-folder id file and its check for a newer version are
# switched off. Its front end comes from the solara-assets package through Solara's asset
# proxy (which would fetch a missing file from a CDN into the installation's share/solara).
QUIET_SOLARA = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_TELEMETRY_SERVER_USER_ID": "corridors-explore",
    "SOLARA_THEME_SHOW_BANNER": "False",
}


THIRD_PARTY_WARNINGS = (
    # Solara's hook check on Mesa 3.3's SolaraViz module, on import (Mesa's code, not ours)
    r".*`use_state` found despite early return",
    # Solara on a plain-http localhost session: it falls back to samesite=lax, as it should here
    r"Cookies with samesite=none require https",
)
"""Warnings of Solara and Mesa that say nothing a user of the explorer can act on (matched on the
start of their message); any other warning still shows."""


def quiet_third_party_warnings() -> None:
    """Hide :data:`THIRD_PARTY_WARNINGS` (each filled the console with a dozen lines)."""
    for message in THIRD_PARTY_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=UserWarning)


def serve(host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve :func:`corridors.explore.app.Page` until interrupted."""
    os.environ.update(QUIET_SOLARA)
    quiet_third_party_warnings()
    # Solara makes its home folder (~/.solara) and each session's IPython kernel a profile
    # with a history database (~/.ipython): both go to a scratch folder removed at exit.
    # uvicorn re-raises SIGTERM once it has shut down: exit normally then, so that the
    # scratch folder is removed (last, after IPython's own exit handlers have used it).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    scratch = tempfile.mkdtemp(prefix="corridors-explore-")
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    os.environ.setdefault("SOLARA_HOME", scratch)
    os.environ.setdefault("IPYTHONDIR", scratch)
    from solara.__main__ import cli

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: uvicorn has shut down
        cli.main(
            [
                "run",
                "corridors.explore.app:Page",
                "--host",
                host,
                "--port",
                str(port),
                "--production",
                "--no-open",
                "--no-check-version",
                "--log-level",
                "warning",
            ],
            standalone_mode=False,
        )
