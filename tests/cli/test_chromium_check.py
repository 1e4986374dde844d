"""``make test``'s Chromium check (.ci/chromium): install it as root with apt-get, else say what is missing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "chromium"


def fake_bin(tmp_path: Path, *, uid: int, apt: bool) -> Path:
    """A PATH folder with a fake ``id`` (this uid) and, if ``apt``, a fake apt-get that logs its
    arguments and 'installs' the file CHROMIUM_DEFAULT names."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    if apt:
        (folder / "apt-get").write_text(
            '#!/bin/sh\necho "$@" >> "$APT_LOG"\n'
            'case "$*" in *install*) printf "#!/bin/sh\\n" > "$CHROMIUM_DEFAULT"; chmod +x "$CHROMIUM_DEFAULT";; esac\n'
        )
    for tool in folder.iterdir():
        tool.chmod(0o755)
    return folder


def check(tmp_path: Path, folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "CORRIDORS_CHROMIUM"}
    base.update(PATH=f"{folder}:/usr/bin:/bin", APT_LOG=str(tmp_path / "apt.log"), **env)
    return subprocess.run(["sh", str(SCRIPT)], capture_output=True, text=True, env=base, timeout=30)


def test_present_chromium_needs_nothing(tmp_path: Path) -> None:
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    result = check(tmp_path, fake_bin(tmp_path, uid=0, apt=True), CHROMIUM_DEFAULT=str(chromium))
    assert result.returncode == 0, result.stderr
    assert result.stdout == result.stderr == ""
    assert not (tmp_path / "apt.log").exists()


def test_root_with_apt_installs_debians_chromium(tmp_path: Path) -> None:
    missing = tmp_path / "chromium"
    result = check(tmp_path, fake_bin(tmp_path, uid=0, apt=True), CHROMIUM_DEFAULT=str(missing))
    assert result.returncode == 0, result.stderr
    assert "installing it (apt-get update && apt-get install -y chromium)" in result.stdout
    calls = (tmp_path / "apt.log").read_text().splitlines()
    assert calls[0].startswith("update") and "install -y" in calls[1] and calls[1].endswith("chromium")
    assert missing.exists()


def test_not_root_says_what_is_needed_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "chromium"
    result = check(tmp_path, fake_bin(tmp_path, uid=1000, apt=True), CHROMIUM_DEFAULT=str(missing))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and f"need Chromium at {missing}" in lines[0]
    assert "apt-get install -y chromium" in lines[0] and "SKIP_BROWSER=1" in lines[0]
    assert not (tmp_path / "apt.log").exists()


def test_a_missing_chosen_chromium_is_not_installed_over(tmp_path: Path) -> None:
    result = check(tmp_path, fake_bin(tmp_path, uid=0, apt=True), CORRIDORS_CHROMIUM=str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1 and "CORRIDORS_CHROMIUM=" in result.stderr
    assert not (tmp_path / "apt.log").exists()


def test_make_test_runs_the_check_before_anything_else(tmp_path: Path) -> None:
    root = SCRIPT.parents[1]
    dry = subprocess.run(
        ["make", "-n", "-C", str(root), "test", f"VENV={tmp_path / 'venv'}"], capture_output=True, text=True, timeout=30
    )
    assert dry.returncode == 0, dry.stderr
    commands = [line for line in dry.stdout.splitlines() if not line.startswith("make")]
    assert commands[0] == "sh .ci/chromium"
    skipped = subprocess.run(
        ["make", "-n", "-C", str(root), "test", "SKIP_BROWSER=1", f"VENV={tmp_path / 'venv'}"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "sh .ci/chromium" not in skipped.stdout
    assert "--ignore=tests/explore/test_browser.py" in skipped.stdout and "are left out" in skipped.stdout
