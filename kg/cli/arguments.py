"""Command-line values that need no click: ``-p NAME=VALUE`` pairs (kg.cli.common and kg.cli.fastpath share them)."""

from __future__ import annotations

from kg.core.errors import UsageError


def parse_params(values: tuple[str, ...]) -> dict[str, str]:
    """``("tool=E-mail", ...)`` as ``{"tool": "E-mail"}``; a value without ``=`` is a usage error.

    >>> parse_params(("tool=E-mail", "lang=en"))
    {'tool': 'E-mail', 'lang': 'en'}
    """
    params: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {item!r}: expected NAME=VALUE")
        params[name.strip()] = value
    return params
