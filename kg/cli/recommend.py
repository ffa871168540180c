"""``kg recommend``: which mechanism for my situation (parses, then calls kg.recommendation.engine)."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import INPUT, OUTPUT, readable_files


@click.command("recommend")
@click.option("--internet/--no-internet", default=None, help="The actors have (or lack) internet access.")
@click.option("--budget", multiple=True, metavar="LEVEL", help="Budget level: low, medium, high.")
@click.option("--languages", multiple=True, metavar="TAGS", help="Working languages, comma-separated (fr,en,wo); several mean no shared one.")
@click.option("--goal", "goals", multiple=True, metavar="GOAL", help="A goal (policy-influence, capacity-building, experience-sharing, ...); repeatable.")
@click.option("--scale", multiple=True, metavar="SCALE", help="Scale wanted: local, regional, national, international, sectoral.")
@click.option("--formality", multiple=True, metavar="F", help="Formality wanted: formal or informal.")
@click.option("--lacks", multiple=True, metavar="REQ", help="Another requirement the situation lacks (IRI, CURIE or label).")
@click.option("--dispersed/--together", default=None, help="The actors are in different places (so meeting in person needs travel), or in one.")
@click.option("--group-size", type=click.IntRange(min=1, max=1_000_000), metavar="N", help="How many take part (2: one-to-one).")
@click.option("--situation", "file", type=INPUT, help="A situation file (.ttl or .json; - for stdin); options add to it.")
@click.option("--format", "-f", "fmt", default="table", show_default=True, type=click.Choice(["table", "json", "ttl"]))
@click.option("--lang", default="fr", show_default=True, type=click.Choice(["fr", "en"]), help="Language of labels and reasons.")
@click.option("--output", "-o", type=OUTPUT, help="Write to this file (atomically) instead of stdout.")
def recommend_cmd(internet: bool | None, budget: tuple[str, ...], languages: tuple[str, ...], goals: tuple[str, ...],
                  scale: tuple[str, ...], formality: tuple[str, ...], lacks: tuple[str, ...], dispersed: bool | None,
                  group_size: int | None, file: Path | None, fmt: str, lang: str, output: Path | None) -> None:
    """Rank the mechanisms for a situation, with the reasons taken from the graph.

    Order: collisions with the situation (fewest first: a dependency it
    lacks, no mode of interaction that fits, a group size out of bounds),
    goals served (most first), hindrances, obstacles to the goals, remaining
    limitations, then label.
    """
    from kg.cli.common import emit
    from kg.graph.dataset import open_graph
    from kg.recommendation.engine import recommend_from_options
    from kg.recommendation.output import serialize
    from kg.recommendation.situation import Options

    options = Options(internet=internet, budget=budget, languages=languages, goals=goals, scale=scale, formality=formality, lacks=lacks,
                      dispersed=dispersed, group_size=group_size)
    with readable_files([file] if file is not None else [], guess=_situation_format) as found:
        ranking = recommend_from_options(open_graph(), lang=lang, file=found[0] if found else None, options=options)
    emit(serialize(ranking, fmt), output)


def _situation_format(head: bytes) -> str:
    """A situation read from stdin: JSON if it looks like it, else Turtle."""
    return ".json" if head.lstrip()[:1] == b"{" else ".ttl"
