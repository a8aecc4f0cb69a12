"""Page weight of the dashboards on the demo data in Chromium: HTML bytes, JavaScript bytes and
the time until the first chart is drawn, for the ward dashboard (as ward staff), the trust
matrix and trust charts (QI lead) and the region comparison (facilitator).

A benchmark, not a test: it serves the app with `runserver` against an already seeded
database and drives Debian's Chromium with Playwright (nothing downloaded):

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python manage.py seed_demo
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/page_weight.py --runs 5

`--screenshots` also saves the README's screenshots of the demo data. Times are medians
over `--runs` cold loads (a new browser context each, so nothing cached); bytes are what the
server sent (runserver does not compress: gzip would send less).
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "mhsip-demo-2026"  # the demo logins' published password (README)
# Time from navigation start until the first chart's SVG is in the page, and until all are.
WATCH = """
new MutationObserver((_, observer) => {
  const plots = document.querySelectorAll("[data-figure] .main-svg");
  if (plots.length && window.__firstChart === undefined) window.__firstChart = performance.now();
  if (document.body && document.body.dataset.chartsReady && window.__allCharts === undefined) {
    window.__allCharts = performance.now();
  }
}).observe(document, {subtree: true, childList: true, attributes: true});
"""
# Bytes from the Resource Timing API (same origin, so sizes are given): the page's own HTML
# and every script it loaded, decoded (runserver sends them uncompressed anyway).
TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const scripts = performance.getEntriesByType("resource").filter(
    (r) => r.initiatorType === "script" || r.name.endsWith(".js"));
  return {
    html: nav.decodedBodySize,
    js: scripts.reduce((sum, r) => sum + r.decodedBodySize, 0),
    html_ms: nav.responseEnd,
    scripts_ms: Math.max(0, ...scripts.map((r) => r.responseEnd)),
    first_chart_ms: window.__firstChart ?? null,
    all_charts_ms: window.__allCharts ?? null,
  };
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int) -> subprocess.Popen:
    env = {**os.environ, "DEBUG": "true", "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("runserver did not start")


def measure(browser, base: str, username: str, path_of, screenshot=None) -> dict:
    options = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}
    login = browser.new_context(**options)
    page = login.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    path = path_of(page)
    # A new context with the session cookie only: nothing cached from signing in.
    context = browser.new_context(**options, storage_state=login.storage_state())
    login.close()
    context.add_init_script(WATCH)
    page = context.new_page()
    page.goto(f"{base}{path}", wait_until="load")
    if page.locator("[data-figure]").count():
        page.wait_for_function("() => window.__allCharts !== undefined", timeout=60_000)
    timing = page.evaluate(TIMING)
    if screenshot:
        page.screenshot(path=str(screenshot), full_page=True)
    context.close()
    return {"path": path, **timing}


def landed(page) -> str:
    return urllib.parse.urlsplit(page.url).path


def ward_path(page) -> str:
    return page.locator("a", has_text="SPC charts").first.get_attribute("href")


# Each persona's page, found from where signing in lands them, and its README screenshot.
PAGES = {
    "ward dashboard": ("ward.staff", ward_path, "demo-ward-dashboard"),
    "trust matrix": ("qi.lead", landed, "demo-trust-matrix"),
    "trust charts": ("qi.lead", lambda page: f"{landed(page)}charts/", None),
    "region comparison": ("facilitator", landed, "demo-region-comparison"),
}
SCREENSHOTS = ROOT / "docs" / "screenshots"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--screenshots", action="store_true",
                        help="also save the README's demo screenshots (docs/screenshots/demo-*)")
    args = parser.parse_args()
    port = free_port()
    server = serve(port)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            print(f"{'page':<18} {'HTML kB':>7} {'JS kB':>6} {'HTML ms':>8} {'scripts ms':>10} "
                  f"{'1st chart ms':>12} {'all charts ms':>13}")  # fmt: skip
            for name, (username, path_of, shot) in PAGES.items():
                runs = [measure(browser, base, username, path_of) for _ in range(args.runs)]
                if args.screenshots and shot:
                    measure(browser, base, username, path_of, SCREENSHOTS / f"{shot}.png")

                def median(key, runs=runs):
                    values = [r[key] for r in runs if r[key] is not None]
                    return statistics.median(values) if values else float("nan")

                print(f"{name:<18} {runs[0]['html'] / 1000:>7.0f} {runs[0]['js'] / 1000:>6.0f} "
                      f"{median('html_ms'):>8.0f} {median('scripts_ms'):>10.0f} "
                      f"{median('first_chart_ms'):>12.0f} {median('all_charts_ms'):>13.0f}"
                      f"   {runs[0]['path']}")  # fmt: skip
            browser.close()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
