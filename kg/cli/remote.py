"""``kg push``: the graph to a remote SPARQL 1.1 store (``kg query --endpoint`` lives in kg.cli.query)."""

from __future__ import annotations

import click

from kg.cli.common import SECONDS

ENDPOINT_HELP = ("SPARQL query URL (Oxigraph: http://host:7878/query; Virtuoso: http://host:8890/sparql). "
                 "Credentials from $KG_ENDPOINT_USER / $KG_ENDPOINT_PASSWORD.")


@click.command("push")
@click.option("--endpoint", required=True, metavar="URL", help=ENDPOINT_HELP)
@click.option("--update-endpoint", metavar="URL", help="SPARQL Update URL (default: .../update beside a .../query URL; Virtuoso: .../sparql-auth).")
@click.option("--store-endpoint", metavar="URL", help="Graph Store Protocol URL (default: .../store beside a .../query URL).")
@click.option("--graph", "graph", metavar="IRI", help="Put every triple into this one named graph instead of one graph per file.")
@click.option("--no-graph-store", is_flag=True, help="Upload with SPARQL Update only (for servers without the Graph Store Protocol).")
@click.option("--timeout", default=300.0, show_default=True, type=SECONDS, help="Seconds to wait for each request.")
@click.option("--dry-run", is_flag=True, help="Print what would be sent and where, and send nothing.")
def push_cmd(endpoint: str, update_endpoint: str | None, store_endpoint: str | None, graph: str | None, no_graph_store: bool, timeout: float,
             dry_run: bool) -> None:
    """Upload the asserted and inferred graphs, replacing them on the server as a whole; report what was done per graph."""
    import pyoxigraph as ox

    from kg.core.errors import UsageError
    from kg.graph.dataset import open_graph
    from kg.remote.endpoint import Endpoint
    from kg.remote.push import plan, push

    target = Endpoint.at(endpoint, update=update_endpoint, store=store_endpoint, timeout=timeout)
    bundled = open_graph()
    quads = bundled.quads()
    if graph is not None:
        try:
            node = ox.NamedNode(graph)
        except ValueError:
            raise UsageError(f"--graph {graph!r}: not a valid IRI") from None
        quads = [ox.Quad(t.subject, t.predicate, t.object, node) for t in bundled.triples()]
    if dry_run:
        click.echo(plan(target, quads, use_graph_store=not no_graph_store).render(), nl=False)
        return
    report = push(target, quads, use_graph_store=not no_graph_store)
    click.echo(report.render(), nl=False)
