"""The ``kg`` command group: lazy commands, and every failure as one line with its exit code (kg.cli.outcome)."""

from __future__ import annotations

import sys
from typing import Any

import click

from kg.cli import interrupts
from kg.cli.outcome import failure

# Every command lives in the module of its part, imported only when it runs, so
# that `kg query` does not pay for the web server's or the importer's imports.
LAZY_COMMANDS = {
    "cache": "kg.cli.cache:cache_cmd",
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
        with interrupts.unwinding():
            try:
                result = super().invoke(ctx)
                if sys.stdout is not None:
                    sys.stdout.flush()  # a full disk or closed stdout shows here at the latest, not after "done"
                return result
            except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
                raise
            except BaseException as error:  # one line and its exit code (kg.cli.outcome, shared with `kg query`'s fast path)
                sys.exit(failure(error, echo=lambda message: click.echo(message, err=True)))


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ksm-kg")
@click.option("--quiet", "-q", is_flag=True, help="No notes or progress on stderr (errors only).")
def main(quiet: bool) -> None:
    """ksm-kg: knowledge-sharing mechanisms as linked data.  Exit codes: 0 ok,
    1 does not conform, 2 usage, 3 bad input, 4 environment, 70 bug.
    """
    from kg.core import notices

    notices.configure(notes=not quiet, progress=not quiet and sys.stderr is not None and sys.stderr.isatty())


if __name__ == "__main__":  # pragma: no cover
    main()
