"""Commands over the graph as a whole: ``kg reason``, ``kg export`` and ``kg load``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kg.cli.common import INPUT, OUTPUT, emit, readable_files, sniff_rdf
from kg.core.errors import UsageError

RDF_SUFFIXES = ("ttl", "nt", "nq", "trig", "rdf", "jsonld")  # the formats kg.graph.rdfio reads, by extension


@click.command("reason")
@click.option("--output", "-o", type=OUTPUT, help="Write the inferred graph here (default: stdout).")
@click.option("--format", "-f", "fmt", default="ttl", show_default=True, type=click.Choice(["ttl", "nt", "jsonld", "xml"]))
def reason_cmd(output: Path | None, fmt: str) -> None:
    """Compute the OWL RL closure (owlrl) and write the inferred triples."""
    import pyoxigraph as ox

    from kg.core.namespaces import INFERRED_GRAPH, PREFIXES
    from kg.graph.dataset import open_graph
    from kg.graph.results import GRAPH_FORMATS

    graph = open_graph()
    triples = [q.triple for q in graph.store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH))]
    kwargs: dict[str, Any] = {"prefixes": PREFIXES} if fmt == "ttl" else {}
    emit(ox.serialize(triples, format=GRAPH_FORMATS[fmt], **kwargs) or b"", output)
    click.echo(f"{len(triples)} inferred triples from {graph.asserted_count()} asserted", err=True)


@click.command("export")
@click.option("--format", "-f", "fmt", default="ttl", show_default=True, type=click.Choice(["ttl", "nt", "jsonld", "xml", "nq", "trig", "csv", "xlsx"]))
@click.option("--output", "-o", type=OUTPUT, help="Write to this file (atomically) instead of stdout.")
@click.option("--inferred/--asserted-only", default=True, show_default=True, help="Include the inferred triples.")
def export_cmd(fmt: str, output: Path | None, inferred: bool) -> None:
    """Write the whole graph in a standard RDF format (or, with csv or xlsx, the mechanisms as a spreadsheet)."""
    import pyoxigraph as ox

    from kg.graph.dataset import open_graph
    from kg.graph.results import GRAPH_FORMATS

    if fmt == "xlsx" and output is None:
        raise UsageError("--format xlsx writes a binary workbook, not text for stdout; give the file with -o FILE.xlsx")
    graph = open_graph(infer=inferred)
    if fmt in ("csv", "xlsx"):  # the mechanisms as a spreadsheet in the `kg import` template
        from kg.tables import export

        emit(export.to_csv(graph) if fmt == "csv" else export.to_xlsx(graph), output)
        return
    if fmt in ("nq", "trig"):
        quads = graph.quads(include_inferred=inferred)
        rdf = ox.RdfFormat.N_QUADS if fmt == "nq" else ox.RdfFormat.TRIG
        emit(ox.serialize(quads, format=rdf) or b"", output)
        return
    emit(graph.serialize(GRAPH_FORMATS[fmt], include_inferred=inferred), output)


@click.command("load")
@click.argument("file", type=INPUT)
@click.option("--graph", metavar="IRI", help="Named graph to load into (default: https://w3id.org/ksm/graph/user/<file stem>; stdin: .../user/stdin).")
@click.option("--format", "-f", "fmt", type=click.Choice(RDF_SUFFIXES),
              help="RDF format of stdin (-) or a pipe (default: guessed, else Turtle); a file's comes from its extension.")
def load_cmd(file: Path, graph: str | None, fmt: str | None) -> None:
    """Load an RDF file (or stdin: -) into the persistent store (.kg/store or $KG_STORE) and re-reason; reloading replaces its graph.

    A file that names our resources or terms is checked with the shapes and
    checks on the whole store first (exit 1, store unchanged, if it breaks
    them); the bundled graphs cannot be replaced.
    """
    from kg.core import notices
    from kg.graph import diskstore
    from kg.quality.validate import check_for_load

    with readable_files([file], suffix=f".{fmt}" if fmt else None, guess=sniff_rdf) as (path,):
        if fmt and path.suffix.lower() != f".{fmt}":
            raise UsageError(f"--format {fmt} is for stdin and pipes; the format of {file} comes from its extension ({path.suffix or 'none'})")
        stdin = str(file) == "-"
        shown = "<stdin>" if stdin else str(file)
        target = graph or diskstore.user_graph_name(Path("stdin") if stdin else path)
        report = diskstore.load(path, graph=target, check=check_for_load(target, what=shown), on_wait=notices.note,
                                source="stdin" if stdin else None)
    click.echo(report.render(), nl=False)



@click.command("graphs")
@click.option("--format", "-f", "fmt", default="table", show_default=True, type=click.Choice(["table", "json"]))
def graphs_cmd(fmt: str) -> None:
    """List the named graphs of the persistent store: kind, triples, source, when added."""
    import dataclasses
    import json

    from kg.graph import diskstore

    found = diskstore.graphs()
    if fmt == "json":
        click.echo(json.dumps([dataclasses.asdict(g) for g in found], indent=1, ensure_ascii=False))
        return
    if not found:
        click.echo(f"no store at {diskstore.location()}: the bundled graph is read from its files (kg load or kg import make a store)")
        return
    for g in found:
        click.echo(f"{g.kind:9} {g.triples:>9}  {g.name}\n{'':20}{g.source}{'  (' + g.added + ')' if g.added else ''}")


@click.command("unload")
@click.argument("graph")
def unload_cmd(graph: str) -> None:
    """Remove a loaded or imported graph from the persistent store, and re-reason."""
    from kg.core import notices
    from kg.graph import diskstore

    outcome = diskstore.unload(graph, on_wait=notices.note)
    click.echo(f"removed <{graph}>; the store at {outcome.database.parent} holds {outcome.total} triples, {outcome.inferred} of them inferred")
