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
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
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
# notices in a shard, shards are indexed by one process instead of one per core, so that a province's build
# stays under 1 GB (the build's own process holds about 40 KB per notice).
PARALLEL_SHARD_MAX = 2 * SHARD_SIZE
# Pagefind's ready-made search interfaces: the site has its own (assets/search.js), so these 400 kB go.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


def shards(notice_ids: list[str]) -> list[list[str]]:
    """The notices of each shard, by a stable hash of the id (Python's hash() changes per process), so that
    a notice stays in its shard from build to build while the number of shards stays the same. No notices,
    no shards (and no index). A shard left empty by the hash (with over 60 notices expected in each, it
    does not happen in practice) would be no Pagefind bundle at all: then the site has one index."""
    count = max(1, min(MAX_SHARDS, math.ceil(len(notice_ids) / SHARD_SIZE)))
    members: list[list[str]] = [[] for _ in range(count)]
    for notice_id in sorted(notice_ids):
        digest = hashlib.sha256(notice_id.encode()).digest()
        members[int.from_bytes(digest[:8], "big") % count].append(notice_id)
    if not notice_ids:
        return []
    return members if all(members) else [sorted(notice_ids)]


def shard_dir(k: int) -> str:
    return INDEX_DIR if k == 0 else f"{INDEX_DIR}/{SHARD_PREFIX}{k}"


def index(site: Path, notice_ids: list[str], *, reuse: SiteReuse | None = None, jobs: int | None = None) -> None:
    """Index the pages of `notice_ids` (written under site/notices/ID/index.html) into site/pagefind/."""
    reuse = reuse or SiteReuse(None)
    members = shards(notice_ids)
    version = cachelib.code_fingerprint()  # names the installed Pagefind's version, among others
    shard_jobs = [(k, ids, cachelib.digest(version, str(len(members)), *(
        part for notice_id in ids for part in (notice_id, _page_digest(site, notice_id, reuse)))))
        for k, ids in enumerate(members)]
    work = site / f".{INDEX_DIR}-work"  # shards are written here, then moved into place: shard 0 holds the rest
    # Pagefind starts first on the shards that changed; the others are linked from the last output meanwhile
    # (checking and linking their files took 0.1 s of a one-notice rebuild), or indexed too where that fails.
    likely = [job for job in shard_jobs if reuse.recorded_folder_key(shard_dir(job[0])) == job[2]]
    todo = [job for job in shard_jobs if job not in likely]
    # One Pagefind process per core, each indexing its share of the shards one after the other; one in all
    # when shards are large, for memory (see PARALLEL_SHARD_MAX).
    cores = jobs or os.cpu_count() or 1
    if len(members) * PARALLEL_SHARD_MAX < len(notice_ids):
        cores = 1
    processes = max(1, min(cores, len(todo)))
    with ThreadPoolExecutor(max(1, min(cores, len(shard_jobs)))) as pool:
        running = [pool.submit(_index_shards, site, todo[first::processes], work) for first in range(processes)
                   if todo[first::processes]]
        for job in likely:
            if not reuse.take_folder(shard_dir(job[0]), job[2], site, _shard_files):
                todo.append(job)
                running.append(pool.submit(_index_shards, site, [job], work))
        for future in running:
            future.result()
    if not todo:
        return
    for k, _, key in sorted(todo, key=lambda job: job[0]):  # shard 0 first: the others go inside it
        target = site / shard_dir(k)
        target.parent.mkdir(parents=True, exist_ok=True)
        if k == 0 and target.exists():  # reused shards were linked into pagefind/ already
            for entry in (work / "0").iterdir():
                os.replace(entry, target / entry.name)
        else:
            os.replace(work / str(k), target)
        reuse.record_folder(shard_dir(k), key, _shard_files(target))
    shutil.rmtree(work, ignore_errors=True)


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


def _index_shards(site: Path, jobs: list[tuple[int, list[str], str]], work: Path) -> None:
    """Index each shard (k, notice ids, key) into work/k, in one Pagefind process."""
    with _Pagefind() as pagefind:
        for k, notice_ids, _ in jobs:
            pagefind.index(site, notice_ids, work / str(k))


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
