"""The build cache: what an incremental build may reuse, decided by content hashes only.

Nothing here trusts a timestamp for correctness. Every reusable thing is stored under a key that hashes
everything it was made from:

  fingerprints  gazette's own source, the installed packages, the templates, site.yaml, the installed fonts
  parsed        a validated Notice, keyed by its file's bytes + site.yaml + gazette's source (skips the YAML
                parser, which is 90 % of the time a 1,000-notice load takes)
  objects       the HTML fragment, DOCX and PDF of a notice, keyed by the notice's file, the files it names
                (the seal image), the document templates, site.yaml, the fonts and gazette's source
  state         per output folder, the key of the last build and a fingerprint of the tree it wrote, so that
                a build with nothing changed can stop before loading anything

Objects are hard-linked into the new output folder (one PDF is stored once, however many builds use it).
A hard link shares the file with the cache, so something that rewrote a published PDF in place would change
the cached copy too: the index records each object's size and mtime when it was made, and an object that no
longer matches is rendered again instead of being reused.

The folder lives beside the output (public/ → .cache/gazette/), so hard links stay on one file system.
Pickle is used for parsed notices because it restores the model exactly as validated; the cache is created
0700 and is as trusted as the output folder next to it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR.parent / "templates"  # = gazette.render.html.TEMPLATES_DIR, without importing Jinja
# Fonts decide the PDF's glyphs and line breaks: a font installed or removed must re-render every PDF.
FONT_DIRS = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path("/etc/fonts"),
             Path.home() / ".fonts", Path.home() / ".local/share/fonts"]
INDEX_FILE = "index.pickle"
KEEP_UNUSED_SECONDS = 7 * 24 * 3600  # an object no build used for a week is deleted
PRUNE_EVERY_SECONDS = 3600
FORMAT_SUFFIX = {"html": ".html", "docx": ".docx", "pdf": ".pdf"}


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))  # length-prefixed: ("ab", "c") never equals ("a", "bc")
        h.update(data)
    return h.hexdigest()


def file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# --- fingerprints of what every notice depends on ---------------------------------------------------------

def code_fingerprint() -> str:
    """gazette's own source (a developer's edit counts, not only a version bump) and every installed
    distribution's name and version (one directory listing: upgrading WeasyPrint re-renders the PDFs)."""
    parts: list[str] = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts += [str(path.relative_to(PACKAGE_DIR)), file_digest(path)]
    for entry in sys.path:
        if entry.endswith("site-packages") and os.path.isdir(entry):
            parts += sorted(n for n in os.listdir(entry) if n.endswith((".dist-info", ".egg-info")))
    return digest(*parts)


def tree_fingerprint(folders: Iterable[Path | tuple[str, Path]], *, include=lambda rel: True,
                     contents: bool = True) -> str:
    """Relative paths and contents (or sizes and mtimes, for large files such as fonts) of every file
    under `folders`, in a fixed order. A folder may be given a label (("local", path)): files are named by
    label and relative path, so moving an override from one folder to another counts as a change while an
    empty or missing folder counts as nothing."""
    parts: list[str] = []
    for position, entry in enumerate(folders):
        label, folder = entry if isinstance(entry, tuple) else (str(position), entry)
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(folder).as_posix()
            if not include(rel):
                continue
            if contents:
                parts += [label, rel, file_digest(path)]
            else:
                st = path.stat()
                parts += [label, rel, str(st.st_size), str(st.st_mtime_ns)]
    return digest(*parts)


def fonts_fingerprint() -> str:
    return tree_fingerprint(FONT_DIRS, contents=False)


# --- the cache folder ------------------------------------------------------------------------------------

@dataclass
class ObjectRecord:
    size: int
    mtime_ns: int
    used: float  # when a build last used it (for pruning)


@dataclass
class BuildCache:
    """`.cache/gazette/` beside the output folder. Safe to delete at any time: the next build is a full one."""

    root: Path
    _index: dict[str, ObjectRecord] | None = None  # INDEX_FILE, read when first needed (a no-op build never is)
    used: set[str] = field(default_factory=set)
    used_parsed: set[str] = field(default_factory=set)
    _writer: Any = None  # the thread pool of put_parsed, until flush
    _writing: list = field(default_factory=list)
    _records: int = 0  # record_object calls: with the sizes of `used` and `used_parsed`, what save last saw
    _saved: tuple[int, int, int] | None = None
    _saved_parsed: set[str] = field(default_factory=set)

    @classmethod
    def beside(cls, output: Path) -> "BuildCache":
        return cls.open(output.resolve().parent / ".cache" / "gazette")

    @classmethod
    def open(cls, root: Path) -> "BuildCache":
        for sub in ("objects", "parsed", "state"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o700)
        return cls(root)

    @property
    def index(self) -> dict[str, ObjectRecord]:
        if self._index is None:
            self._index = self._read_index()
        return self._index

    # --- parsed notices ---

    def parsed_path(self, key: str) -> Path:
        return self.root / "parsed" / f"{key}.pickle"

    def get_parsed(self, key: str) -> Any | None:
        path = self.parsed_path(key)
        try:
            with open(path, "rb") as handle:
                value = pickle.load(handle)
            self.used_parsed.add(key)
            return value
        except FileNotFoundError:
            return None
        except Exception:  # a truncated or foreign file is a miss, never an error
            path.unlink(missing_ok=True)
            return None

    def put_parsed(self, key: str, data: bytes) -> None:
        """Keep a parsed notice, given as its pickle. The build's workers pickle what they parse and the build
        writes those bytes as they came: it never pickles a notice itself, since pickling a str leaves a UTF-8
        copy of it inside it for as long as it lives (23 MB over 1,000 notices held for the whole build).
        Written by a thread of its own: writing 1,000 parsed notices (a rename each) took 0.45 s of a clean
        build's main thread. `flush` waits for it."""
        self.used_parsed.add(key)
        if self._writer is None:
            from concurrent.futures import ThreadPoolExecutor

            self._writer = ThreadPoolExecutor(1, thread_name_prefix="gazette-cache")
        self._writing.append(self._writer.submit(self._write_atomically, self.parsed_path(key), data))

    def flush(self) -> None:
        """Wait until every parsed notice is written, and end the thread that writes them: a build forks its
        workers only when this process runs no thread of its own (see build._Workers), and workers read the
        notices they render from here (gazette/workers.py RenderTask)."""
        writing, self._writing = self._writing, []
        writer, self._writer = self._writer, None
        try:
            for future in writing:
                future.result()
        finally:
            if writer is not None:
                writer.shutdown(wait=True)

    # --- rendered objects ---

    # A build asks about each of its thousands of objects several times: by name and os.path, not pathlib.
    @staticmethod
    def _object_name(key: str, fmt: str) -> str:
        return key + FORMAT_SUFFIX[fmt]

    def _object_file(self, name: str) -> str:
        return os.path.join(self.root, "objects", name)

    def object_path(self, key: str, fmt: str) -> Path:
        return Path(self._object_file(self._object_name(key, fmt)))

    def has_object(self, key: str, fmt: str) -> bool:
        """True when the object exists exactly as it was made (see the module docstring on hard links)."""
        name = self._object_name(key, fmt)
        record = self.index.get(name)
        if record is None:
            return False
        try:
            st = os.stat(self._object_file(name))
        except FileNotFoundError:
            return False
        return st.st_size == record.size and st.st_mtime_ns == record.mtime_ns

    def new_object_target(self, key: str, fmt: str) -> Path:
        """A temporary path in the objects folder for a renderer to write to; `commit_object` moves it into
        place. Renderers never write to the final name, so a killed build cannot leave half an object."""
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}-", suffix=FORMAT_SUFFIX[fmt], dir=self.root / "objects")
        os.close(fd)
        return Path(tmp)

    def commit_object(self, tmp: Path, key: str, fmt: str) -> None:
        final = self.object_path(key, fmt)
        os.replace(tmp, final)

    def record_object(self, key: str, fmt: str) -> int:
        """Note an object (made by this process or a worker) in the index; returns its size."""
        name = self._object_name(key, fmt)
        st = os.stat(self._object_file(name))
        self.index[name] = ObjectRecord(st.st_size, st.st_mtime_ns, time.time())
        self.used.add(name)
        self._records += 1
        return st.st_size

    def object_size(self, key: str, fmt: str) -> int:
        return self.index[self._object_name(key, fmt)].size

    def text_object_reader(self, key: str, fmt: str) -> Callable[[], str]:
        """A function that reads the object's text when called. The object counts as used from now on."""
        name = self._object_name(key, fmt)
        self.used.add(name)
        path = self._object_file(name)

        def read() -> str:
            with open(path, encoding="utf-8") as handle:
                return handle.read()

        return read

    def link_object(self, key: str, fmt: str, target: Path) -> None:
        """Put the object at `target` (in the staging folder): a hard link, or a copy where links fail
        (another file system, a file system without links)."""
        name = self._object_name(key, fmt)
        source = self._object_file(name)
        self.used.add(name)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)

    # --- state of an output folder (for the no-op check) ---

    def state_path(self, output: Path) -> Path:
        return self.root / "state" / f"{digest(str(output.resolve()))[:24]}.json"

    def read_state(self, output: Path) -> dict:
        try:
            return json.loads(self.state_path(output).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def write_state(self, output: Path, state: dict) -> None:
        self._write_atomically(self.state_path(output), json.dumps(state, ensure_ascii=False).encode())

    def forget_state(self, output: Path) -> None:
        self.state_path(output).unlink(missing_ok=True)

    # --- index and pruning ---

    # A pickle, not JSON: a province's 10,000 notices are 30,000 objects, whose index took 0.1 s to read and
    # write as JSON in every build, and 0.015 s as a pickle. An unreadable index (an older format, a killed
    # write) is an empty one: every object is made again, never a wrong one reused.
    def _read_index(self) -> dict[str, ObjectRecord]:
        try:
            with open(self.root / INDEX_FILE, "rb") as handle:
                raw = pickle.load(handle)
            return {name: ObjectRecord(*values) for name, values in raw.items()}
        except Exception:  # noqa: BLE001 - see above
            return {}

    def save(self, *, prune: bool | None = None) -> None:
        """Write the index, after deleting objects and parsed notices no build has used for a week. Pruning
        reads the whole cache (60 ms at 1,000 notices), so by default it runs at most once an hour. A build
        saves once its objects are all made and again at its end, which does nothing when nothing was
        recorded or used since."""
        self.flush()
        now = time.time()
        if prune is None:
            marker = self.root / "pruned"
            try:
                prune = now - marker.stat().st_mtime > PRUNE_EVERY_SECONDS
            except FileNotFoundError:
                prune = True
            if prune:
                marker.touch()
        if not prune and self._saved == (len(self.used), len(self.used_parsed), self._records):
            return
        for name in self.used:
            if name in self.index:
                self.index[name].used = now
        for key in self.used_parsed - self._saved_parsed:  # parsed notices carry their last use in their mtime
            with contextlib.suppress(FileNotFoundError):
                os.utime(self.parsed_path(key))
        if prune:
            self._prune(now)
        data = {name: (r.size, r.mtime_ns, r.used) for name, r in self.index.items()}
        self._write_atomically(self.root / INDEX_FILE, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        (self.root / "index.json").unlink(missing_ok=True)  # the index as earlier versions wrote it
        self._saved = (len(self.used), len(self.used_parsed), self._records)
        self._saved_parsed = set(self.used_parsed)

    def _prune(self, now: float) -> None:
        stale = [name for name, r in self.index.items() if now - r.used > KEEP_UNUSED_SECONDS]
        for name in stale:
            (self.root / "objects" / name).unlink(missing_ok=True)
            del self.index[name]
        for path in (self.root / "objects").iterdir():  # objects not in the index: left by a killed build
            if path.name not in self.index and now - path.stat().st_mtime > 3600:
                path.unlink(missing_ok=True)
        for path in (self.root / "parsed").iterdir():
            if now - path.stat().st_mtime > KEEP_UNUSED_SECONDS:
                path.unlink(missing_ok=True)

    def _write_atomically(self, path: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def output_fingerprint(output: Path, walked: dict[str, list[str]] | None = None) -> str | None:
    """Every file's path, size, mtime and inode in the output folder: if anything touched the published site
    since the last build, a no-op build is not trusted to be one. None when there is no output. `walked`:
    output_stamps of some of its top-level folders, taken by the build once they were complete (in its
    staging folder: renaming that keeps every stamp), which are not walked again. Were one of them changed
    after all, the next build would find the fingerprint different and build instead of skipping: never
    wrong, only slower."""
    if not output.is_dir():
        return None
    walked = walked or {}
    parts = [part for stamps in walked.values() for part in stamps]
    parts += output_stamps(output, output, skip=walked.keys())
    return digest(*sorted(parts))


def output_stamps(folder: Path, output: Path, skip: Collection[str] = ()) -> list[str]:
    """What output_fingerprint counts of the entries under `folder` (in the tree rooted at `output`), but not
    under its subfolders named in `skip`."""
    parts: list[str] = []
    # Strings, not Paths, and the relative path cut off rather than computed (os.path.relpath): half the time
    # of walking 1,000 notices' output (6,000 entries), which every build does.
    prefix = len(os.path.join(os.fspath(output), ""))
    top = os.fspath(folder)
    stack = [top]
    while stack:
        current = stack.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                st = entry.stat(follow_symlinks=False)
                if entry.is_dir(follow_symlinks=False) and not (current == top and entry.name in skip):
                    stack.append(entry.path)
                parts.append(f"{entry.path[prefix:]}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}")
    return parts
