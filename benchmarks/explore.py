"""The explorer's speed: one OSCE day redrawn, and a 2,000-run ensemble's curve.

Prints; asserts nothing (machines here are shared and noisy).

    .venv/bin/python benchmarks/explore.py              # server-side figures and, if Chromium
                                                        # and Playwright are here, the browser too
    .venv/bin/python benchmarks/explore.py --no-browser

Also the start, from the command to the first page served, replaying the burn-in and from a
stored world (``corridors explore --worlds``; target under 10 s, issue 24).

Targets (issue 13): stepping one day of the OSCE (56 members) redraws within 200 ms; an
ensemble of 2,000 runs shows its curve within 10 s after the engine is compiled.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corridors.explore import figures
from corridors.explore.ensemble import median_difference, paper_mean_days, run_ensemble
from corridors.explore.session import ExplorerCommittee
from corridors.scenario import load_scenario

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def png(fig: object) -> int:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")  # type: ignore[attr-defined]
    return buffer.tell()


def server_side_day(days: int) -> None:
    """One day of the OSCE, then the page's three views brought up to date (PNG layers)."""
    committee = ExplorerCommittee("osce", seed=1)
    t0 = time.perf_counter()
    views = (figures.NetworkView(committee), figures.IntervalsView(committee), figures.TimelineView(committee))
    for view in views:
        view.layers()
    print(f"OSCE views first drawn (layout and the layers that stay): {1000 * (time.perf_counter() - t0):.0f} ms")
    step_ms, draw_ms = [], []
    for _ in range(days):
        t0 = time.perf_counter()
        committee.step()
        t1 = time.perf_counter()
        for view in views:
            view.layers()
        t2 = time.perf_counter()
        step_ms.append(1000 * (t1 - t0))
        draw_ms.append(1000 * (t2 - t1))
    total = [a + b for a, b in zip(step_ms, draw_ms, strict=True)]
    print(
        f"OSCE day, server side over {days} days: step median {statistics.median(step_ms):.1f} ms, "
        f"views median {statistics.median(draw_ms):.1f} ms, step + views median "
        f"{statistics.median(total):.1f} ms, max {max(total):.1f} ms (target 200 ms)"
    )


# In the page: click Step, then wait (on every DOM change) until the status shows the next day
# and every image is decoded; returns the milliseconds taken.
TIME_ONE_STEP = """(label) => new Promise((resolve) => {
  const step = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Step');
  const t0 = performance.now();
  const done = () => document.body.innerText.includes(label) && [...document.images].every(i => i.complete);
  const observer = new MutationObserver(() => {
    if (done()) { observer.disconnect(); requestAnimationFrame(() => resolve(performance.now() - t0)); }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
  step.click();
})"""


def browser_day(clicks: int) -> None:
    """Click Step in headless Chromium and wait until the page shows the next day."""
    try:
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError:
        print("browser: Playwright is not installed; skipped")
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "corridors.cli", "explore", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=os.environ.get("CORRIDORS_CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_text(re.compile(r"· negotiating")).wait_for()
            page.locator(".v-select").filter(has_text="Organization (preset)").click()
            page.locator(".v-menu__content .v-list-item").filter(has_text=re.compile(r"^osce$")).click()
            page.locator("button").filter(has_text=re.compile(r"^\s*Reset\s*$")).click()
            page.get_by_text(re.compile(r"OSCE · before the demand")).wait_for()  # after the routine year
            step = page.locator("button").filter(has_text=re.compile(r"^\s*Step\s*$"))
            times = []
            for day in range(clicks):
                step.wait_for()
                times.append(page.evaluate(TIME_ONE_STEP, f"OSCE · day {day} "))
            browser.close()
        print(
            f"OSCE day, in Chromium (click Step to the next day shown, images decoded, next frame), {clicks} days: "
            f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms (target 200 ms)"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


def startup(worlds: Path | None, browser: bool, label: str) -> None:
    """From the command to the first page served (the EU negotiation at day 0), with or without stored worlds.

    With Chromium and Playwright, until the page shows the negotiating committee; without, until
    the server answers plus the page's committee built in this process (its burn-in, or its world).
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "corridors.cli", "explore", "--port", str(port)]
    if worlds is not None:
        command += ["--worlds", str(worlds)]
    t0 = time.perf_counter()
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        serving = time.perf_counter() - t0
        if browser:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                chromium = p.chromium.launch(
                    executable_path=os.environ.get("CORRIDORS_CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS
                )
                page = chromium.new_page(viewport={"width": 1600, "height": 1000})
                page.set_default_timeout(120_000)
                page.goto(f"http://127.0.0.1:{port}/")
                page.get_by_text(re.compile(r"· negotiating")).wait_for()
                chromium.close()
            print(
                f"explore start, {label}: server answers after {serving:.1f} s, first page (EU at day 0) "
                f"shown after {time.perf_counter() - t0:.1f} s (target < 10 s)"
            )
        else:
            from corridors.engines import worlds as worlds_module

            if worlds is not None:
                os.environ[worlds_module.REFERENCE_WORLDS_ENV] = str(worlds)
            worlds_module._REFERENCE_WORLDS.clear()
            t1 = time.perf_counter()
            ExplorerCommittee("eu")
            built = time.perf_counter() - t1
            os.environ.pop(worlds_module.REFERENCE_WORLDS_ENV, None)
            print(
                f"explore start, {label}: server answers after {serving:.1f} s, + the page's committee "
                f"{built:.1f} s = {serving + built:.1f} s (target < 10 s; no browser here)"
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a loaded machine: it is still starting its sessions
            server.kill()
            server.wait()


def ensemble(replications: int) -> None:
    eu = load_scenario("eu")
    t0 = time.perf_counter()
    run_ensemble(eu, replications=10, seed=99)
    print(f"batch engine compile (or load from numba's cache) and 10 runs: {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    rows = run_ensemble(eu, replications=replications, seed=0)
    t1 = time.perf_counter()
    png(figures.km_figure({"EU": rows}, paper_mean_days(eu), "EU"))
    t2 = time.perf_counter()
    print(
        f"EU ensemble of {replications}: runs {t1 - t0:.2f} s, curve {t2 - t1:.2f} s, total {t2 - t0:.2f} s "
        "(target 10 s)"
    )
    slow = load_scenario("eu", ["formal_meetings_per_week=0.5"])
    t0 = time.perf_counter()
    other = run_ensemble(slow, replications=replications, seed=0)
    diff = median_difference(rows, other)
    png(figures.km_figure({"EU": rows, "EU at 0.5/week": other}, paper_mean_days(eu), "EU"))
    print(
        f"second setting ({replications} runs at 0.5 meetings/week), 1,000-resample median difference and "
        f"both curves: {time.perf_counter() - t0:.2f} s; median B - A {diff.difference:+.1f} days "
        f"[{diff.low:+.1f}, {diff.high:+.1f}]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=40)
    parser.add_argument("--replications", type=int, default=2000)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    browser = not args.no_browser and Path("/usr/bin/chromium").exists()
    if browser:
        try:
            import playwright  # noqa: F401
        except ModuleNotFoundError:
            browser = False
    with tempfile.TemporaryDirectory() as folder:
        startup(None, browser, "replaying the burn-in")
        startup(Path(folder), browser, "replaying the burn-in, keeping its world")
        startup(Path(folder), browser, "from the stored world")
    server_side_day(args.days)
    ensemble(args.replications)
    if not args.no_browser and Path("/usr/bin/chromium").exists():
        browser_day(min(args.days, 20))


if __name__ == "__main__":
    main()
