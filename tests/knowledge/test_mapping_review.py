"""Every mapping follows the written rule (data/mappings/README.md), and the dumps agree with what it says.

The comment above each mapping names its target as the vocabulary does and,
for the UNESCO Thesaurus and the SDG KOS, the target's broader chain up to the
top of its hierarchy ("Workshops (teaching method), under Group instruction,
under Teaching methods"): the sense of a concept is read off that chain, not
off its label alone.  These tests read the labels, the broader chains and the
alternative labels quoted in the scope notes back from the published dumps
(../shared/vocabularies/), so a misread concept, a concept of another sense
or a dump that changed shows here; and they check the SKOS consistency rules
that need no dump: one exact or close match per target, one match per pair,
a justification for every match but an exact one, linksets that describe
their own links.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox
import pytest

from kg.core import resources
from tests.paths import SHARED, require_shared

MAPPINGS = resources.root() / "data" / "mappings"
VOCABULARIES = SHARED / "vocabularies"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
VOID = "http://rdfs.org/ns/void#"
RELATION = "http://purl.org/dc/terms/relation"
LINKS = {SKOS + m for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")} | {RELATION}
EQUIVALENCE = {SKOS + "exactMatch", SKOS + "closeMatch"}
# The vocabularies whose dump is at hand, and the property that names a concept there.
DUMPS = {"unesco": ("unesco-thesaurus.ttl", "prefLabel"), "sdg": ("sdg-goals-targets-indicators.ttl", "note")}

_COMMENT = re.compile(r"^# (\S+) -> (.+)$")
_LINK = re.compile(r"^(\S+) (\S+) (\S+) \.$")


@dataclass(frozen=True)
class Mapping:
    where: str  # file:line, for messages
    subject: str
    predicate: str
    target: str
    label: str  # the target's name, as the comment gives it
    chain: tuple[str, ...]  # the names of its broader concepts, nearest first

    def __str__(self) -> str:
        return f"{self.where}: {self.subject} {self.predicate.rsplit('#', 1)[-1]} {self.target}"


def stems() -> list[str]:
    return sorted(p.stem for p in MAPPINGS.glob("*.ttl"))


def _expand(curie: str, prefixes: dict[str, str]) -> str:
    if curie.startswith("<"):
        return curie.strip("<>")
    prefix, local = curie.split(":", 1)
    return prefixes[prefix] + local


def mappings(stem: str) -> list[Mapping]:
    """The mappings of one file, each with the target's name and broader chain from its comment."""
    path = MAPPINGS / f"{stem}.ttl"
    lines = path.read_text(encoding="utf-8").splitlines()
    prefixes = dict(re.findall(r"^@prefix (\S*): <([^>]*)> \.$", "\n".join(lines), flags=re.M))
    found = []
    for number, (comment, link) in enumerate(itertools.pairwise(lines), start=2):
        named, linked = _COMMENT.match(comment), _LINK.match(link)
        if named and linked:
            assert named.group(1) == linked.group(1), f"{path.name}:{number}: the comment names {named.group(1)}, the mapping {linked.group(1)}"
            label, *chain = named.group(2).split(", under ")
            found.append(Mapping(f"{path.name}:{number}", *(_expand(term, prefixes) for term in linked.groups()), label, tuple(chain)))
    return found


def triples(stem: str) -> list[ox.Triple]:
    return list(ox.parse(path=str(MAPPINGS / f"{stem}.ttl"), format=ox.RdfFormat.TURTLE))


def axioms(stem: str) -> dict[tuple[str, str, str], dict[str, list[ox.Literal | ox.NamedNode | ox.BlankNode]]]:
    """The owl:Axiom annotations of one file: (source, property, target) -> annotation property -> values."""
    by_node: dict[object, dict[str, list]] = defaultdict(lambda: defaultdict(list))  # type: ignore[type-arg]
    for t in triples(stem):
        by_node[t.subject][t.predicate.value].append(t.object)
    found = {}
    for values in by_node.values():
        if ox.NamedNode(OWL + "Axiom") in values.get("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", []):
            key = tuple(values[OWL + name][0].value for name in ("annotatedSource", "annotatedProperty", "annotatedTarget"))
            assert key not in found, f"{stem}: two annotations of {key}"
            found[key] = values  # type: ignore[index]
    return found  # type: ignore[return-value]


@pytest.fixture(scope="module")
def dumps() -> dict[str, ox.Store]:
    loaded = {}
    for stem, (name, _) in DUMPS.items():
        path = require_shared(VOCABULARIES / name, f"the {stem} dump")
        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        loaded[stem] = store
    return loaded


def _name(store: ox.Store, iri: str, prop: str) -> str | None:
    names = [q.object.value for q in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(SKOS + prop), None)
             if isinstance(q.object, ox.Literal) and q.object.language == "en"]
    return names[0] if names else None


def _broader(store: ox.Store, iri: str) -> list[str]:
    return sorted(q.object.value for q in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(SKOS + "broader"), None))


# ----------------------------------------------------------------- with the dumps

@pytest.mark.parametrize("stem", sorted(DUMPS))
def test_each_target_is_named_and_placed_as_its_dump_has_it(stem: str, dumps: dict[str, ox.Store]) -> None:
    """The label and the whole broader chain in the comment are the dump's: a concept of another sense shows."""
    store, prop = dumps[stem], DUMPS[stem][1]
    found = mappings(stem)
    assert len(found) == sum(1 for t in triples(stem) if t.predicate.value in LINKS), f"{stem}: a mapping without its comment"
    for mapping in found:
        assert _name(store, mapping.target, prop) == mapping.label, f"{mapping}: the dump names it {_name(store, mapping.target, prop)!r}"
        here = mapping.target
        for step, expected in enumerate(mapping.chain, start=1):
            names = {_name(store, b, prop): b for b in _broader(store, here)}
            assert expected in names, f"{mapping}: broader concept {step} is one of {sorted(n or '' for n in names)}, not {expected!r}"
            here = names[expected]
        assert _broader(store, here) == [], f"{mapping}: the chain stops at {here}, which has a broader concept: give the whole chain"


def test_alternative_labels_quoted_in_unesco_scope_notes_are_the_dumps(dumps: dict[str, ox.Store]) -> None:
    """A justification that leans on an entry term ("alternative label Social networks") must quote a real one."""
    store = dumps["unesco"]
    quoted = 0
    for (_, _, target), values in axioms("unesco").items():
        for note in values.get(SKOS + "scopeNote", []):
            for claim in re.findall(r"[Aa]lternative labels? ([^;:.]+)", note.value):
                alternatives = {q.object.value for q in store.quads_for_pattern(ox.NamedNode(target), ox.NamedNode(SKOS + "altLabel"), None)
                                if isinstance(q.object, ox.Literal) and q.object.language == "en"}
                for label in claim.split(", "):
                    quoted += 1
                    assert label in alternatives, f"{target}: {label!r} is not one of its alternative labels {sorted(alternatives)}"
    assert quoted >= 4


# -------------------------------------------------------------- without the dumps

def test_no_two_of_our_concepts_match_one_target_exactly_or_closely() -> None:
    """Two concepts that both mean the target would mean each other: a limitation is not the skill a requirement matches."""
    claimants: dict[str, set[str]] = defaultdict(set)
    for stem in stems():
        for t in triples(stem):
            if t.predicate.value in EQUIVALENCE:
                claimants[t.object.value].add(t.subject.value)
    shared = {target: sorted(ours) for target, ours in claimants.items() if len(ours) > 1}
    assert shared == {}


def test_one_match_per_pair_of_concepts() -> None:
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for stem in stems():
        for t in triples(stem):
            if t.predicate.value in LINKS:
                seen[(t.subject.value, t.object.value)].add(t.predicate.value)
    assert {pair: sorted(p) for pair, p in seen.items() if len(p) > 1} == {}


@pytest.mark.parametrize("stem", stems())
def test_every_match_is_annotated_and_every_match_but_an_exact_one_justified(stem: str) -> None:
    links = {(t.subject.value, t.predicate.value, t.object.value) for t in triples(stem) if t.predicate.value in LINKS}
    annotated = axioms(stem)
    assert set(annotated) == links, f"{stem}: annotations and mappings differ"
    linkset = ox.NamedNode(f"https://w3id.org/ksm/id/linkset/{stem}")
    for link, values in annotated.items():
        assert values[VOID + "inDataset"] == [linkset], link
        notes = [n for n in values.get(SKOS + "scopeNote", []) if isinstance(n, ox.Literal) and n.language == "en"]
        if link[1] != SKOS + "exactMatch":
            assert notes and all(n.value.strip() for n in notes), f"{stem}: {link} needs an English skos:scopeNote saying why"


@pytest.mark.parametrize("stem", stems())
def test_each_linkset_lists_its_predicates_counts_its_links_and_names_their_uri_space(stem: str) -> None:
    facts = triples(stem)
    linkset = ox.NamedNode(f"https://w3id.org/ksm/id/linkset/{stem}")
    about = defaultdict(list)
    for t in facts:
        about[(t.subject, t.predicate.value)].append(t.object)
    links = [t for t in facts if t.predicate.value in LINKS]
    assert {o.value for o in about[(linkset, VOID + "linkPredicate")]} == {t.predicate.value for t in links}
    assert [int(o.value) for o in about[(linkset, VOID + "triples")]] == [len(links)]
    (target,) = about[(linkset, VOID + "objectsTarget")]
    (space,) = about[(target, VOID + "uriSpace")]
    strays = sorted(t.object.value for t in links if not t.object.value.startswith(space.value))
    assert strays == [], f"{stem}: objects outside void:uriSpace {space.value!r}"


@pytest.mark.parametrize(
    ("subject", "target", "why"),
    [
        ("https://w3id.org/ksm/id/mechanism/community-of-practice", "http://vocabularies.unesco.org/thesaurus/concept5714",
         "Communities are local, rural and urban communities, under Human settlements"),
        ("https://w3id.org/ksm/id/mechanism/learning-group", "http://vocabularies.unesco.org/thesaurus/concept81",
         "a group is not a learning method"),
        ("https://w3id.org/ksm/id/objective-category/mutual-learning", "http://vocabularies.unesco.org/thesaurus/concept9906",
         "Peer teaching is pupils tutoring pupils"),
        ("https://w3id.org/ksm/id/limitation-category/legitimacy", "http://vocabularies.unesco.org/thesaurus/concept9490",
         "Policy making is too loosely associated with a lack of legitimacy"),
        ("https://w3id.org/ksm/id/limitation-category/tool-mastery", "http://aims.fao.org/aos/agrovoc/c_4385",
         "literacy is reading and writing, not the command of tools"),
        ("https://w3id.org/ksm/id/mechanism/learning-group", "http://metadata.un.org/sdg/4.7",
         "a learning group is not education for sustainable development"),
        ("https://w3id.org/ksm/id/mechanism/study-tour", "http://metadata.un.org/sdg/4.7",
         "a study tour is not education for sustainable development"),
    ],
)
def test_mappings_left_out_on_review_stay_out(subject: str, target: str, why: str) -> None:
    """What the file headers say was left out after review, and why, is not mapped back in."""
    for stem in stems():
        assert not [t for t in triples(stem) if t.subject.value == subject and t.object.value == target and t.predicate.value in LINKS], why


def test_the_rule_is_written_down() -> None:
    rule = (MAPPINGS / "README.md").read_text(encoding="utf-8")
    for clause in ("skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:relatedMatch", "No mapping", "broader chain", "dcterms:relation"):
        assert clause in rule
    for stem in stems():
        assert "data/mappings/README.md" in (MAPPINGS / f"{stem}.ttl").read_text(encoding="utf-8"), f"{stem}.ttl does not point to the rule"


def test_sdg_target_17_6_reaches_every_mechanism() -> None:
    """Target 17.6 is about knowledge-sharing, which the table says of each of the six mechanisms."""
    mechanisms = {t.subject.value for t in ox.parse(path=str(resources.root() / "data" / "mechanisms.ttl"), format=ox.RdfFormat.TURTLE)
                  if t.predicate.value.endswith("#type") and t.object.value.endswith("#Mechanism")}
    linked = {t.subject.value for t in triples("sdg") if t.predicate.value == RELATION and t.object.value == "http://metadata.un.org/sdg/17.6"}
    assert len(mechanisms) == 6 and mechanisms <= linked

