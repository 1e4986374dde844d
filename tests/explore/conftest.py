"""The explorer served on localhost and a headless Chromium (Debian's) driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = os.environ.get("CORRIDORS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def explorer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``corridors explore`` on a free port, started as a user would, from an empty folder."""
    port = free_port()
    folder = tmp_path_factory.mktemp("explore-cwd")
    home = tmp_path_factory.mktemp("explore-home")
    log = (folder.parent / "explore-server.log").open("w")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOLARA_")}
    env["HOME"] = str(home)
    proc = subprocess.Popen(
        [sys.executable, "-m", "corridors.cli", "explore", "--port", str(port)],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"corridors explore exited with {proc.returncode}; see {log.name}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.terminate()
        pytest.fail(f"corridors explore did not listen on port {port} within 90 s; see {log.name}")
    try:
        yield {"url": f"http://127.0.0.1:{port}/", "port": port, "pid": proc.pid, "cwd": folder, "home": home}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium; missing pieces fail the tests with the command that installs them."""
    try:
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError:
        pytest.fail(
            "the browser tests need Playwright's Python client: pip install -e '.[dev]' (never "
            "'playwright install': they use Debian's chromium)"
        )
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(f"the browser tests need Chromium at {CHROMIUM}: apt-get update && apt-get install -y chromium")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
