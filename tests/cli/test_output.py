"""Where the answer goes: ``-o`` files (only regular files, whole, with the expected mode) and stdout (closed, full).

The exit code is the contract: 2 for a path that names no regular file, 4
when the disk or the stream refuses the write; never 0 with the answer lost,
never 70.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main
from tests.mounts import fill, tmpfs
from tests.samples import WEBINAR

QUERY = ["query", "mechanisms-without-internet", "-f", "csv"]


def kg(*args: str, stdin: str | None = None, shell_redirect: str = "") -> subprocess.CompletedProcess[str]:
    """The real command in a child process (stdout can be closed or full only there)."""
    command = [sys.executable, "-m", "kg.cli", *args]
    if shell_redirect:
        quoted = " ".join("'" + a.replace("'", "'\\''") + "'" for a in command)
        return subprocess.run(["sh", "-c", f"{quoted} {shell_redirect}"], capture_output=True, text=True, timeout=120, check=False)
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=120, check=False)


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize(("make", "needle"), [
    (lambda p: p.mkdir(), "is a folder"),
    (lambda p: os.mkfifo(p), "FIFO"),
])
def test_o_refuses_what_is_not_a_regular_file(runner, tmp_path: Path, make, needle: str) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "target"
    make(target)
    result = runner.invoke(main, [*QUERY, "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert needle in _one_line(result.stderr)
    assert target.is_dir() or stat.S_ISFIFO(target.stat().st_mode)  # left as it was


def test_o_empty_path_is_a_usage_error(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, [*QUERY, "-o", ""])
    assert result.exit_code == 2
    assert "empty path" in _one_line(result.stderr)


def test_o_dash_is_stdout(runner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, [*QUERY, "-o", "-"])
    assert result.exit_code == 0
    assert result.stdout.startswith("mechanism,mechanismLabel")
    assert list(tmp_path.iterdir()) == []


def test_o_missing_folder_exits_4_and_makes_no_folder(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, [*QUERY, "-o", str(tmp_path / "typo" / "out.csv")])
    assert result.exit_code == 4
    assert "typo does not exist" in _one_line(result.stderr)
    assert not (tmp_path / "typo").exists()


def test_o_proc_file_exits_4(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, [*QUERY, "-o", "/proc/version"])
    assert result.exit_code == 4
    assert "/proc/version" in _one_line(result.stderr)


def test_o_writes_through_a_symlink_and_keeps_the_mode(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    real = tmp_path / "published.csv"
    real.write_text("old\n")
    real.chmod(0o644)
    link = tmp_path / "latest.csv"
    link.symlink_to(real.name)
    result = runner.invoke(main, [*QUERY, "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert real.read_text().startswith("mechanism,mechanismLabel")
    assert stat.S_IMODE(real.stat().st_mode) == 0o644


def test_o_new_file_is_readable_by_others_under_umask_022(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old = os.umask(0o022)
    try:
        result = runner.invoke(main, ["export", "-f", "nt", "-o", str(tmp_path / "graph.nt")])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((tmp_path / "graph.nt").stat().st_mode) == 0o644  # a web server or a colleague can read it


def test_o_on_a_full_disk_exits_4_and_keeps_the_old_file(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with tmpfs(tmp_path / "small", size="128k") as disk:
        target = disk / "graph.ttl"
        target.write_text("# the previous export\n")
        fill(disk)
        result = runner.invoke(main, ["export", "-o", str(target)])
        assert result.exit_code == 4, result.output
        assert "No space left on device" in _one_line(result.stderr)
        assert target.read_text() == "# the previous export\n"
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "graph.ttl"]


def test_o_in_a_read_only_folder_exits_4(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with tmpfs(tmp_path / "ro", read_only=True) as folder:
        result = runner.invoke(main, [*QUERY, "-o", str(folder / "out.csv")])
        assert result.exit_code == 4
        assert "Read-only file system" in _one_line(result.stderr)


@pytest.mark.parametrize("args", [QUERY, ["validate", "--lang", "en"], ["export", "-f", "nt"]])
def test_a_closed_stdout_is_exit_4_not_done(args: list[str]) -> None:
    done = kg(*args, shell_redirect=">&-")
    assert done.returncode == 4, done.stderr
    assert "standard output is closed" in _one_line(done.stderr)


def test_import_to_a_closed_stdout_is_not_reported_done(tmp_path: Path) -> None:
    table = tmp_path / "webinaire.csv"
    table.write_text(WEBINAR, encoding="utf-8")
    done = kg("import", str(table), "--dry-run", shell_redirect=">&-")  # the dry run's Turtle goes to stdout
    assert done.returncode == 4, done.stderr
    assert "triples" not in done.stderr  # no "N triples new" summary for Turtle that went nowhere


def test_dev_full_as_stdout_is_exit_4() -> None:
    done = kg(*QUERY, shell_redirect="> /dev/full")
    assert done.returncode == 4, done.stderr  # not 120, the interpreter failing to flush at exit
    assert "No space left on device" in _one_line(done.stderr)


def test_a_reader_that_goes_away_is_not_an_error() -> None:
    done = kg("export", "-f", "nt", shell_redirect="| head -c 10 >/dev/null; exit $(( $? ))")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
