"""Page weight of the dashboards on the demo data in Chromium: HTML bytes, JavaScript bytes and
the time until the first chart is drawn, for the ward dashboard (as ward staff), the trust
matrix and trust charts (QI lead) and the region comparison (facilitator).

A benchmark, not a test: it serves the app with `runserver` against an already seeded
database and drives Debian's Chromium with Playwright (nothing downloaded):

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python manage.py seed_demo
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/page_weight.py --runs 5

Times are medians over `--runs` cold loads (a new browser context each, so nothing cached);
bytes are what the server sent (runserver does not compress: gzip would send less).
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int) -> subprocess.Popen:
    env = {**os.environ, "DEBUG": "true", "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", "--nothreading",
         f"127.0.0.1:{port}"],
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


def measure(browser, base: str, username: str, path_of) -> dict:
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
    sizes = {"html": 0, "js": 0}

    def count(response):
        if 300 <= response.status < 400:
            return
        kind = response.request.resource_type
        if kind == "document":
            sizes["html"] += len(response.body())
        elif kind == "script":
            sizes["js"] += len(response.body())

    page.on("response", count)
    page.goto(f"{base}{path}", wait_until="load")
    if page.locator("[data-figure]").count():
        page.wait_for_function("window.__allCharts !== undefined", timeout=30_000)
    first = page.evaluate("window.__firstChart ?? null")
    every = page.evaluate("window.__allCharts ?? null")
    context.close()
    return {"path": path, **sizes, "first_chart_ms": first, "all_charts_ms": every}


def landed(page) -> str:
    return urllib.parse.urlsplit(page.url).path


def ward_path(page) -> str:
    return page.locator("a", has_text="SPC charts").first.get_attribute("href")


# Each persona's page, found from where signing in lands them.
PAGES = {
    "ward dashboard": ("ward.staff", ward_path),
    "trust matrix": ("qi.lead", landed),
    "trust charts": ("qi.lead", lambda page: f"{landed(page)}charts/"),
    "region comparison": ("facilitator", landed),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    port = free_port()
    server = serve(port)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            print(f"{'page':<20} {'HTML kB':>8} {'JS kB':>8} {'first chart ms':>15} "
                  f"{'all charts ms':>14}")  # fmt: skip
            for name, (username, path_of) in PAGES.items():
                runs = [measure(browser, base, username, path_of) for _ in range(args.runs)]
                first = [r["first_chart_ms"] for r in runs if r["first_chart_ms"] is not None]
                every = [r["all_charts_ms"] for r in runs if r["all_charts_ms"] is not None]
                print(f"{name:<20} {runs[0]['html'] / 1000:>8.0f} {runs[0]['js'] / 1000:>8.0f} "
                      f"{statistics.median(first) if first else float('nan'):>15.0f} "
                      f"{statistics.median(every) if every else float('nan'):>14.0f}"
                      f"   {runs[0]['path']}")  # fmt: skip
            browser.close()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
