"""Write files whole or not at all, and only where a file belongs.

A reader (or a crash) must never see half a file: write beside the target,
flush to disk, then rename over it, which POSIX makes atomic.  What is at the
path already decides what may happen there (the README's "Output files"):

- nothing: a new file, with the mode the umask gives (``0666 & ~umask``), as
  ``open()`` or a shell redirection would, not ``mkstemp``'s private 0600;
- a regular file: replaced, keeping its mode (and owner and group, where
  the user may set them);
- a symbolic link: the file it points to is written (created if the link
  dangles); the link stays a link;
- a folder, device, FIFO or socket: refused (``UsageError``, exit 2):
  renaming over ``/dev/full`` or a FIFO would destroy it, and writing into
  one cannot be whole-or-nothing;
- a path whose folder does not exist: refused (``EnvironmentFailure``,
  exit 4), never created silently (a typo in a folder name should not make
  folders);
- a folder or disk that refuses the write (read-only, full, no permission):
  ``EnvironmentFailure`` (exit 4), and no temporary file left behind.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from kg.core.errors import EnvironmentFailure, UsageError

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def umask() -> int:
    """The process's umask (read by setting it back at once: there is no other portable way)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def target(path: Path) -> tuple[Path, os.stat_result | None]:
    """The file a write to ``path`` really replaces (symbolic links followed), and its status if it exists.

    Raises UsageError for an empty path or a path to something that is not a
    regular file.
    """
    if not str(path):
        raise UsageError("the output path is empty; give a file name")
    real = Path(os.path.realpath(path))  # follows every link, also a dangling one, to where the file would be
    try:
        status: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise EnvironmentFailure(f"{path}: cannot write here: {error.strerror}") from None
    if status is not None and not stat.S_ISREG(status.st_mode):
        kind = next((name for test, name in _KINDS if test(status.st_mode)), "not a regular file")
        shown = f"{path} (-> {real})" if real != Path(path).absolute() else str(path)
        if stat.S_ISDIR(status.st_mode):
            raise UsageError(f"{shown} is a folder; give the name of a file (in it, or elsewhere)")
        raise UsageError(f"{shown} is {kind}; output goes to regular files only (for a device or a pipe, leave out -o and redirect: > {path})")
    return real, status


def write_bytes(path: Path, content: bytes, *, make_parents: bool = False) -> None:
    """Replace the file at ``path`` by ``content``, whole or not at all (see the module's rules).

    ``make_parents`` is for kg's own folders (the cache); a user's output
    path never gets folders created behind their back.

    >>> import pathlib, tempfile, stat
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "out.txt").write_text("old"); (folder / "out.txt").chmod(0o640)
    3
    >>> write_bytes(folder / "out.txt", b"new")
    >>> (folder / "out.txt").read_text(), oct(stat.S_IMODE((folder / "out.txt").stat().st_mode))
    ('new', '0o640')
    """
    real, status = target(Path(path))
    parent = real.parent
    if make_parents:
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise EnvironmentFailure(f"{parent}: cannot create the folder: {error.strerror}") from None
    elif not parent.is_dir():
        raise EnvironmentFailure(f"{path}: the folder {parent} does not exist; create it first (kg does not make folders for output)")
    mode = stat.S_IMODE(status.st_mode) if status is not None else 0o666 & ~umask()
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=parent)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            if status is not None and (status.st_uid, status.st_gid) != (os.geteuid(), os.getegid()):
                try:
                    os.fchown(handle.fileno(), status.st_uid, status.st_gid)
                except OSError:
                    pass  # only root may give a file away; the content matters more than its owner
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, real)
        tmp = None
        _sync_folder(parent)
    except OSError as error:
        where = "" if tmp is not None else f" a new file in {parent}"  # no temporary file: the folder refused it
        raise EnvironmentFailure(f"{path}: cannot write{where}: {error.strerror or error}") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: some file systems refuse to sync a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
