"""Generate graphs shaped like ksm-kg's data, at any size, for benchmarks and tests.

Each generated mechanism looks like the bundled ones: a type, French and
English names and descriptions, tools (some of which require internet
access or telecommunications), scales, formality, and numbered objectives,
benefits and limitations with fr/en labels, a position, provenance and a
category of the bundled concept schemes (so that the property chains and the
defined classes of the ontology have work to do).  About one mechanism in
ten also has a concrete implementation (``ksm:implementsMechanism``).  The
output is N-Triples, deterministic for a given size and seed.

    python benchmarks/generate.py 100000 -o /tmp/gen-1e5.nt
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

KSM = "https://w3id.org/ksm/ontology#"
ID = "https://w3id.org/ksm/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
DESCRIPTION = "http://purl.org/dc/terms/description"
DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

TOOLS = ["email", "teleconference", "intranet"]
SCALES = ["local", "regional", "national", "international", "sectoral"]
FORMALITY = ["formal", "informal"]
OBJECTIVES = ["knowledge-sharing", "debate", "evaluation", "coordination", "mutual-learning",
              "good-practice-dissemination", "reflection", "replication-innovation"]
BENEFITS = ["immediate-feedback", "better-understanding", "trust-building", "access-to-information",
            "capacity-building", "networking", "joint-action", "pooling", "flexibility"]
LIMITATIONS = ["cost", "availability", "language", "internet-access", "tool-mastery", "heterogeneity",
               "unequal-contribution", "legitimacy", "logistics"]
KINDS = [("objective", "Objective", "hasObjective", "objective-category", OBJECTIVES),
         ("benefit", "Benefit", "hasBenefit", "benefit-category", BENEFITS),
         ("limitation", "Limitation", "hasLimitation", "limitation-category", LIMITATIONS)]
WORDS_FR = ["partager", "réseau", "échange", "apprentissage", "pratique", "accès", "coût", "langue", "débat", "savoir"]
WORDS_EN = ["share", "network", "exchange", "learning", "practice", "access", "cost", "language", "debate", "knowledge"]


def _iri(value: str) -> str:
    return f"<{value}>"


def _text(value: str, lang: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + f'"@{lang}'


def _mechanism(i: int, rng: random.Random) -> Iterator[str]:
    mech = _iri(f"{ID}mechanism/gen-{i}")
    source = _iri(f"{ID}source/generator")

    def t(s: str, p: str, o: str) -> str:
        return f"{s} {_iri(p)} {o} .\n"

    yield t(mech, RDF_TYPE, _iri(KSM + "Mechanism"))
    yield t(mech, SKOS_PREF, _text(f"Mécanisme {i}", "fr"))
    yield t(mech, SKOS_PREF, _text(f"Mechanism {i}", "en"))
    yield t(mech, DESCRIPTION, _text(" ".join(rng.choices(WORDS_FR, k=8)), "fr"))
    yield t(mech, DESCRIPTION, _text(" ".join(rng.choices(WORDS_EN, k=8)), "en"))
    yield t(mech, DERIVED, source)
    for tool in rng.sample(TOOLS, rng.randint(0, 2)):
        yield t(mech, KSM + "usesTool", _iri(f"{ID}concept/{tool}"))
    yield t(mech, KSM + "operatesAtScale", _iri(f"{ID}concept/{rng.choice(SCALES)}"))
    yield t(mech, KSM + "formality", _iri(f"{ID}concept/{rng.choice(FORMALITY)}"))
    for kind, cls, link, scheme, categories in KINDS:
        for n in range(1, rng.randint(2, 4) + 1):
            stmt = _iri(f"{ID}statement/gen-{i}-{kind}-{n}")
            yield t(mech, KSM + link, stmt)
            yield t(stmt, RDF_TYPE, _iri(KSM + cls))
            yield t(stmt, RDFS_LABEL, _text(" ".join(rng.choices(WORDS_FR, k=6)), "fr"))
            yield t(stmt, RDFS_LABEL, _text(" ".join(rng.choices(WORDS_EN, k=6)), "en"))
            yield t(stmt, KSM + "position", f'"{n}"^^{_iri(XSD_INTEGER)}')
            yield t(stmt, DERIVED, source)
            yield t(stmt, KSM + "hasCategory", _iri(f"{ID}{scheme}/{rng.choice(categories)}"))
    if i % 10 == 0:
        impl = _iri(f"{ID}implementation/gen-{i}")
        target = rng.choice(["network", "study-tour", "community-of-practice"])
        yield t(impl, KSM + "implementsMechanism", _iri(f"{ID}mechanism/{target}"))
        yield t(impl, KSM + "participantCount", f'"{rng.randint(3, 500)}"^^{_iri(XSD_INTEGER)}')


def generate(triples: int, *, seed: int = 42) -> Iterator[str]:
    """N-Triples lines, about ``triples`` of them (whole mechanisms, so slightly more)."""
    rng = random.Random(seed)
    count, i = 0, 0
    while count < triples:
        for line in _mechanism(i, rng):
            count += 1
            yield line
        i += 1


def write(triples: int, path: Path, *, seed: int = 42) -> Path:
    with Path(path).open("w", encoding="utf-8") as handle:
        handle.writelines(generate(triples, seed=seed))
    return Path(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("triples", type=float, help="about how many triples (1e3, 1e6, ...)")
    parser.add_argument("-o", "--output", type=Path, help="N-Triples file (default: stdout)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if args.output:
        write(int(args.triples), args.output, seed=args.seed)
    else:
        sys.stdout.writelines(generate(int(args.triples), seed=args.seed))


if __name__ == "__main__":
    main()
