"""``kg queries`` and ``kg query``: the saved queries (or a query file, or stdin), listed and run, locally or on an endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg.cli.common import LANG_OPTION, OUTPUT, SECONDS, emit, parse_params, readable_files

if TYPE_CHECKING:
    from kg.queries.catalogue import SavedQuery


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
@click.option("--output", "-o", type=OUTPUT, help="Write to this file (atomically) instead of stdout.")
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL endpoint instead (basic auth from $KG_ENDPOINT_USER / $KG_ENDPOINT_PASSWORD).")
@click.option("--timeout", default=60.0, show_default=True, type=SECONDS, help="Seconds to wait for a remote endpoint.")
def run_query(name: str, params: tuple[str, ...], fmt: str, lang: str, output: Path | None, endpoint: str | None, timeout: float) -> None:
    """Run the saved query NAME, or the SPARQL in a file (my.rq) or stdin (-), on the graph or an endpoint.

    A query file may use the saved queries' header and parameters; it is
    only read, never run as an update.  Labels missing in --lang fall back
    to English, then French (said on stderr).
    """
    from kg.queries.adhoc import names_a_file
    from kg.queries.params import check_lang

    lang = check_lang(lang)
    given = parse_params(params)
    if names_a_file(name):
        with readable_files([Path(name)], suffix=".rq") as (path,):
            _run(_load_adhoc(path), given, fmt, lang, output, endpoint, timeout, adhoc=True)
        return
    from kg.queries.catalogue import Catalogue

    _run(Catalogue.bundled().get(name), given, fmt, lang, output, endpoint, timeout, adhoc=False)


def _load_adhoc(path: Path) -> SavedQuery:
    from kg.core.errors import InputError
    from kg.queries.catalogue import load

    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a query file")
    return load(path)


def _run(saved: SavedQuery, given: dict[str, str], fmt: str, lang: str, output: Path | None, endpoint: str | None,
         timeout: float, *, adhoc: bool) -> None:
    from kg.cli.answering import answer_noting, local_runner
    from kg.core.errors import InputError
    from kg.graph.results import QueryResult
    from kg.queries.adhoc import refuse_update

    shown = str(saved.path)
    if endpoint is not None:
        from kg.remote.endpoint import Endpoint, run_saved

        if adhoc:
            refuse_update(saved, shown=shown)  # a remote endpoint might accept one
        remote = Endpoint.at(endpoint, timeout=timeout)

        def run(language: str | None) -> QueryResult:
            return run_saved(remote, saved, given, lang=language)
    else:
        local = local_runner(saved, given)

        def run(language: str | None) -> QueryResult:
            try:
                return local(language)
            except InputError:
                if adhoc:
                    refuse_update(saved, shown=shown)
                raise

    emit(answer_noting(run, saved, given, lang).serialize(fmt), output)
