"""What an incremental build takes unchanged from the last good output instead of making it again.

The build writes every site into a fresh staging folder (gazette/output.py). Most of a large site is the same
as last time, so a page (or a shard of the search index) whose inputs hash to the key recorded when it was
written is hard-linked from the previous output instead of being rendered again — but only while the file
there is still the one written then (size, mtime and inode, the test the build cache applies to its own
objects): a published page edited by hand is made again, never carried over. The keys and file stamps are
kept in the build's state (gazette/cache.py) from one build to the next; `--clean` starts without them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


def _stamp(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]


@dataclass
class SiteReuse:
    previous: Path | None  # the last good output (None: nothing to reuse)
    recorded: dict = field(default_factory=dict)  # the last build's `written`
    written: dict = field(default_factory=lambda: {"pages": {}, "folders": {}})
    pages_taken: int = 0

    # --- single pages: path → [key, size, mtime_ns, inode, digest of what the search index reads] ---

    def take_page(self, path: str, key: str, target: Path) -> bool:
        entry = self.recorded.get("pages", {}).get(path)
        if self.previous is None or not entry or entry[0] != key or len(entry) != 5:
            return False
        source = self.previous / path
        try:
            if _stamp(source) != entry[1:4]:
                return False
            _link(source, target)
        except OSError:
            return False
        self.written["pages"][path] = entry
        self.pages_taken += 1
        return True

    def record_page(self, path: str, key: str, target: Path, digest: str) -> None:
        """`digest`: of what the search index reads of the page just written to `target`
        (search.searched_digest)."""
        self.written["pages"][path] = [key, *_stamp(target), digest]

    def page_digest(self, path: str) -> str | None:
        """The digest recorded for a page this build wrote or took (None: not known)."""
        entry = self.written["pages"].get(path)
        return entry[4] if entry else None

    # --- folders (a search index shard): path → {"key": …, "files": {relative path: stamp}} ---

    def recorded_folder_key(self, path: str) -> str | None:
        entry = self.recorded.get("folders", {}).get(path)
        return entry.get("key") if entry and self.previous is not None else None

    def take_folder(self, path: str, key: str, site: Path, files: Callable[[Path], dict[str, list[int]]]) -> bool:
        """`files(folder)` lists the folder's own files with their stamps."""
        entry = self.recorded.get("folders", {}).get(path)
        if self.previous is None or not entry or entry.get("key") != key:
            return False
        source = self.previous / path
        if files(source) != entry["files"]:
            return False
        try:
            for rel in entry["files"]:
                target = site / path / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(source / rel, target)
        except OSError:
            shutil.rmtree(site / path, ignore_errors=True)
            return False
        self.written["folders"][path] = entry
        return True

    def record_folder(self, path: str, key: str, files: dict[str, list[int]]) -> None:
        self.written["folders"][path] = {"key": key, "files": files}


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except FileNotFoundError:  # most pages' folders exist already (a notice's holds its documents)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(source, target)


def stamps(folder: Path, *, skip_dirs: Callable[[str], bool] = lambda name: False) -> dict[str, list[int]]:
    """Every file under `folder` (not under its top-level folders `skip_dirs` names) with its stamp."""
    found: dict[str, list[int]] = {}
    if not folder.is_dir():
        return found
    for directory, dirs, files in os.walk(folder):
        if Path(directory) == folder:
            dirs[:] = [d for d in dirs if not skip_dirs(d)]
        for name in files:
            path = Path(directory) / name
            found[path.relative_to(folder).as_posix()] = _stamp(path)
    return dict(sorted(found.items()))
