"""Who may touch the persistent store: one writer at a time, readers pinned to what they opened.

Two ``kg load`` at once must not lose one, and a ``kg query`` must never see a
database deleted under it.  Both rules use ``flock`` locks, which the kernel
releases when a process dies (a ``kill -9`` leaves no stale lock behind):

- a writer holds an exclusive lock on ``<store>/write.lock`` for its whole
  transaction; a second writer waits for it (saying so on stderr) up to
  ``$KG_STORE_WAIT`` seconds (default 600), then gives up with exit 4;
- a reader holds a shared lock on ``<database>/reader.lock`` for as long as
  it uses that database; a writer deletes an old database only once it can
  take that lock exclusively, so a database in use is left for a later
  writer to remove.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.core.errors import EnvironmentFailure

WRITE_LOCK = "write.lock"
READER_LOCK = "reader.lock"
DEFAULT_WAIT = 600.0

# Reader pins live as long as the process (a query's answer is read lazily), one per database.
_PINS: dict[str, int] = {}


def wait_limit() -> float:
    """Seconds a writer waits for another: ``$KG_STORE_WAIT``, else 600."""
    raw = os.environ.get("KG_STORE_WAIT", "")
    try:
        value = float(raw) if raw else DEFAULT_WAIT
    except ValueError:
        value = DEFAULT_WAIT
    return value if value >= 0 and value == value else DEFAULT_WAIT


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
    except OSError:
        return "?"


@contextmanager
def writing(folder: Path, *, on_wait: Callable[[str], None] | None = None, wait: float | None = None) -> Iterator[None]:
    """Hold the store's writer lock, waiting for another writer to finish if need be."""
    path = Path(folder) / WRITE_LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise EnvironmentFailure(f"{folder}: cannot write to the store folder: {error.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            limit = wait_limit() if wait is None else wait
            if on_wait is not None:
                on_wait(f"the store at {folder} is busy (kg process {_holder(fd)} is writing); waiting up to {limit:g} s")
            deadline = time.monotonic() + limit
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise EnvironmentFailure(
                            f"{folder}: store busy: kg process {_holder(fd)} is still writing after {limit:g} s (set KG_STORE_WAIT to wait longer)"
                        ) from None
                    time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def pin(database: Path) -> bool:
    """Hold a shared lock on ``database`` for the rest of the process; False if it is gone."""
    if str(database) in _PINS:
        return True
    try:
        fd = os.open(Path(database) / READER_LOCK, os.O_RDONLY)
    except FileNotFoundError:
        return False
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EROFS):
            return True  # a read-only store folder: no writer can delete it either
        raise EnvironmentFailure(f"{database}: cannot open the store: {error.strerror}") from None
    fcntl.flock(fd, fcntl.LOCK_SH)
    _PINS[str(database)] = fd
    return True


def unpin_all() -> None:
    """Release every pin (tests, and a server that reopens the store)."""
    while _PINS:
        os.close(_PINS.popitem()[1])


def create_reader_lock(database: Path) -> None:
    (Path(database) / READER_LOCK).touch()


def remove_if_unused(database: Path) -> bool:
    """Delete ``database`` (a writer's clean-up) unless a reader holds it; True if it is gone.

    The exclusive lock is held while deleting, so a reader that arrives
    meanwhile waits, then sees that ``current`` names another database.
    """
    import shutil

    try:
        fd = os.open(Path(database) / READER_LOCK, os.O_RDONLY)
    except FileNotFoundError:
        shutil.rmtree(database, ignore_errors=True)
        return not Path(database).exists()
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        shutil.rmtree(database, ignore_errors=True)
        return not Path(database).exists()
    finally:
        os.close(fd)
