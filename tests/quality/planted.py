"""Generated data with mistakes that only the OWL RL closure reveals, for the validation tests.

Each planted mistake comes with a (shape, focus) result it must produce, so
that a comparison of two reports cannot pass on two empty ones.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from tests.paths import ROOT

# Mistakes that only the closure shows, with (shape, focus) results they must give.
PLANTED = """
@prefix ex: <https://example.org/planted/> .
@prefix bencat: <https://w3id.org/ksm/id/benefit-category/> .
@prefix ksm: <https://w3id.org/ksm/ontology#> .
@prefix ksmc: <https://w3id.org/ksm/id/concept/> .
@prefix mech: <https://w3id.org/ksm/id/mechanism/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix scheme: <https://w3id.org/ksm/id/scheme/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix src: <https://w3id.org/ksm/id/source/> .

# A benefit of one mechanism and a limitation of another: two disjoint classes, by the ranges only.
mech:network ksm:hasBenefit ex:shared .
mech:study-tour ksm:hasLimitation ex:shared .
ex:shared rdfs:label "Partagé"@fr , "Shared"@en ; ksm:position 9 ; ksm:hasCategory bencat:pooling ; prov:wasDerivedFrom ex:notes .

# An objective that is a benefit through the inverse of ksm:hasBenefit.
ex:inverse a ksm:Objective ; ksm:isBenefitOf mech:network .

# A network through owl:hasValue (it implements mech:network), and one asserted as a ksm:Network,
# which the closure also makes implement mech:network (and so below its minimum of 3).
ex:net ksm:implementsMechanism mech:network ; ksm:participantCount 2 .
ex:net2 a ksm:Network ; ksm:participantCount 2 .

# A limitation by the range of ksm:hasLimitation only, without a category.
mech:network ksm:hasLimitation ex:untyped-limitation .
ex:untyped-limitation rdfs:label "Sans catégorie"@fr , "No category"@en ; ksm:position 4 ; prov:wasDerivedFrom ex:notes .

# A limitation linked the other way round (ksm:isLimitationOf), without a category.
ex:inverse-limitation ksm:isLimitationOf mech:learning-group ;
    rdfs:label "Dans l'autre sens"@fr , "The other way round"@en ; ksm:position 9 ; prov:wasDerivedFrom ex:notes .

# A mechanism by the domain of ksm:usesTool, with a literal for a scale; another by an intersection class.
ex:tool-user ksm:usesTool ksmc:email ; ksm:operatesAtScale "national"@en .
ex:internet-mechanism a ksm:InternetDependentMechanism .

# A benefit whose skos:prefLabel in German is also its rdfs:label (skos:prefLabel is a sub-property).
mech:network ksm:hasBenefit ex:labelled .
ex:labelled a ksm:Benefit ; skos:prefLabel "Nützlich"@de ; rdfs:label "Utile"@fr , "Useful"@en ;
    ksm:position 9 ; ksm:hasCategory bencat:planted ; prov:wasDerivedFrom ex:notes .

# A category in its scheme only through skos:hasTopConcept, and without labels.
scheme:benefit-categories skos:hasTopConcept bencat:planted .

# A name taken from the table that is not the table's, seen by the label rule too (rdfs:label by entailment).
ex:verbatim prov:wasDerivedFrom src:mechanisms-table-fr ; skos:prefLabel "Un nom qui n'est pas dans le tableau"@fr .

# A success factor at 9 where 4 belongs, in the cell of a sub-property of ksm:hasStatement.
mech:network ksm:hasSuccessFactor ex:factor .
ex:factor a ksm:SuccessFactor ; rdfs:label "Un facteur"@fr , "A factor"@en ; ksm:position 9 ; prov:wasDerivedFrom ex:notes .
"""

EX = "https://example.org/planted/"
EXPECTED = {
    ("ksmsh:DisjointClassesShape", EX + "shared"),
    ("ksmsh:DisjointClassesShape", EX + "inverse"),
    ("ksmsh:Network-participantCount", EX + "net"),
    ("ksmsh:Network-participantCount", EX + "net2"),
    ("ksmsh:Implementation-minimumParticipants", EX + "net2"),
    ("ksmsh:Limitation-hasCategory", EX + "untyped-limitation"),
    ("ksmsh:Limitation-hasCategory", EX + "inverse-limitation"),
    ("ksmsh:Mechanism-prefLabel-fr", EX + "tool-user"),
    ("ksmsh:Mechanism-operatesAtScale", EX + "tool-user"),
    ("ksmsh:Mechanism-prefLabel-fr", EX + "internet-mechanism"),
    ("ksmsh:Statement-label-languages", EX + "labelled"),
    ("ksmsh:Concept-prefLabel-fr", "bencat:planted"),
    ("ksmsh:Verbatim-prefLabel", EX + "verbatim"),
    ("ksmsh:Verbatim-label", EX + "verbatim"),
    ("ksmsh:Statement-position-sequence", EX + "factor"),
}


def generator() -> Any:
    """benchmarks/generate.py, which writes graphs shaped like ours at any size."""
    spec = importlib.util.spec_from_file_location("ksm_generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
