"""Progress on stderr: only where the CLI asked for it (a terminal, not --quiet), never for work that ends quickly."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from kg.core import notices


class Stderr:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def getvalue(self) -> str:
        return self.capsys.readouterr().err


@pytest.fixture()
def stderr(capsys: pytest.CaptureFixture[str]) -> Iterator[Stderr]:
    """What notices write to sys.stderr (pytest's capture replaces sys.stderr for each phase: capsys sees it)."""
    yield Stderr(capsys)
    notices.configure(notes=False, progress=False)
    notices.progress_done()


def test_progress_shows_only_when_configured(stderr: Stderr) -> None:
    notices.configure(notes=True, progress=False)
    for _ in range(3):
        notices.progress("reading", every=0)
    assert stderr.getvalue() == ""


def test_progress_is_redrawn_and_erased(stderr: Stderr) -> None:
    notices.configure(notes=True, progress=True)
    notices.progress("row 1", every=0)  # starts the clock: work that ends at once shows nothing
    notices.progress("row 2", every=0)
    notices.progress_done()
    assert stderr.getvalue() == "\r\x1b[2Kkg: row 2\r\x1b[2K"


def test_quick_work_leaves_no_trace(stderr: Stderr) -> None:
    notices.configure(notes=True, progress=True)
    notices.progress("row 1")
    notices.progress("row 2")  # within 0.2 s of the first
    notices.progress_done()
    assert stderr.getvalue() == ""


def test_the_rule_engine_reports_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.reasoning import rules

    seen: list[str] = []
    monkeypatch.setattr(notices, "progress", lambda message, **_: seen.append(message))
    ex = "http://example.org/"
    quads = [ox.Quad(ox.NamedNode(ex + "A"), ox.NamedNode(rules.RDFS + "subClassOf"), ox.NamedNode(ex + "B"))]
    quads += [ox.Quad(ox.NamedNode(f"{ex}x{i}"), ox.NamedNode(rules.TYPE), ox.NamedNode(ex + "A")) for i in range(5000)]
    rules.infer(quads, use_cache=False)
    assert seen and seen[0].startswith("reasoning: round 1, ")
