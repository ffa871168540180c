"""`kg validate` catches the mistakes a copy of the data can be made to carry.

Each mutation below was accepted by `kg validate` before the knowledge review
(issue 14): a French text tagged "FR" (the store lowercases it, Jena and
rdflib do not), "fr-FR" (sh:languageIn matches ranges), an empty text, a gap
in the positions of a cell, English under @fr, a changed word in a text taken
verbatim from the table, and a benefit that is also a limitation (an OWL
inconsistency the reasoner derives silently).  They are applied together, each
to a different statement of a copy of the bundled data, and validated once,
as `kg validate FILE...` does; each must be reported on its own statement by
the shape that names the mistake.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.core import resources
from kg.quality.validate import Report, validate

STMT = "stmt:"

# (file, text to replace, replacement, statement, the rules that must report it)
MUTATIONS = [
    ("mechanisms.ttl", '"Débattre des propositions"@fr', '"Débattre des propositions"@FR',
     "fora-in-situ-objective-2", {"ksmsh:Statement-label-languages"}),
    ("mechanisms.ttl", '"Valider ou évaluer des initiatives"@fr', '"Valider ou évaluer des initiatives"@fr-FR',
     "fora-in-situ-objective-3", {"ksmsh:Statement-label-languages", "check:label-language-not-fr-en"}),
    ("mechanisms.ttl", '"l\'interactivité pour l\'accès à l\'information à temps réel."@fr', '""@fr',
     "discussion-group-benefit-1", {"ksmsh:Statement-label-text", "ksmsh:Verbatim-label"}),
    ("mechanisms.ttl", '''    rdfs:label "Valorisation des exemples novateurs de bonnes pratiques"@fr ;
    ksm:position 2 ;''', '''    rdfs:label "Valorisation des exemples novateurs de bonnes pratiques"@fr ;
    ksm:position 7 ;''', "learning-group-benefit-2", {"ksmsh:Statement-position-sequence"}),
    ("mechanisms.ttl", '"L\'exemple est souvent le meilleur moyen de convaincre"@fr', '"Example is often the best way to convince"@fr',
     "study-tour-benefit-1", {"ksmsh:Verbatim-label", "check:statement-text-identical-in-fr-and-en"}),
    ("mechanisms.ttl", '"Disproportion du niveau de contribution"@fr', '"Disproportion du niveau de participation"@fr',
     "network-limitation-2", {"ksmsh:Verbatim-label"}),
    ("mechanisms.ttl", "ksm:hasLimitation stmt:community-of-practice-limitation-1 ,",
     "ksm:hasLimitation stmt:community-of-practice-benefit-1 , stmt:community-of-practice-limitation-1 ,",
     "community-of-practice-benefit-1", {"ksmsh:DisjointClassesShape"}),
]


def _copy_and_mutate(target: Path) -> list[Path]:
    data = resources.root() / "data"
    shutil.copytree(data, target, ignore=shutil.ignore_patterns("*.csv", "*.md"))
    for name, old, new, statement, _ in MUTATIONS:
        path = target / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"the mutation of {statement} no longer applies to {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")
    return sorted(target.glob("*.ttl")) + sorted((target / "mappings").glob("*.ttl"))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    files = _copy_and_mutate(tmp_path_factory.mktemp("mutated") / "data")
    return validate(files)


@pytest.mark.parametrize(("statement", "rules"), [(m[3], m[4]) for m in MUTATIONS], ids=[m[3] for m in MUTATIONS])
def test_each_mistake_is_reported_on_its_statement(report: Report, statement: str, rules: set[str]) -> None:
    assert not report.conforms
    found = {v.source for v in report.violations if v.focus == STMT + statement}
    assert rules <= found, f"{statement}: reported by {sorted(found)}"
    for violation in report.violations:
        if violation.focus == STMT + statement:
            assert violation.message_fr and violation.message_en, violation


def test_nothing_else_is_reported(report: Report) -> None:
    """Only the mutated statements (and the neighbour left after the gap, now without its predecessor)."""
    mutated = {STMT + m[3] for m in MUTATIONS} | {STMT + "learning-group-benefit-3"}
    assert {v.focus for v in report.violations} <= mutated, report.render("en")
