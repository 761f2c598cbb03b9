"""Offline Chinese search: Pagefind's extended build indexes the notice pages.

The extended build is the one that segments Chinese (地下水, 黑臭水体 are found inside unspaced text). It runs
as a service (_Pagefind), spoken to directly: Pagefind's Python wrapper sleeps 0.1 s per call. Only
elements marked data-pagefind-body (the notice text) are indexed, so listings never show up as hits, and
only notice pages are given to Pagefind: parsing the listings and 一览表 pages to find nothing in them took
more than half of its time.

Pagefind cannot update an index, so a large site's index is split into shards, each a whole Pagefind bundle
over a fixed share of the notices (by a hash of the notice's id). A build indexes only the shards whose
pages changed (searched_digest, taken by the site writer as it wrote or reused each page) and takes the
others from the last output as they were, while Pagefind runs; the search page merges the shards
(Pagefind's mergeIndex, assets/search.js). Every search fetches each shard's metadata, and each shard
costs Pagefind about 0.05 s beside its pages, so shards are not made smaller than SHARD_SIZE notices; a site
of up to SHARD_SIZE notices has one index in pagefind/, exactly as Pagefind lays it out.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import math
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import NoReturn

from gazette import cache as cachelib
from gazette.errors import GazetteError
from gazette.site.pages import NOTICES_DIR
from gazette.site.reuse import SiteReuse, stamps

INDEX_DIR = "pagefind"
SHARD_PREFIX = "shard-"  # shard k > 0 is pagefind/shard-k/; shard 0 is pagefind/ itself
SHARD_SIZE = 125  # notices per shard (1,000 notices: 8 shards; one changed notice re-indexes 125 pages)
MAX_SHARDS = 16  # a search fetches every shard's metadata and search code: beyond this, shards grow instead
# A Pagefind process takes about 40 MB and 0.45 MB per page of the shard it indexes (it holds the shard's whole
# output until it is written): 320 MB for a shard of 625 notices (10,000 notices in 16 shards). Beyond this many
# notices in a shard (6,400 notices), shards are indexed by one process instead of one per core, so that a
# national portal's build stays under 1 GB (the build's own process then holds about 35 KB per notice). At 5,000
# notices (312 a shard) two processes peak at 626 MB (PSS, HTML only) in 24.9 s; one at 467 MB in 29.0 s.
PARALLEL_SHARD_MAX = 400
# While the build's workers still typeset documents, shards of more notices than this wait for the workers to
# end before Pagefind starts: at 10,000 notices in all formats, the build's process and two workers took 750 MB
# while the last documents were typeset, and Pagefind 330 MB more. Smaller shards (up to 4,000 notices) are
# indexed at once.
BESIDE_WORKERS_SHARD_MAX = 250
# Pagefind's ready-made search interfaces: the site has its own (assets/search.js), so these 400 kB go.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


def shards(notice_ids: list[str]) -> list[list[str]]:
    """The notices of each shard, by a stable hash of the id (Python's hash() changes per process), so that
    a notice stays in its shard from build to build while the number of shards stays the same. No notices,
    no shards (and no index). A shard left empty by the hash (with over 60 notices expected in each, it
    does not happen in practice) would be no Pagefind bundle at all: then the site has one index."""
    count = _shard_count(len(notice_ids))
    members: list[list[str]] = [[] for _ in range(count)]
    for notice_id in sorted(notice_ids):
        digest = hashlib.sha256(notice_id.encode()).digest()
        members[int.from_bytes(digest[:8], "big") % count].append(notice_id)
    if not notice_ids:
        return []
    return members if all(members) else [sorted(notice_ids)]


def _shard_count(notice_count: int) -> int:
    return max(1, min(MAX_SHARDS, math.ceil(notice_count / SHARD_SIZE)))


def waits_for_workers(notice_count: int) -> bool:
    """Whether the index of a site of this many notices waits for the build's workers (see
    BESIDE_WORKERS_SHARD_MAX)."""
    return notice_count / _shard_count(notice_count) > BESIDE_WORKERS_SHARD_MAX


def shard_dir(k: int) -> str:
    return INDEX_DIR if k == 0 else f"{INDEX_DIR}/{SHARD_PREFIX}{k}"


def index(site: Path, notice_ids: list[str], *, reuse: SiteReuse | None = None, jobs: int | None = None) -> None:
    """Index the pages of `notice_ids` (written under site/notices/ID/index.html) into site/pagefind/."""
    with ShardIndexer(site, notice_ids, reuse=reuse, jobs=jobs) as indexer:
        for k in range(len(indexer.members)):
            indexer.written(k)
        indexer.finish()


class ShardIndexer:
    """The search index of a site whose notice pages are being written: the site writer writes them shard
    by shard (`members`) and calls written(k) after each shard, so that Pagefind starts on the first shard
    while the others are written (in a clean build of 1,000 notices, 1 s earlier than once all are), on the
    core the writer leaves idle. A shard whose pages are what the last output's index was made from is
    taken from there instead (linked, in a thread of its own). finish() waits for every shard and puts the
    index in place; leaving the `with` block without it (an error) stops Pagefind and keeps nothing. With
    `hold`, no Pagefind starts before release() (or finish()): shards are queued meanwhile."""

    def __init__(self, site: Path, notice_ids: list[str], *, reuse: SiteReuse | None = None,
                 jobs: int | None = None, hold: bool = False) -> None:
        self.site = site
        self.reuse = reuse or SiteReuse(None)
        self.members = shards(notice_ids)
        self.version = cachelib.code_fingerprint()  # names the installed Pagefind's version, among others
        self.work = site / f".{INDEX_DIR}-work"  # shards are written here, then moved into place
        # One Pagefind process per core, each indexing shard after shard as they come (started when its first
        # shard does: an edit that changes one shard starts one); one in all when shards are large, for
        # memory (see PARALLEL_SHARD_MAX).
        cores = jobs or os.cpu_count() or 1
        if len(self.members) * PARALLEL_SHARD_MAX < len(notice_ids):
            cores = 1
        self.processes = max(1, min(cores, len(self.members)))
        self.queue: queue.SimpleQueue[tuple[int, list[str], str] | None] = queue.SimpleQueue()
        self.indexed: list[tuple[int, str]] = []  # (k, key) of each shard Pagefind made, in work/k
        self.threads = ThreadPoolExecutor(self.processes + 1, thread_name_prefix="gazette-search")
        self.taking: list[Future] = []
        self.indexing = [self.threads.submit(self._index_as_they_come) for _ in range(self.processes)] \
            if self.members else []
        self.closed = self.aborted = False
        self.released = threading.Event()
        if not hold:
            self.released.set()

    def release(self) -> None:
        """Pagefind may start (see hold)."""
        self.released.set()

    def __enter__(self) -> "ShardIndexer":
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self._close()
            return
        self.aborted = True  # the build failed: what is still queued is not indexed, and its error is the one
        with contextlib.suppress(Exception):
            self._close()

    def written(self, k: int) -> None:
        """The pages of shard k are written: index the shard, or take it from the last output."""
        ids = self.members[k]
        key = cachelib.digest(self.version, str(len(self.members)), *(
            part for notice_id in ids for part in (notice_id, _page_digest(self.site, notice_id, self.reuse))))
        if self.reuse.recorded_folder_key(shard_dir(k)) == key:
            # checking and linking a shard's files took 0.1 s of a one-notice rebuild: not in this thread
            self.taking.append(self.threads.submit(self._take, k, ids, key))
        else:
            self.queue.put((k, ids, key))

    def _take(self, k: int, ids: list[str], key: str) -> None:
        if not self.reuse.take_folder(shard_dir(k), key, self.site, _shard_files):
            self.queue.put((k, ids, key))  # changed since it was recorded: indexed after all

    def _index_as_they_come(self) -> None:
        pagefind: _Pagefind | None = None
        try:
            while (job := self.queue.get()) is not None:
                self.released.wait()
                if self.aborted:
                    continue
                k, ids, key = job
                pagefind = pagefind or _Pagefind()
                pagefind.index(self.site, ids, self.work / str(k))
                self.indexed.append((k, key))
        finally:
            if pagefind is not None:
                pagefind.close()

    def finish(self) -> None:
        """Wait for every shard (all written first), then move the indexed ones into place."""
        self._close()
        for k, key in sorted(self.indexed):  # shard 0 first: the others go inside it
            target = self.site / shard_dir(k)
            target.parent.mkdir(parents=True, exist_ok=True)
            if k == 0 and target.exists():  # reused shards were linked into pagefind/ already
                for entry in (self.work / "0").iterdir():
                    os.replace(entry, target / entry.name)
            else:
                os.replace(self.work / str(k), target)
            self.reuse.record_folder(shard_dir(k), key, _shard_files(target))
        shutil.rmtree(self.work, ignore_errors=True)

    def _close(self) -> None:
        """No more shards: let each Pagefind finish the queue and stop, and raise the first error any met."""
        if self.closed:
            return
        self.closed = True
        self.released.set()
        try:
            for future in self.taking:  # each took its shard or queued it: before the queue's end
                future.exception()
            for _ in self.indexing:
                self.queue.put(None)
            for future in [*self.taking, *self.indexing]:
                future.result()
        finally:
            self.threads.shutdown(wait=True)


def _shard_files(folder: Path) -> dict[str, list[int]]:
    """A shard's own files (shard 0's folder holds the other shards: they are not its files)."""
    return stamps(folder, skip_dirs=lambda name: name.startswith(SHARD_PREFIX))


def _executable() -> str:
    """Pagefind's own binary, run directly rather than through `python -m pagefind_bin_extended` (an
    interpreter start for each shard)."""
    try:
        import pagefind_bin_extended

        return str(pagefind_bin_extended.get_executable())
    except (ImportError, FileNotFoundError) as exc:
        raise GazetteError(f"找不到 Pagefind（{exc}）；请确认已安装 pagefind-bin-extended（make demo 会安装）") from None


DOWNLOADS_START, DOWNLOADS_END = b'<section class="downloads"', b"</section>\n"  # templates/site/notice.html.j2


def searched_digest(page: bytes) -> str:
    """A digest of what Pagefind makes of a notice page: every byte but the downloads section's. The section
    is outside data-pagefind-body and has no data-pagefind-meta (templates/site/notice.html.j2), so the index
    is the same with it or without it (tests/test_incremental.py checks both), and a notice's page can be
    indexed before its documents, whose sizes the section shows, are made (site/writer.py write_site)."""
    start = page.rfind(DOWNLOADS_START)  # the section follows the notice text (which could not hold it anyway)
    if start >= 0:
        end = page.find(DOWNLOADS_END, start)
        page = page[:start] + page[end + len(DOWNLOADS_END):] if end >= 0 else page
    return cachelib.digest(page)


def _page_digest(site: Path, notice_id: str, reuse: SiteReuse) -> str:
    """searched_digest of a notice page: the site writer's, made as it wrote or took the page (reading every
    page again took 0.2 s of a one-notice rebuild), else from the file."""
    return reuse.page_digest(f"{NOTICES_DIR}/{notice_id}/index.html") \
        or searched_digest(_page(site, notice_id).read_bytes())


def _page(site: Path, notice_id: str) -> Path:
    return site / NOTICES_DIR / notice_id / "index.html"


ANSWER_TIMEOUT = 600  # seconds: indexing a shard takes well under one


class _Pagefind:
    """One Pagefind process in service mode (`pagefind --service`, which Pagefind's own Node and Python
    wrappers use: requests and responses are base64-encoded JSON, each followed by a comma). One process
    indexes shard after shard: a run of the command line per shard spent 0.15 s more on each (8 shards of
    1,000 notices: 2.7 s instead of 3.7 s), for the same files byte for byte."""

    def __init__(self) -> None:
        self.log = tempfile.TemporaryFile()  # Pagefind's complaints, for the error message
        try:
            self.process = subprocess.Popen([_executable(), "--service"], stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=self.log)
        except OSError as exc:  # the binary vanished or is not executable (a broken install)
            self.log.close()
            raise GazetteError(f"无法运行 Pagefind：{exc}；请确认已安装 pagefind-bin-extended") from None
        self.messages = 0
        self.received = b""

    def __enter__(self) -> "_Pagefind":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def index(self, site: Path, notice_ids: list[str], output: Path) -> None:
        index_id = self._ask({"type": "NewIndex", "config": None})["index_id"]
        # ids are [a-z0-9-] (model.Notice.id): safe inside a glob's {a,b} alternatives
        glob = f"{NOTICES_DIR}/{{{','.join(notice_ids)}}}/index.html"
        indexed = self._ask({"type": "AddDir", "index_id": index_id, "path": str(site), "glob": glob})
        if indexed.get("page_count") != len(notice_ids):
            self._fail(f"{indexed.get('page_count')} of {len(notice_ids)} pages indexed")
        # The files come back in the answer and are written here. Pagefind's own WriteFiles answers before
        # its writes have landed (tokio's File hands them to a thread), and the service exits as soon as its
        # input closes: under load a shard was left with an empty pagefind-entry.json.
        files = self._ask({"type": "GetFiles", "index_id": index_id})["files"]
        self._ask({"type": "DeleteIndex", "index_id": index_id})
        for file in files:
            if file["path"] in UNUSED:
                continue
            relative = PurePosixPath(file["path"])
            if relative.is_absolute() or ".." in relative.parts:
                self._fail(f"unexpected file {file['path']!r}")
            target = output.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(base64.b64decode(file["content"]))

    def _ask(self, payload: dict) -> dict:
        self.messages += 1
        request = json.dumps({"message_id": self.messages, "payload": payload}).encode()
        timed_out = threading.Event()

        def give_up() -> None:  # a hung Pagefind must not hang the build
            timed_out.set()
            self.process.kill()

        watchdog = threading.Timer(ANSWER_TIMEOUT, give_up)
        watchdog.start()
        try:
            self.process.stdin.write(base64.b64encode(request) + b",")
            self.process.stdin.flush()
            chunks = [self.received]  # a shard's files come in one answer of a megabyte or more
            while b"," not in chunks[-1]:
                chunk = self.process.stdout.read1(1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
            self.received = b"".join(chunks)
        except BrokenPipeError:
            pass
        finally:
            watchdog.cancel()
        if b"," not in self.received:
            code = self.process.wait()
            self._fail(f"no answer in {ANSWER_TIMEOUT} s" if timed_out.is_set() else f"exit code {code}")
        message, self.received = self.received.split(b",", 1)
        response = json.loads(base64.b64decode(message))["payload"]
        if response.get("type") == "Error":
            self._fail(str(response.get("message")))
        return response

    def _fail(self, detail: str) -> NoReturn:
        self.log.seek(0)
        lines = self.log.read().decode("utf-8", "replace").strip().splitlines()
        hint = f"{detail}: {lines[-1]}" if lines else detail
        raise GazetteError(f"建立站内搜索索引失败（Pagefind）：{hint}；请确认已安装 pagefind-bin-extended")
