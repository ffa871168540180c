"""``kg query NAME`` without click: the command people wait on most, started in a few milliseconds.

click, and the command group with it, costs a cold ``kg query`` more than
the query itself.  :func:`parse` recognises the plain form, ``kg [-q] query
NAME [-p NAME=VALUE]... [--lang LANG] [-f FORMAT]`` with a saved query's
name, and :func:`run` answers it with the same library calls as
kg.cli.query and the same one-line errors and exit codes as kg.cli.group (kg.cli.outcome).
Anything else (``--help``, ``-o``, ``--endpoint``, a query file, an option
value that click would refuse or read otherwise, a name that is not a saved
query) is left to click, which gives its own answer and its own errors:
the fast path never has to imitate click's messages.

May import: the library (kg.core, kg.graph, kg.queries) and kg.cli's
click-free modules; never click.
"""

from __future__ import annotations

import os
import sys

# kg.graph.results.FORMATS, repeated here so that parsing imports nothing: a test keeps them equal.
FORMATS = ("table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


class Plain:
    """A ``kg query NAME`` run that the fast path can answer."""

    __slots__ = ("fmt", "lang", "name", "params", "quiet")

    def __init__(self, quiet: bool, name: str, params: list[str], lang: str, fmt: str) -> None:
        self.quiet, self.name, self.params, self.lang, self.fmt = quiet, name, params, lang, fmt


def parse(argv: list[str]) -> Plain | None:
    """The run ``argv`` (without the program name) asks for, or None when click should take it.

    >>> vars_of = lambda p: (p.quiet, p.name, p.params, p.lang, p.fmt)
    >>> vars_of(parse(["-q", "query", "mechanisms-by-tool", "-ptool=E-mail", "--format", "csv"]))
    (True, 'mechanisms-by-tool', ['tool=E-mail'], 'fr', 'csv')
    >>> [parse(a) for a in (["query", "--help"], ["query", "q.rq"], ["query", "x", "-o", "f"], ["query", "x", "-f", "yaml"])]
    [None, None, None, None]
    """
    position = 0
    quiet = False
    while position < len(argv) and argv[position] in ("-q", "--quiet"):
        quiet, position = True, position + 1
    if argv[position:position + 1] != ["query"]:
        return None
    rest = argv[position + 1:]
    name: str | None = None
    params: list[str] = []
    lang, fmt = "fr", "table"
    index = 0
    while index < len(rest):
        arg = rest[index]
        index += 1
        if arg.startswith("--"):
            option, equals, value = arg.partition("=")
            if option not in ("--param", "--lang", "--format"):
                return None  # --help, --output, --endpoint, --timeout, --, a misspelling: click's
            if not equals:
                if index >= len(rest):
                    return None
                value, index = rest[index], index + 1
        elif arg.startswith("-") and arg != "-":
            option, value = arg[:2], arg[2:]
            if option not in ("-p", "-f"):
                return None
            if not value:
                if index >= len(rest):
                    return None
                value, index = rest[index], index + 1
        else:
            if name is not None:
                return None  # a second argument: click's usage error
            name = arg
            continue
        if value.startswith("-"):
            return None  # a value that looks like an option: let click decide what it is
        if option in ("--param", "-p"):
            params.append(value)
        elif option == "--lang":
            lang = value
        elif value in FORMATS:
            fmt = value
        else:
            return None  # click's "invalid choice"
    if not name or not set(name) <= _NAME_CHARS or not name[0].isalpha():
        return None
    from kg.core import resources

    if not os.path.isfile(os.path.join(resources.queries_dir(), f"{name}.rq")):
        return None  # click says the query is unknown, with its suggestions
    return Plain(quiet, name, params, lang, fmt)


def run(plain: Plain) -> int:
    """Answer the run as ``kg query`` would: its output on stdout, notes and errors on stderr; the exit code."""
    from kg.cli import interrupts
    from kg.cli.outcome import failure
    from kg.core import notices

    notices.configure(notes=not plain.quiet, progress=not plain.quiet and sys.stderr is not None and sys.stderr.isatty())
    with interrupts.unwinding():
        try:
            _answer(plain)
            if sys.stdout is not None:
                sys.stdout.flush()
            return 0
        except BaseException as error:  # every outcome as kg.cli.group reports it
            return failure(error, echo=_echo)


def _answer(plain: Plain) -> None:
    from kg.cli.answering import answer_noting, local_runner
    from kg.cli.arguments import parse_params
    from kg.cli.streams import write_stdout
    from kg.queries.catalogue import Catalogue
    from kg.queries.params import check_lang

    lang = check_lang(plain.lang)
    given = parse_params(tuple(plain.params))
    saved = Catalogue.bundled().get(plain.name)
    write_stdout(answer_noting(local_runner(saved, given), saved, given, lang).serialize(plain.fmt))


def _echo(message: str) -> None:
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(message + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass
