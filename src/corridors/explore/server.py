"""Start the explorer's Solara server on this machine only, unless told otherwise."""

from __future__ import annotations

import os

# Solara's telemetry, its home-folder id file and its asset proxy (a cache it fills from
# the internet) and its check for a newer version are switched off: the explorer sends nothing out and writes no file.
QUIET_SOLARA = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_TELEMETRY_SERVER_USER_ID": "corridors-explore",
    "SOLARA_ASSETS_PROXY": "False",
    "SOLARA_THEME_SHOW_BANNER": "False",
}


def serve(host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve :func:`corridors.explore.app.Page` until interrupted."""
    os.environ.update(QUIET_SOLARA)
    from solara.__main__ import cli

    cli.main(["run", "corridors.explore.app:Page", "--host", host, "--port", str(port), "--production",
              "--no-open", "--no-check-version", "--log-level", "warning"], standalone_mode=True)
