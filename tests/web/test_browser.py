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

    from kg.web.app import Settings, serve_in_thread

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


def test_recommend_form_ticks_no_internet_and_a_goal(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.base_url + "?lang=fr")  # an earlier test may have switched to English (cookie)
    page.get_by_role("link", name="Quel mécanisme ?").click()
    assert page.locator("h1").inner_text() == "Quel mécanisme pour ma situation ?"
    page.check("#r-internet")
    page.get_by_label("Influencer les politiques").check()
    page.click("#rank")
    page.wait_for_selector("#ranking")
    assert "internet=no" in page.url and "goal=policy-influence" in page.url
    ranked = page.locator("ol.ranking > li h3 a").all_inner_texts()
    assert len(ranked) == 6 and ranked[0] == "Réseau"
    assert set(ranked[-2:]) == {"Groupe de discussion", "Communauté de pratique"}
    last = page.locator("ol.ranking > li").last
    assert "qui manque à la situation" in last.locator("li.collision").first.inner_text()
    assert page.locator("#r-internet").is_checked()  # the form keeps the situation
    assert page.locator("#as-json").get_attribute("href").startswith("/recommend.json?")
