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


# ---------------------------------------------------------------- issue 12: script, colours, language switch, phones

def test_a_javascript_iri_in_a_result_does_not_run(page) -> None:  # type: ignore[no-untyped-def]
    import urllib.parse

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    query = "SELECT ?x WHERE { VALUES ?x { <javascript://%0Aalert(document.domain)> } }"
    response = page.goto(page.base_url + "sparql?" + urllib.parse.urlencode({"query": query, "lang": "en"}))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    cell = page.locator("#results td").first
    assert "javascript:" in cell.inner_text()
    assert page.locator("#results a").count() == 0  # shown, not linked
    cell.click()
    # Were an attacker to get markup into the page, the CSP would refuse its inline script.
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.__ran = true'; document.body.append(s); }")
    assert page.evaluate("() => window.__ran === undefined")
    page.wait_for_timeout(200)
    assert dialogs == []


def _colour(page, selector: str, prop: str) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator(selector).first.evaluate(f"e => getComputedStyle(e).{prop}"))


def _background(page, selector: str) -> str:  # type: ignore[no-untyped-def]
    """The first non-transparent background behind an element."""
    return str(page.locator(selector).first.evaluate(
        "e => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;"
        " if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; }"))


def test_the_ontology_table_of_contents_is_readable(page, graph, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kg.release.publish import publish

    page.goto(page.base_url + "ksm/ontology?lang=en")
    assert _colour(page, "nav.toc a", "color") != _background(page, "nav.toc a")
    assert _colour(page, "nav.toc a", "color") != "rgb(255, 255, 255)"
    release = publish(tmp_path / "site", graph=graph)
    page.goto((release.path / "ontology.html").as_uri())
    assert _colour(page, "nav.toc a", "color") != "rgb(255, 255, 255)"
    assert _colour(page, "header nav a", "color") == "rgb(255, 255, 255)"  # the header's links stay white on green


def test_the_language_switch_keeps_a_submitted_form(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.base_url + "recommend?lang=en")
    page.check("#r-internet")
    page.click("#rank")
    page.wait_for_selector("#ranking")
    assert page.locator("h1").inner_text() == "Which mechanism for my situation?"
    page.locator("a.lang").click()
    page.wait_for_selector("#ranking")
    assert page.locator("h1").inner_text() == "Quel mécanisme pour ma situation ?"
    assert page.locator("#r-internet").is_checked() and "internet=no" in page.url
    page.goto(page.base_url + "queries/mechanisms-by-tool?tool=ksmc%3Aemail&lang=fr")
    page.locator("a.lang").click()
    page.wait_for_selector("#results")
    assert "Discussion group" in page.locator("#results").inner_text()


def test_no_page_scrolls_sideways_on_a_phone(page) -> None:  # type: ignore[no-untyped-def]
    import urllib.parse

    long_iri = "http://example.org/" + "a-very-long-segment-without-spaces" * 8
    query = f"SELECT ?x ?y WHERE {{ VALUES (?x ?y) {{ (<{long_iri}> \"{'mot' * 60}\") }} }}"
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        for path in ("?lang=fr", "ksm/id/mechanism/network", "ksm/ontology", "ksm/id/concept/email", "ksm/id/limitation-category/language", "recommend",
                     "editor?" + urllib.parse.urlencode({"query": query}), "queries/mechanism-mapped-concepts?mechanism=mech%3Anetwork",
                     "ksm/dataset", "ksm/graph/mechanisms"):
            page.goto(page.base_url + path)
            overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, (path, overflow)
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})


def test_skip_link_and_labelled_editor(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.base_url + "editor?lang=en")
    assert page.get_by_label("SPARQL query").count() == 1
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
