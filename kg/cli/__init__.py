"""The ``kg`` command: a thin face over the library.

Commands parse their options and call the library; every KgError becomes a
one-line message on stderr and its exit code (0 ok, 1 does not conform,
2 usage, 3 unreadable input, 4 environment), never a traceback.  Heavy
libraries (rdflib, pyshacl, owlrl) are imported by the commands that need
them only, so that ``kg query`` starts fast.

One module per group of commands: ``query`` (queries, query), ``quality``
(validate), ``graph`` (reason, export, load), ``tables`` (import),
``remote`` (push), ``publish`` (publish, serve), ``recommend``; ``common``
holds what they share.

May import: every part of kg; nothing in kg imports it.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from kg.core.errors import KgError

# Every command lives in the module of its part, imported only when it runs, so
# that `kg query` does not pay for the web server's or the importer's imports.
LAZY_COMMANDS = {
    "export": "kg.cli.graph:export_cmd",
    "graphs": "kg.cli.graph:graphs_cmd",
    "import": "kg.cli.tables:import_cmd",
    "load": "kg.cli.graph:load_cmd",
    "publish": "kg.cli.publish:publish_cmd",
    "push": "kg.cli.remote:push_cmd",
    "queries": "kg.cli.query:list_queries",
    "query": "kg.cli.query:run_query",
    "reason": "kg.cli.graph:reason_cmd",
    "recommend": "kg.cli.recommend:recommend_cmd",
    "serve": "kg.cli.publish:serve_cmd",
    "unload": "kg.cli.graph:unload_cmd",
    "validate": "kg.cli.quality:validate_cmd",
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
            if error.details:
                click.echo(error.details.rstrip("\n"), err=True)
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
@click.option("--quiet", "-q", is_flag=True, help="No notes or progress on stderr (errors only).")
def main(quiet: bool) -> None:
    """ksm-kg: knowledge-sharing mechanisms as linked data.

    Exit codes: 0 ok, 1 data does not conform, 2 usage error, 3 unreadable
    input, 4 environment (endpoint unreachable), 70 internal error.
    """
    from kg.core import notices

    notices.configure(notes=not quiet, progress=not quiet and sys.stderr.isatty())


if __name__ == "__main__":  # pragma: no cover
    main()
