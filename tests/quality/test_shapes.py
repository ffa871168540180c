"""The SHACL shapes (ontology/shapes.ttl) against the bundled data and the examples in tests/shapes/.

Each example starts with ``# Valid: why`` or ``# Invalid: why``; an invalid one
names, in ``# Fires: ksmsh:Shape`` lines, exactly the shapes whose results it
must produce (sh:sourceShape), no more and no fewer.  Examples are read with
the ontology but without the bundled data, and validated as ``kg validate``
does: after the OWL RL closure, with pyshacl's own inference off.  The
ontology's closure is computed once per module and topped up for each
example; owlrl still needs about half a second per example, so each example
should show one mistake, not a variation on another.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from tests.paths import ROOT

ONTOLOGY = ROOT / "ontology"
SHAPES_FILE = ONTOLOGY / "shapes.ttl"
EXAMPLES = ROOT / "tests" / "shapes"

KSMSH = "https://w3id.org/ksm/shapes#"
SH = Namespace("http://www.w3.org/ns/shacl#")
OWL_SAME_AS = URIRef("http://www.w3.org/2002/07/owl#sameAs")

_FIRES = re.compile(r"^# Fires: ksmsh:([\w-]+)\s*$")


def ontology_files() -> list[Path]:
    """The ontology as ``kg validate`` reads it: terms, concept schemes, alignments; not the shapes."""
    return [ONTOLOGY / "ksm.ttl", ONTOLOGY / "concepts.ttl", *sorted((ONTOLOGY / "alignments").glob("*.ttl"))]


def data_files() -> list[Path]:
    data = ROOT / "data"
    return sorted(data.glob("*.ttl")) + sorted((data / "mappings").glob("*.ttl"))


def example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("valid-*.ttl")) + sorted(EXAMPLES.glob("invalid-*.ttl"))


def new_graph() -> Graph:
    """A graph on rdflib's context-free store, on which owlrl runs about a fifth faster."""
    return Graph(store="SimpleMemory")


def close(graph: Graph) -> Graph:
    """The OWL RL closure of ``graph``, in place, without owlrl's junk (literal subjects, reflexive sameAs)."""
    import owlrl

    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    for s, p, o in list(graph):
        if isinstance(s, Literal) or (p == OWL_SAME_AS and s == o):
            graph.remove((s, p, o))
    return graph


def validate(graph: Graph, shapes: Graph) -> tuple[bool, Graph]:
    import pyshacl

    data = Graph()  # pyshacl needs a context-aware store
    data += graph
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    assert isinstance(results, Graph)
    return bool(conforms), results


def fired(results: Graph) -> dict[Node, list[Node]]:
    """Each result node with its source shape."""
    return {r: list(results.objects(r, SH.sourceShape)) for r in results.subjects(RDF.type, SH.ValidationResult)}


def describe(results: Graph) -> str:
    lines = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        messages = [str(m) for m in results.objects(result, SH.resultMessage) if isinstance(m, Literal) and m.language == "en"]
        lines.append(f"{results.value(result, SH.sourceShape)} on {results.value(result, SH.focusNode)}: {'; '.join(messages)}")
    return "\n".join(sorted(lines))


def header(path: Path) -> tuple[str, set[URIRef]]:
    """The verdict (``Valid`` or ``Invalid``) of an example's first line, and the shapes its ``# Fires:`` lines name."""
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines[0] if lines else ""
    match = re.match(r"^# (Valid|Invalid): \S", first)
    assert match, f"{path.name}:1: the first line must be '# Valid: why' or '# Invalid: why', not {first!r}"
    shapes = set()
    for line in lines:
        if line.startswith("# Fires:"):
            named = _FIRES.match(line)
            assert named, f"{path.name}: bad line {line!r}; write '# Fires: ksmsh:ShapeName'"
            shapes.add(URIRef(KSMSH + named.group(1)))
    return match.group(1), shapes


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


@pytest.fixture(scope="module")
def reasoned_ontology() -> Graph:
    graph = new_graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    return close(graph)


def test_bundled_data_conforms(shapes: Graph) -> None:
    graph = new_graph()
    for path in ontology_files() + data_files():
        graph.parse(path, format="turtle")
    conforms, results = validate(close(graph), shapes)
    assert conforms, describe(results)


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_example(path: Path, reasoned_ontology: Graph, shapes: Graph) -> None:
    verdict, expected = header(path)
    assert path.name.startswith(verdict.lower() + "-"), f"{path.name} says '# {verdict}:' on its first line"
    known = set(shapes.subjects())
    assert expected <= known, f"{path.name} names shapes that shapes.ttl lacks: {sorted(expected - known)}"
    graph = new_graph()
    graph += reasoned_ontology
    graph.parse(path, format="turtle")
    conforms, results = validate(close(graph), shapes)
    sources = {shape for found in fired(results).values() for shape in found}
    if verdict == "Valid":
        assert not expected, f"{path.name} is valid but names shapes that fire"
        assert conforms, describe(results)
    else:
        assert expected, f"{path.name} is invalid but names no shape in a '# Fires:' line"
        assert not conforms
        assert sources == expected, describe(results)
    for result in fired(results):
        languages = sorted(m.language or "" for m in results.objects(result, SH.resultMessage) if isinstance(m, Literal))
        assert languages == ["en", "fr"], f"{path.name}: a result of {results.value(result, SH.sourceShape)} has messages in {languages}"


def _shapes_in(shapes: Graph) -> set[Node]:
    typed = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    used = {o for p in (SH.property, SH.node, SH.qualifiedValueShape) for o in shapes.objects(None, p)}
    return typed | used


def test_every_shape_is_named_and_bilingual(shapes: Graph) -> None:
    for shape in _shapes_in(shapes):
        assert isinstance(shape, URIRef) and str(shape).startswith(KSMSH), f"a shape without a ksmsh: IRI: {shape!r}"
        languages = sorted(m.language or "" for m in shapes.objects(shape, SH.message) if isinstance(m, Literal))
        assert languages == ["en", "fr"], f"{shape} has sh:message in {languages}, not once in fr and once in en"


def test_every_targeted_shape_has_an_invalid_example(shapes: Graph) -> None:
    """Each shape with a target, or one of its property shapes, fires in some invalid example: the target works."""
    named = set().union(*(header(path)[1] for path in example_files()))
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
    for shape in _shapes_in(shapes):
        if any(shapes.value(shape, t) is not None for t in targets):
            family = {shape, *shapes.objects(shape, SH.property)}
            assert family & named, f"no example in {EXAMPLES.name}/ makes {shape} or its property shapes fire"
