"""The ``serve`` and ``publish`` commands: parse options, delegate to kg.web.app and kg.publish."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import SECONDS


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--base", default=None, metavar="URL", help="URL standing for https://w3id.org/ksm/ (default: http://HOST:PORT/ksm/).")
@click.option("--timeout", default=10.0, show_default=True, type=SECONDS, help="Time limit per query, in seconds.")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(min=1), help="Most rows (or triples) in one answer.")
@click.option("--max-answer-bytes", default=20_000_000, show_default=True, type=click.IntRange(min=1), help="Largest answer, in bytes.")
@click.option("--max-body", default=1_000_000, show_default=True, type=click.IntRange(min=1), help="Largest request body, in bytes.")
@click.option("--workers", default=4, show_default=True, type=click.IntRange(min=1), help="Query worker processes.")
@click.option("--max-connections", default=1000, show_default=True, type=click.IntRange(min=1),
              help="Most open connections; past it, a new one closes the oldest idle or slow one.")
@click.option("--header-timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.01),
              help="Seconds a client has to send a request's headers.")
@click.option("--keep-alive", default=5.0, show_default=True, type=click.FloatRange(min=1), help="Seconds an idle connection stays open.")
def serve_cmd(host: str, port: int, base: str | None, timeout: float, max_rows: int, max_answer_bytes: int, max_body: int, workers: int,
              max_connections: int, header_timeout: float, keep_alive: float) -> None:
    """Serve the graph: SPARQL endpoint, pages, dereferenceable IRIs, saved queries."""
    from kg.web.app import serve
    from kg.web.state import Settings

    settings = Settings(host=host, port=port, base=base, timeout=timeout, max_rows=max_rows, max_answer_bytes=max_answer_bytes,
                        max_body=max_body, workers=workers, max_connections=max_connections, header_timeout=header_timeout,
                        keep_alive=keep_alive)

    def announce() -> None:
        click.echo(f"kg: serving on http://{host}:{port}/ (IRIs under {settings.public_base}, SPARQL at /sparql)", err=True)

    serve(settings, on_ready=announce)


@click.command("publish")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--base", default="https://w3id.org/ksm/", show_default=True, metavar="URL",
              help="Where the release will be hosted (dump URLs in VoID/DCAT).")
def publish_cmd(outdir: Path, base: str) -> None:
    """Write a static linked-data release (dumps, VoID/DCAT, ontology docs, pages) into OUTDIR, atomically."""
    from kg.release.publish import publish

    release = publish(outdir, base=base)
    click.echo(f"kg: wrote {release.files} files ({release.pages} pages, {release.triples} quads) to {release.path}", err=True)

