"""Writing an output folder atomically.

A build writes into a fresh folder beside the output and swaps it in only when everything succeeded, so a
failed or killed build leaves the last good site byte for byte as it was. A lock beside the output refuses a
second build on the same folder; it is an OS file lock, so a killed build never leaves it stuck.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from gazette.errors import GazetteError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


@contextlib.contextmanager
def output_lock(output: Path) -> Iterator[None]:
    output.parent.mkdir(parents=True, exist_ok=True)
    lock_path = output.parent / f".{output.name}.lock"
    handle = open(lock_path, "a+b")
    try:
        try:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            raise GazetteError(f"另一个构建正在写入 {output}，请等它结束后再试（Another build is writing {output}）") from None
        yield
    finally:
        handle.close()


@contextlib.contextmanager
def staging_folder(output: Path) -> Iterator[Path]:
    """A new folder beside `output`; on success it replaces `output`, on any failure it is removed."""
    output.parent.mkdir(parents=True, exist_ok=True)
    cleanup_leftovers(output)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    try:
        yield staging
        swap_in(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    cleanup_leftovers(output)


def swap_in(staging: Path, output: Path) -> None:
    staging.chmod(0o755)  # mkdtemp makes 0700; a web server must read the site
    if not output.exists():
        os.replace(staging, output)
        return
    if _exchange(staging, output):  # one atomic step on Linux: readers see the old site or the new one
        shutil.rmtree(staging, ignore_errors=True)
        return
    old = output.parent / f".{output.name}.old-{os.getpid()}"
    os.replace(output, old)  # two renames: a build killed between them is repaired by recover()
    os.replace(staging, output)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two paths atomically. False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def recover(output: Path) -> None:
    """A build killed between the two renames of swap_in left the last good site under .old-*: put it back."""
    if output.exists():
        return
    olds = sorted(output.parent.glob(f".{output.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if olds:
        os.replace(olds[-1], output)


def cleanup_leftovers(output: Path) -> None:
    """Remove staging folders left by killed builds (safe: we hold the lock)."""
    recover(output)
    for leftover in output.parent.glob(f".{output.name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in output.parent.glob(f".{output.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)
