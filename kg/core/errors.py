"""Errors of ksm-kg, each carrying the exit code the CLI reports.

    KgError                 any failure the user can act on
    ├── NonConformingError  exit 1: the data does not conform / a check fails
    ├── UsageError          exit 2: unknown query, missing or invalid parameter
    ├── InputError          exit 3: unreadable input (malformed Turtle, SPARQL)
    └── EnvironmentFailure  exit 4: endpoint unreachable, port in use, time-out

Messages are one line and name the file and line, the query or the
parameter, so that the CLI can print them as they are.
"""

from __future__ import annotations


class KgError(Exception):
    """``str(error)`` is the one line the CLI prints; ``details``, when given, is printed before it."""

    exit_code = 1

    def __init__(self, message: str, *, details: str = "") -> None:
        super().__init__(message)
        self.details = details


class NonConformingError(KgError):
    exit_code = 1


class UsageError(KgError):
    exit_code = 2


class InputError(KgError):
    exit_code = 3


class EnvironmentFailure(KgError):
    exit_code = 4
