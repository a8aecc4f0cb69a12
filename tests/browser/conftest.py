"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright; nothing downloaded."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# axe-core (tests/browser/vendor/README.md): the NHS service standard asks for WCAG 2.2 AA.
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_FAILING = ("serious", "critical")
AXE_RUN = """async (tags) => {
  if (document.querySelector("[data-figure]") && !document.body.dataset.chartsReady) {
    await new Promise((done) => {
      const check = () => (document.body.dataset.chartsReady ? done() : setTimeout(check, 20));
      check();
      setTimeout(done, 5000);
    });
  }
  const result = await window.axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + ": " + n.failureSummary),
  }));
}"""


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM}: apt-get install chromium")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop; Django's live_server ORM calls are safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class AuditedPage:
    """A Playwright page that runs axe-core on every document it loads, before the test next
    touches the page (and on the last one at the end), so each page a test opens is audited
    as the user saw it, charts drawn. axe is added by an init script: the app's CSP (no
    inline or injected script) does not apply to it, and it is in every document from the
    start. A page that fails records its serious and critical WCAG 2.2 AA violations."""

    def __init__(self, page):
        self._page = page
        self._loads = 0
        self._audited = 0
        self.violations: dict[str, list] = {}
        page.on("load", self._loaded)

    def _loaded(self, _page):
        self._loads += 1

    def audit(self):
        if self._audited == self._loads or self._page.is_closed():
            return
        self._audited = self._loads
        page = self._page
        page.wait_for_load_state("load")
        found = [v for v in page.evaluate(AXE_RUN, AXE_TAGS) if v["impact"] in AXE_FAILING]
        if found:
            self.violations.setdefault(page.url, []).extend(found)

    def __getattr__(self, name):
        if name not in ("on", "url", "context", "is_closed"):
            self.audit()
        return getattr(self._page, name)


def axe_report(violations: dict) -> str:
    lines = []
    for url, found in violations.items():
        lines.append(url)
        for v in found:
            lines.append(f"  {v['impact']} {v['id']}: {v['help']}")
            lines += [f"    {node}" for node in v["nodes"]]
    return "\n".join(lines)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 800}, locale="en-GB")
    context.add_init_script(path=str(AXE))
    audited = AuditedPage(context.new_page())
    audited.set_default_timeout(10_000)
    yield audited
    audited.audit()
    context.close()
    assert not audited.violations, "axe-core found WCAG 2.2 AA violations:\n" + axe_report(
        audited.violations
    )


@pytest.fixture
def screenshot(page):
    def take(name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
