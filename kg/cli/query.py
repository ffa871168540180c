"""``kg queries`` and ``kg query``: the saved queries, listed and run (locally or on an endpoint)."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import LANG_OPTION, emit, parse_params


@click.command("queries")
@LANG_OPTION
def list_queries(lang: str) -> None:
    """List the saved queries with their summaries."""
    from kg.queries.catalogue import Catalogue

    for saved in Catalogue.bundled():
        params = " ".join(f"{p.name}=…" if p.required else f"[{p.name}]" for p in saved.parameters if p.name != "lang")
        click.echo(f"{saved.name}{' ' + params if params else ''}\n    {saved.summary_in(lang)}")


@click.command("query")
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A query parameter (IRI, CURIE or label); repeatable.")
@click.option("--format", "-f", "fmt", default="table", show_default=True, type=click.Choice(["table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld"]))
@LANG_OPTION
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (atomically) instead of stdout.")
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL endpoint instead (basic auth from $KG_ENDPOINT_USER / $KG_ENDPOINT_PASSWORD).")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds to wait for a remote endpoint.")
def run_query(name: str, params: tuple[str, ...], fmt: str, lang: str, output: Path | None, endpoint: str | None, timeout: float) -> None:
    """Run the saved query NAME on the bundled graph (or a remote endpoint)."""
    from kg.queries.catalogue import Catalogue
    from kg.queries.params import check_lang

    lang = check_lang(lang)
    saved = Catalogue.bundled().get(name)
    given = parse_params(params)
    if endpoint is not None:
        from kg.remote.endpoint import Endpoint, run_saved

        result = run_saved(Endpoint.at(endpoint, timeout=timeout), saved, given, lang=lang)
    else:
        from kg.graph.dataset import open_graph
        from kg.queries.run import run_saved as run_local

        result = run_local(open_graph(), saved, given, lang=lang)
    emit(result.serialize(fmt), output)
