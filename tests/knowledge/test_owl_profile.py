"""The ontology is OWL 2 RL as a document, not only in its expressions.

The OWL API's ``OWL2RLProfile`` (Debian's ``libowlapi-java``, run through a
single-file Java program beside this test) checks each ontology file with
its imports closure, and the bundled data with the whole ontology: no
undeclared class or property, no reserved vocabulary used as a class
(``rdf:Statement``), only constructs of the profile.  The OWL API does not
check the datatypes of annotation values, so this test also checks, in
Python, that every literal's datatype is in the OWL 2 datatype map
(``xsd:date`` is not).  The shapes (ontology/shapes.ttl) are SHACL, not part
of the ontology, and are left out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.core import resources
from tests.paths import ROOT

OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
CORE = "https://w3id.org/ksm/ontology"
CHECKER = Path(__file__).resolve().parent / "ProfileCheck.java"
# The OWL 2 datatype map (OWL 2 Structural Specification, section 4), plus rdf:langString,
# the datatype RDF 1.1 gives language-tagged strings.
DATATYPE_MAP = {RDF + "PlainLiteral", RDF + "XMLLiteral", RDF + "langString", "http://www.w3.org/2000/01/rdf-schema#Literal",
                OWL + "real", OWL + "rational"} | {XSD + name for name in (
    "decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger", "negativeInteger", "long", "int",
    "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte", "double", "float", "string",
    "normalizedString", "token", "language", "Name", "NCName", "NMTOKEN", "boolean", "hexBinary", "base64Binary", "anyURI",
    "dateTime", "dateTimeStamp")}


def _triples(path: Path) -> list[ox.Triple]:
    return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def _ontology_iri(path: Path) -> str:
    heads = [t.subject.value for t in _triples(path)
             if t.predicate.value == RDF + "type" and t.object == ox.NamedNode(OWL + "Ontology")]
    assert len(heads) == 1, f"{path.name}: {len(heads)} owl:Ontology headers, not one"
    return heads[0]


def test_every_ontology_file_is_a_module_of_the_core() -> None:
    """situation.ttl, concepts.ttl and the alignments have their own header, import the core and are imported by it."""
    files = resources.ontology_files()
    assert ROOT / "ontology" / "situation.ttl" in files
    iris = {path.name: _ontology_iri(path) for path in files}
    assert iris["ksm.ttl"] == CORE
    core_imports = {t.object.value for t in _triples(ROOT / "ontology" / "ksm.ttl") if t.predicate.value == OWL + "imports"}
    assert core_imports == {iri for iri in iris.values() if iri != CORE}
    for path in files:
        if path.name != "ksm.ttl":
            imports = {t.object.value for t in _triples(path) if t.predicate.value == OWL + "imports"}
            assert imports == {CORE}, path.name


def test_every_literal_datatype_is_in_the_owl2_datatype_map() -> None:
    for path in resources.ontology_files() + resources.data_files():
        outside = sorted({f"{t.object.value}^^{t.object.datatype.value}" for t in _triples(path)
                          if isinstance(t.object, ox.Literal) and t.object.datatype.value not in DATATYPE_MAP})
        assert outside == [], f"{path.relative_to(ROOT)}: datatypes outside the OWL 2 datatype map"


def _classpath() -> str | None:
    """The OWL API jars: $KG_OWLAPI_CLASSPATH, or Debian's libowlapi-java and its dependencies."""
    if os.environ.get("KG_OWLAPI_CLASSPATH"):
        return os.environ["KG_OWLAPI_CLASSPATH"]
    debian = Path("/usr/share/java")
    return str(debian / "*") if (debian / "owlapi-distribution.jar").is_file() else None


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, list[str]]]:
    """One run of the checker (a JVM start costs seconds) over every ontology file and the bundled data.

    The data goes as one N-Triples document whose header imports the core.  The
    answer maps each checked file to the size of its imports closure and its
    violations.  Skipped, saying why, where Java or the OWL API is missing
    (failed under CI, whose .ci/run installs them).
    """
    java, classpath = shutil.which("java"), _classpath()
    if java is None or classpath is None:
        why = "the OWL 2 RL profile check needs a JDK and the OWL API (apt-get install default-jdk-headless libowlapi-java; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run it: {why}")
        pytest.skip(why)
    triples = [t for path in resources.data_files() for t in _triples(path)]
    head = ox.NamedNode("https://w3id.org/ksm/data")
    triples += [ox.Triple(head, ox.NamedNode(RDF + "type"), ox.NamedNode(OWL + "Ontology")),
                ox.Triple(head, ox.NamedNode(OWL + "imports"), ox.NamedNode(CORE))]
    bundle = tmp_path_factory.mktemp("profile") / "data.nt"
    bundle.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    mappings = [f"{_ontology_iri(path)}={path}" for path in resources.ontology_files()]
    files = [*map(str, resources.ontology_files()), str(bundle)]
    done = subprocess.run([java, "-cp", classpath, str(CHECKER), *mappings, *files], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    found: dict[str, tuple[int, list[str]]] = {}
    for fields in (line.split("\t") for line in done.stdout.splitlines()):
        if fields[0] == "CHECKED":
            found[fields[1]] = (int(fields[2]), [])
        elif fields[0] == "VIOLATION":
            found[fields[1]][1].append(f"{fields[2]}: {fields[3][:300]}")
    assert sorted(found) == sorted(files), done.stdout + done.stderr[-2000:]
    found["data"] = found.pop(str(bundle))
    return found


def test_each_ontology_file_is_in_owl2_rl_with_its_imports(report: dict[str, tuple[int, list[str]]]) -> None:
    modules = len(resources.ontology_files())
    for path in resources.ontology_files():
        closure, violations = report[str(path)]
        assert closure == modules, f"{path.name}: its imports closure has {closure} ontologies, not the {modules} modules"
        assert violations == [], path.name


def test_the_bundled_data_is_in_owl2_rl_with_the_ontology(report: dict[str, tuple[int, list[str]]]) -> None:
    """Every SKOS, DCTERMS, PROV and VoID term the data uses is declared; mappings are annotated as OWL 2 axioms."""
    closure, violations = report["data"]
    assert closure == len(resources.ontology_files()) + 1
    assert violations == []
