"""Output files: whole or not at all, in place of regular files only, with the mode the user expects.

Each test fails if ``atomic.write_bytes`` were a plain ``path.write_bytes``:
a full disk would leave half a file, a new file would not get the umask's
mode (mkstemp's 0600 neither), a FIFO or device would be written into, a
missing folder would raise FileNotFoundError (not exit 4).
"""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from kg.core import atomic
from kg.core.errors import EnvironmentFailure, UsageError
from tests.mounts import fill, tmpfs


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture()
def umask_027():  # type: ignore[no-untyped-def]
    old = os.umask(0o027)
    yield
    os.umask(old)


def test_a_new_file_gets_the_mode_of_the_umask(tmp_path: Path, umask_027: None) -> None:
    atomic.write_bytes(tmp_path / "new.ttl", b"x")
    assert _mode(tmp_path / "new.ttl") == 0o640  # 0666 & ~027, as a shell redirection makes it; not mkstemp's 0600


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "shared.csv"
    target.write_bytes(b"old")
    target.chmod(0o604)
    atomic.write_bytes(target, b"new")
    assert (target.read_bytes(), _mode(target)) == (b"new", 0o604)


def test_nothing_is_left_beside_the_file(tmp_path: Path) -> None:
    atomic.write_bytes(tmp_path / "out.nt", b"<a:b> <a:c> <a:d> .\n")
    assert [p.name for p in tmp_path.iterdir()] == ["out.nt"]


def test_a_symlink_has_its_target_written_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "data" / "real.ttl"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "link.ttl"
    link.symlink_to(real)
    atomic.write_bytes(link, b"new")
    assert link.is_symlink() and link.resolve() == real
    assert real.read_bytes() == b"new"


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.ttl"
    link.symlink_to(tmp_path / "later.ttl")
    atomic.write_bytes(link, b"new")
    assert link.is_symlink() and (tmp_path / "later.ttl").read_bytes() == b"new"


def test_a_fifo_is_refused_and_left_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="FIFO"):
        atomic.write_bytes(fifo, b"x")  # a plain write would block here, waiting for a reader
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        with pytest.raises(UsageError, match="socket"):
            atomic.write_bytes(path, b"x")
        assert stat.S_ISSOCK(path.stat().st_mode)
    finally:
        server.close()


def test_a_device_is_refused_and_stays_a_device(tmp_path: Path) -> None:
    """A copy of /dev/full made in the test folder, so that a failure here cannot break the machine's own."""
    device = tmp_path / "full"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("making a device node needs root (CAP_MKNOD)")
    link = tmp_path / "to-device"
    link.symlink_to(device)
    for path in (device, link):
        with pytest.raises(UsageError, match="character device"):
            atomic.write_bytes(path, b"x")
    assert stat.S_ISCHR(device.stat().st_mode)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a folder"):
        atomic.write_bytes(tmp_path, b"x")


def test_a_missing_folder_is_named_and_not_created(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentFailure, match=r"the folder .*results does not exist") as caught:
        atomic.write_bytes(tmp_path / "results" / "out.csv", b"x")
    assert caught.value.exit_code == 4
    assert not (tmp_path / "results").exists()


def test_kg_own_folders_are_made_when_asked(tmp_path: Path) -> None:
    atomic.write_bytes(tmp_path / "cache" / "x.nt", b"x", make_parents=True)
    assert (tmp_path / "cache" / "x.nt").read_bytes() == b"x"


def test_a_full_disk_leaves_the_old_file_whole_and_no_temporary(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", size="64k") as disk:
        target = disk / "out.ttl"
        target.write_bytes(b"old content\n")
        fill(disk)
        with pytest.raises(EnvironmentFailure, match="No space left") as caught:
            atomic.write_bytes(target, b"new content\n" * 20_000)
        assert caught.value.exit_code == 4
        assert target.read_bytes() == b"old content\n"
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "out.ttl"]


def test_a_read_only_folder_is_an_environment_failure(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", read_only=True) as folder:
        with pytest.raises(EnvironmentFailure, match="Read-only") as caught:
            atomic.write_bytes(folder / "out.csv", b"x")
        assert caught.value.exit_code == 4


def test_a_virtual_file_is_an_environment_failure() -> None:
    with pytest.raises(EnvironmentFailure, match="/proc/version"):
        atomic.write_bytes(Path("/proc/version"), b"x")
