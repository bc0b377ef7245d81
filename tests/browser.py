"""A real browser for the web-page tests: Debian's Chromium driven by Playwright, axe-core inside it.

Playwright comes from PyPI and drives the system Chromium (/usr/bin/chromium); it never downloads a
browser of its own. axe-core is the copy bundled in the axe-playwright-python package.

``python -m tests.browser`` renders the sample report and writes the README's screenshots to docs/.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from importlib import resources
from pathlib import Path

CHROMIUM = os.environ.get("GOVREPORT_CHROMIUM", "/usr/bin/chromium")
# Flags that keep a headless Chromium quiet on a machine without outside network.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def available() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        return f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
        import axe_playwright_python  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install '.[test]')"
    return None


@contextlib.contextmanager
def chromium():
    """A headless Chromium with a fresh profile, closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, path: Path, viewport=DESKTOP, scale: float = 1, bypass_csp: bool = True):
    # The page's own policy forbids scripts; the test's scripts (axe, DOM reading) are let through
    # unless ``bypass_csp`` is False, to see the page exactly as its policy lets it be.
    context = browser.new_context(viewport=viewport, device_scale_factor=scale, bypass_csp=bypass_csp,
                                  java_script_enabled=True)
    page = context.new_page()
    page.goto(path.resolve().as_uri())
    return page


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page, every rule that axe runs by default."""
    source = resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
    page.add_script_tag(content=source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


# The HTML table model, run by the browser on its own DOM: every slot of every table, with the cell
# that covers it after rowspan and colspan are resolved.
_TABLE_SLOTS = """
() => [...document.querySelectorAll('table')].map(table => {
  const slots = [];
  [...table.rows].forEach((row, r) => {
    slots[r] = slots[r] || [];
    let c = 0;
    for (const cell of row.cells) {
      while (slots[r][c]) c++;
      const info = {tag: cell.tagName.toLowerCase(), text: cell.textContent.trim(), scope: cell.getAttribute('scope'),
                    id: cell.id || null, headers: cell.getAttribute('headers'), row: r, col: c,
                    style: cell.getAttribute('style') || ''};
      for (let i = 0; i < cell.rowSpan; i++) {
        slots[r + i] = slots[r + i] || [];
        for (let j = 0; j < cell.colSpan; j++) slots[r + i][c + j] = info;
      }
      c += cell.colSpan;
    }
  });
  return {caption: table.caption ? table.caption.textContent.trim() : null, slots};
})
"""


def tables(page) -> list[dict]:
    """Each table's caption and slot grid as the browser sees them."""
    return page.evaluate(_TABLE_SLOTS)


def page_overflows(page) -> bool:
    """True when the page itself scrolls sideways (a table scrolling inside its own box is fine)."""
    return page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1")


def screenshots(html: Path, folder: Path) -> list[Path]:
    """The README's pictures of a page: table 三 at desktop width; the top and table 三 on a phone."""
    from PIL import Image

    with chromium() as browser:
        desktop = open_page(browser, html, DESKTOP)
        desktop.evaluate("() => document.getElementById('applications').scrollIntoView()")
        desktop.screenshot(path=str(folder / "html-desktop.png"))
        phone = open_page(browser, html, PHONE, scale=2)
        shots = [folder / "html-phone-top.png", folder / "html-phone-table.png"]
        phone.screenshot(path=str(shots[0]))
        phone.evaluate("() => document.getElementById('applications').scrollIntoView()")
        phone.screenshot(path=str(shots[1]))
    images = [Image.open(p) for p in shots]
    gap = 40
    both = Image.new("RGB", (sum(i.width for i in images) + gap, images[0].height), "#888")
    both.paste(images[0], (0, 0))
    both.paste(images[1], (images[0].width + gap, 0))
    both.save(folder / "html-phone.png", optimize=True)
    for path in shots:
        path.unlink()
    return [folder / "html-desktop.png", folder / "html-phone.png"]


def main(argv: list[str]) -> None:
    import tempfile
    from dataclasses import replace

    import toolkit
    from toolkit.publish import chart
    from toolkit.publish.html import render_html

    from .test_chart import LAST, THIS

    root = Path(__file__).resolve().parent.parent
    folder = Path(argv[0]) if argv else root / "docs"
    report = toolkit.load(root / "samples" / "huaian-2024.yaml").report
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(render_html(report), encoding="utf-8")
        for path in screenshots(page, folder):
            print(path)
    # The chart's example is made-up data under a made-up name (tests/test_chart.py builds the pair).
    example = replace(THIS, agency=replace(THIS.agency, name="示例市人民政府"))
    path = folder / "chart-example.png"
    path.write_bytes(chart.draw(example, LAST).png)
    print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
