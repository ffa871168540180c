"""``kg cache``: how much the reasoning cache holds, and emptying it (the library is kg.reasoning.cache)."""

from __future__ import annotations

import click


@click.command("cache")
@click.option("--clear", is_flag=True, help="Remove every cached entry (they are recomputed when needed).")
def cache_cmd(clear: bool) -> None:
    """Show the reasoning cache's size and limit ($KG_CACHE_LIMIT MB), or empty it."""
    from kg.reasoning import cache

    if clear:
        removed = cache.clear()
        click.echo(f"removed {removed.files} file(s), {_mb(removed.bytes)} from {removed.folder}")
        return
    held = cache.usage()
    click.echo(f"{held.folder}: {held.files} file(s), {_mb(held.bytes)} (limit {_mb(held.limit)}; least recently used entries go first)")


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
