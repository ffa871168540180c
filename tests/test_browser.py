"""A real headless Chromium (Debian's package) driven by Playwright against `kg serve`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)"),
]


@pytest.fixture(scope="module")
def page(graph) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    from kg.server import Settings, serve_in_thread

    with serve_in_thread(Settings(workers=1), graph=graph) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(locale="fr-FR", extra_http_headers={"Accept-Language": "fr"})
        tab = context.new_page()
        tab.base_url = url  # type: ignore[attr-defined]
        yield tab
        browser.close()


def test_home_lists_the_six_mechanisms(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.base_url)
    names = page.locator("#mechanisms h2").all_inner_texts()
    assert sorted(names) == sorted(["Fora in situ", "Groupe de discussion", "Communauté de pratique", "Réseau", "Groupe d'apprentissage", "Voyage d'études"])


def test_mechanism_page_then_switch_to_english(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.base_url)
    page.get_by_role("link", name="Voyage d'études").click()
    assert page.locator("h1").inner_text() == "Voyage d'études"
    assert page.locator("#limitations li").count() >= 1
    assert page.locator(".inferred").count() >= 1  # e.g. it depends on travel, by inference
    page.locator("a.lang").click()
    assert page.locator("h1").inner_text() == "Study tour"
    assert page.locator("#limitations h2").inner_text() == "Limitations"


def test_saved_query_form_submits_and_shows_the_table(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.base_url + "queries/mechanisms-by-tool?lang=en")
    page.select_option("#p-tool", "ksmc:email")
    page.click("#run")
    page.wait_for_selector("#results")
    cells = page.locator("#results tbody tr").first.locator("td").all_inner_texts()
    assert "Discussion group" in cells
    assert page.locator("#results tbody tr").count() == 1
    assert page.locator("#as-csv").get_attribute("href").startswith("/queries/mechanisms-by-tool.csv?")
