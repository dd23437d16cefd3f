"""Open rendered HTML reports in Debian's chromium (headless, offline) and run axe-core.

Used by the e2e accessibility test. The axe-core script is the copy axe-selenium-python
ships; chromium and chromedriver come from Debian (``tools/test-setup.sh``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERIOUS = ("serious", "critical")


def missing_tools() -> list[str]:
    """What the browser test needs and this machine lacks (empty: it can run)."""
    missing = [name for name in ("chromium", "chromedriver") if shutil.which(name) is None]
    try:
        import axe_selenium_python  # noqa: F401
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the Python packages selenium and axe-selenium-python (pip install -e .[test])")
    return missing


@contextmanager
def chromium() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,2000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def audit(driver, page: Path) -> dict[str, list[str]]:
    """Open ``page`` and return its problems: axe-core violations of impact serious or
    critical (rule id, impact, the first elements), and any resource the page loaded from
    somewhere other than the file itself (``file:``/``data:``/``blob:``)."""
    from axe_selenium_python import Axe

    driver.get(page.resolve().as_uri())
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} – " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results["violations"]
        if v.get("impact") in SERIOUS
    ]
    loaded = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    remote = [url for url in loaded if not url.startswith(("file:", "data:", "blob:"))]
    return {"violations": violations, "remote": remote}
