"""End to end: the explorer in headless Chromium, as a user drives it (screenshots in artifacts/)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import ARTIFACTS

SHORT = "parameters.burn_in_days=30"  # a short routine year keeps each Reset quick


def open_app(browser: Any, explorer: dict[str, Any]) -> Any:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(explorer["url"])
    page.get_by_text("One negotiation", exact=True).wait_for()
    page.get_by_text(re.compile(r"· negotiating")).wait_for()
    return page


def status(page: Any) -> str:
    return str(page.get_by_text(re.compile(r"formal meetings \d+ ·")).inner_text())


def choose_preset(page: Any, preset: str) -> None:
    """Pick a preset and wait until the select shows it (a click during the menu's animation can miss)."""
    from playwright.sync_api import expect

    select = page.locator(".v-select").filter(has_text="Organization (preset)")
    for _ in range(5):
        select.click()
        page.locator(".v-menu__content .v-list-item").filter(has_text=re.compile(rf"^{preset}$")).click()
        try:
            expect(select.locator(".v-select__selections")).to_have_text(
                re.compile(rf"^\s*{preset}\s*$"), timeout=5_000
            )
            return
        except AssertionError:
            page.keyboard.press("Escape")
    raise AssertionError(f"the preset select never showed {preset}")


def set_other(page: Any, text: str) -> None:
    area = page.locator("textarea").first  # "Other settings (--set path=value, one a line)"
    area.fill(text)
    area.press("Tab")  # the setting is taken when the field is left


def button(page: Any, label: str) -> Any:
    return page.locator("button").filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))


def upload(page: Any, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator("button").filter(has_text="Upload scenario").click()
    chooser.value.set_files(str(path))


def set_checkbox(page: Any, label: str, checked: bool) -> Any:
    """Tick or untick until the page shows it: a render still in flight from an earlier
    change (a preset, a setting) can redraw the box with its old value right after a click."""
    from playwright.sync_api import expect

    box = page.get_by_label(label, exact=True)
    for _ in range(5):
        if box.is_checked() == checked:
            break
        box.click(force=True)
        try:
            expect(box).to_be_checked(checked=checked, timeout=5_000)
        except AssertionError:
            continue
    return box


def shoot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_page_shows_a_negotiation(browser: Any, explorer: dict[str, Any]) -> None:
    page = open_app(browser, explorer)
    assert "EU · before the demand" in status(page)  # after the routine year; no "day -1"
    page.get_by_text("no events yet: step or play").wait_for()
    page.get_by_text("Meetings/week: 3.5", exact=True).wait_for()  # each slider shows its value
    page.get_by_text(re.compile(r"^Trust gain/contact: \d")).wait_for()
    assert page.locator("img").count() >= 3  # network, intervals, timeline
    shoot(page, "01-loaded")
    page.close()


def test_choose_a_preset_change_a_control_and_step(browser: Any, explorer: dict[str, Any]) -> None:
    page = open_app(browser, explorer)
    choose_preset(page, "unsc")
    set_other(page, SHORT)
    page.get_by_text("Mechanisms", exact=True).click()
    gossip = set_checkbox(page, "gossip", checked=False)
    assert not gossip.is_checked()
    seed = page.get_by_label("Seed", exact=True)
    seed.fill("3")
    seed.press("Enter")
    button(page, "Reset").click()
    page.get_by_text(re.compile(r"UNSC · before the demand")).wait_for()
    button(page, "Step").click()
    page.get_by_text(re.compile(r"UNSC · day 0 ")).wait_for()
    page.get_by_text(re.compile(r"^so far: .*demand 1")).wait_for()  # the timeline's first event
    button(page, "Step").click()
    page.get_by_text(re.compile(r"UNSC · day 1 ")).wait_for()
    shoot(page, "02-stepped")
    page.close()


def test_play_runs_to_the_decision(browser: Any, explorer: dict[str, Any]) -> None:
    page = open_app(browser, explorer)
    choose_preset(page, "au")
    set_other(page, SHORT)
    button(page, "Reset").click()
    page.get_by_text(re.compile(r"AU · before the demand")).wait_for()
    button(page, "▶").click()
    page.get_by_text(re.compile(r"decided on day \d+")).wait_for(timeout=120_000)
    page.get_by_text(re.compile(r"· decision ·")).wait_for()  # the timeline's last event
    day = int(re.search(r"decided on day (\d+)", status(page)).group(1))  # type: ignore[union-attr]
    assert f"day {day} ·" in status(page)
    assert button(page, "Step").is_disabled()
    shoot(page, "03-decided")
    page.close()


def test_an_ensemble_draws_its_curve_and_compares(browser: Any, explorer: dict[str, Any]) -> None:
    page = open_app(browser, explorer)
    set_other(page, SHORT)
    page.get_by_text("Many negotiations", exact=True).click()
    reps = page.get_by_label("Replications")
    reps.fill("150")
    reps.press("Enter")
    button(page, "Run ensemble").click()
    page.get_by_text(re.compile(r"median response B - A: [+-]\d")).wait_for(timeout=180_000)
    text = page.get_by_text(re.compile(r"of 150 deployed within the horizon")).all_inner_texts()
    assert len(text) == 2  # A and B
    assert page.locator("img").filter(has=page.locator("xpath=.")).count() >= 1
    shoot(page, "04-ensemble")
    page.close()


def test_a_broken_upload_shows_the_cli_error_and_the_app_goes_on(
    browser: Any, explorer: dict[str, Any], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("extends: eu\nformal_meetings_per_week: -1\n", encoding="utf-8")
    cli = subprocess.run(
        [sys.executable, "-m", "corridors.cli", "validate", "broken.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    line = cli.stderr.strip().removeprefix("error: ")
    assert cli.returncode == 2 and line.startswith("broken.yaml")
    page = open_app(browser, explorer)
    upload(page, broken)
    page.get_by_text(line, exact=True).wait_for()
    shoot(page, "05-broken-upload")
    button(page, "Step").click()  # the negotiation goes on
    page.get_by_text(re.compile(r"EU · day 0 ")).wait_for()
    good = tmp_path / "good.yaml"
    good.write_text("extends: unsc\nparameters:\n  burn_in_days: 30\n", encoding="utf-8")
    upload(page, good)
    button(page, "Reset").click()
    page.get_by_text(re.compile(r"UNSC · before the demand")).wait_for()
    assert page.get_by_text(line, exact=True).count() == 0
    page.close()


def test_the_server_listens_on_loopback_only(explorer: dict[str, Any]) -> None:
    port = explorer["port"]
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                listening.append(address)
    assert listening == ["0100007F"]  # 127.0.0.1, not 0.0.0.0 or ::
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    try:
        socket.create_connection(("127.0.0.2", port), timeout=2).close()  # loopback, but not the bound address
    except ConnectionRefusedError:
        pass
    else:
        raise AssertionError("the explorer answered on 127.0.0.2: it is not bound to 127.0.0.1 alone")


def test_the_server_wrote_no_file(explorer: dict[str, Any]) -> None:
    """After the sessions above (uploads, ensembles): nothing in its working folder, and in its
    home only matplotlib's font cache (the whole toolkit's, made once per machine)."""
    assert sorted(explorer["cwd"].rglob("*")) == []
    home = explorer["home"]
    written = {str(p.relative_to(home)) for p in home.rglob("*")}
    assert written <= {
        ".cache",
        ".cache/matplotlib",
        ".cache/matplotlib/fontlist-v3.11.0.json",
        ".config",
        ".config/matplotlib",
    }, written


def test_the_server_log_holds_no_third_party_warnings(explorer: dict[str, Any]) -> None:
    """After the sessions above: Solara's and Mesa's warnings are filtered where the explorer starts."""
    log = (explorer["cwd"].parent / "explore-server.log").read_text()
    assert "Warning" not in log, log[:2000]
    assert log.startswith("corridors explore: http://127.0.0.1:")
