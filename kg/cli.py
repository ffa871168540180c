"""The ``kg`` command: a thin face over the library.

Commands parse their options and call the library; every KgError becomes a
one-line message on stderr and its exit code (0 ok, 1 does not conform,
2 usage, 3 unreadable input, 4 environment), never a traceback.  Heavy
libraries (rdflib, pyshacl, owlrl) are imported by the commands that need
them only, so that ``kg query`` starts fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kg.errors import KgError, UsageError

F = TypeVar("F", bound=Callable[..., Any])

LANG_OPTION = click.option("--lang", default="fr", show_default=True, help="Language of labels and messages (fr, en, ...).")


def emit(content: bytes, output: Path | None) -> None:
    """Write to stdout, or atomically to a file (never half a file)."""
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    from kg import atomic

    atomic.write_bytes(output, content)


def parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {item!r}: expected NAME=VALUE")
        params[name.strip()] = value
    return params


# Commands that live in other modules, imported only when they run, so that
# `kg query` does not pay for the web server's or the importer's imports.
LAZY_COMMANDS = {
    "import": "kg.cli_integrate:import_cmd",
    "load": "kg.cli_remote:load_cmd",
    "publish": "kg.cli_publish:publish_cmd",
    "push": "kg.cli_remote:push_cmd",
    "recommend": "kg.cli_recommend:recommend_cmd",
    "serve": "kg.cli_publish:serve_cmd",
}


class KgGroup(click.Group):
    """Loads commands lazily and turns library errors into one-line messages with their exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            import importlib

            module_name, attribute = LAZY_COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KgError as error:
            click.echo(f"kg: error: {error}", err=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("kg: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.exit(0)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except Exception as error:  # a bug of ours: still one line, unless debugging
            import os

            if os.environ.get("KG_DEBUG"):
                raise
            click.echo(f"kg: internal error: {type(error).__name__}: {error} (set KG_DEBUG=1 for the traceback)", err=True)
            sys.exit(70)


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ksm-kg")
def main() -> None:
    """ksm-kg: knowledge-sharing mechanisms as linked data.

    Exit codes: 0 ok, 1 data does not conform, 2 usage error, 3 unreadable
    input, 4 environment (endpoint unreachable), 70 internal error.
    """


@main.command("queries")
@LANG_OPTION
def list_queries(lang: str) -> None:
    """List the saved queries with their summaries."""
    from kg.catalogue import Catalogue

    for saved in Catalogue.bundled():
        params = " ".join(f"{p.name}=…" if p.required else f"[{p.name}]" for p in saved.parameters if p.name != "lang")
        click.echo(f"{saved.name}{' ' + params if params else ''}\n    {saved.summary_in(lang)}")


@main.command("query")
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A query parameter (IRI, CURIE or label); repeatable.")
@click.option("--format", "-f", "fmt", default="table", show_default=True, type=click.Choice(["table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld"]))
@LANG_OPTION
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (atomically) instead of stdout.")
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL endpoint instead (basic auth from $KG_ENDPOINT_USER / $KG_ENDPOINT_PASSWORD).")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds to wait for a remote endpoint.")
def run_query(name: str, params: tuple[str, ...], fmt: str, lang: str, output: Path | None, endpoint: str | None, timeout: float) -> None:
    """Run the saved query NAME on the bundled graph (or a remote endpoint)."""
    from kg.catalogue import Catalogue
    from kg.params import check_lang
    from kg.store import KnowledgeGraph

    lang = check_lang(lang)
    saved = Catalogue.bundled().get(name)
    given = parse_params(params)
    if endpoint is not None:
        from kg.remote import Endpoint, run_saved

        result = run_saved(Endpoint.at(endpoint, timeout=timeout), saved, given, lang=lang)
    else:
        result = KnowledgeGraph.bundled().run(saved, given, lang=lang)
    emit(result.serialize(fmt), output)


@main.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@LANG_OPTION
def validate_cmd(files: tuple[Path, ...], lang: str) -> None:
    """Validate the bundled data, or the given Turtle files, against the ontology and shapes."""
    from kg.validate import validate

    report = validate(list(files) or None)
    click.echo(report.render(lang), nl=False)
    if not report.conforms:
        sys.exit(1)


@main.command("reason")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the inferred graph here (default: stdout).")
@click.option("--format", "-f", "fmt", default="ttl", show_default=True, type=click.Choice(["ttl", "nt", "jsonld", "xml"]))
def reason_cmd(output: Path | None, fmt: str) -> None:
    """Compute the OWL RL closure (owlrl) and write the inferred triples."""
    import pyoxigraph as ox

    from kg.namespaces import INFERRED_GRAPH, PREFIXES
    from kg.results import GRAPH_FORMATS
    from kg.store import KnowledgeGraph

    graph = KnowledgeGraph.bundled()
    triples = [q.triple for q in graph.store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH))]
    kwargs: dict[str, Any] = {"prefixes": PREFIXES} if fmt == "ttl" else {}
    emit(ox.serialize(triples, format=GRAPH_FORMATS[fmt], **kwargs) or b"", output)
    click.echo(f"{len(triples)} inferred triples from {graph.asserted_count()} asserted", err=True)


@main.command("export")
@click.option("--format", "-f", "fmt", default="ttl", show_default=True, type=click.Choice(["ttl", "nt", "jsonld", "xml", "nq", "trig", "csv", "xlsx"]))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--inferred/--asserted-only", default=True, show_default=True, help="Include the inferred triples.")
def export_cmd(fmt: str, output: Path | None, inferred: bool) -> None:
    """Write the whole graph in a standard RDF format (or, with csv or xlsx, the mechanisms as a spreadsheet)."""
    import pyoxigraph as ox

    from kg.results import GRAPH_FORMATS
    from kg.store import KnowledgeGraph

    if fmt == "xlsx" and output is None:
        raise UsageError("--format xlsx writes a binary workbook, not text for stdout; give the file with -o FILE.xlsx")
    graph = KnowledgeGraph.bundled(infer=inferred)
    if fmt in ("csv", "xlsx"):  # the mechanisms as a spreadsheet in the `kg import` template
        from kg import tabular

        emit(tabular.to_csv(graph) if fmt == "csv" else tabular.to_xlsx(graph), output)
        return
    if fmt in ("nq", "trig"):
        quads = graph.quads(include_inferred=inferred)
        rdf = ox.RdfFormat.N_QUADS if fmt == "nq" else ox.RdfFormat.TRIG
        emit(ox.serialize(quads, format=rdf) or b"", output)
        return
    emit(graph.serialize(GRAPH_FORMATS[fmt], include_inferred=inferred), output)


if __name__ == "__main__":  # pragma: no cover
    main()
