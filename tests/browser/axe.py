"""Accessibility audit with axe-core, read from var/npm (scripts/ensure-axe.sh installs it) and
evaluated in the page by the test: no network at run time, and the page's own CSP is untouched
(Playwright's evaluate is not page script)."""
from functools import lru_cache

from playwright.sync_api import Page

from launcher.processes import ROOT

AXE = ROOT / "var" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@lru_cache(maxsize=1)
def _source() -> str:
    if not AXE.is_file():
        raise RuntimeError(f"{AXE} missing: run scripts/ensure-axe.sh (make test-browser does)")
    return AXE.read_text(encoding="utf-8")


def serious_violations(page: Page):
    """[(rule id, impact, [target selectors])] of every serious or critical violation on the page."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source() + "\n;true")
    result = page.evaluate("""async () => {
        const r = await window.axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(" "))]);
    }""")
    return [v for v in result if v[1] in BLOCKING]
