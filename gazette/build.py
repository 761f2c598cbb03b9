"""The build pipeline: content folder → rendered notices → DOCX, PDF and site pages in one output folder.

    inputs   hash the content folder, the templates, gazette's code and the fonts; if they and the output
             folder are exactly as the last build left them, stop: there is nothing to do
    load     read and validate every notice (gazette/loader.py), reusing the parse cache for unchanged files;
             files that must be parsed are parsed in parallel
    render   the HTML fragment (render/html.py), DOCX (render/docx.py) and PDF (render/pdf.py) of every
             notice whose inputs changed, in parallel worker processes (gazette/workers.py), into the cache
    site     link each notice's files from the cache into a staging folder, write the site around them
             (gazette/site), and swap the staging folder in only when everything succeeded (output.py)

What is reused is decided by content hashes only (gazette/cache.py), so an incremental build writes the same
bytes as a clean one. Listings, feeds, the data export and the search index depend on every notice and are
always written again; they are cheap next to the documents.
"""

from __future__ import annotations

import gc
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from gazette import cache as cachelib

if TYPE_CHECKING:  # the no-op path imports none of these (pydantic, ruamel, Jinja)
    from concurrent.futures import ProcessPoolExecutor

    from gazette.loader import Content
    from gazette.model import Notice, Site
    from gazette.workers import Parsed, RenderTask, SummaryTask

ALL_FORMATS = ("html", "docx", "pdf")
DOCUMENT_FORMATS = ("docx", "pdf")
# Below this many files to parse, a pool costs more (fork, imports) than it saves.
PARALLEL_PARSE_MIN = 16
# HTML fragments take about a millisecond each: only many of them, in chunks, are worth sending to workers (and
# only when the workers have no documents to typeset: then this process renders them meanwhile).
PARALLEL_FRAGMENTS_MIN = 200
# A worker is replaced after this many renders: WeasyPrint's caches are released by gc between renders
# (render_pdf), and recycling bounds whatever a long run still accumulates.
TASKS_PER_WORKER = 200


class Reporter(Protocol):
    """What a build tells whoever watches it (gazette/progress.py draws it)."""

    def stage(self, name: str, detail: str) -> None: ...

    def start_rendering(self, totals: dict[str, int]) -> None: ...

    def rendered(self, fmt: str, notice_id: str, seconds: float) -> None: ...


class _Silent:
    def stage(self, name: str, detail: str) -> None:
        pass

    def start_rendering(self, totals: dict[str, int]) -> None:
        pass

    def rendered(self, fmt: str, notice_id: str, seconds: float) -> None:
        pass


@dataclass
class BuildReport:
    notices: int = 0
    files: dict[str, int] = field(default_factory=dict)  # format → files in the output
    built: dict[str, int] = field(default_factory=dict)  # format → rendered by this build
    reused: dict[str, int] = field(default_factory=dict)  # format → taken unchanged from the cache
    parsed: int = 0  # notice files parsed (the rest came from the parse cache)
    unchanged: bool = False  # nothing had changed: the output was left as it was
    seconds: float = 0.0
    reusable: dict = field(default_factory=dict)  # site pages and search shards written (site/reuse.py)
    pages_reused: int = 0  # site pages taken unchanged from the last output
    tree: str | None = None  # the output's fingerprint once written (cache.output_fingerprint)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def build(content_root: Path, output: Path, *, formats: tuple[str, ...] = ALL_FORMATS, jobs: int | None = None,
          clean: bool = False, reporter: Reporter | None = None) -> BuildReport:
    """Build everything; raises ContentErrors for content mistakes and GazetteError for other problems.
    The output folder is replaced only when the whole build succeeded. `clean` ignores the cache (and
    refills it)."""
    from gazette.output import output_lock

    started = time.perf_counter()
    reporter = reporter or _Silent()
    formats = tuple(f for f in ALL_FORMATS if f in formats)
    jobs = max(1, jobs or default_jobs())
    content_root = content_root.resolve() if content_root.exists() else content_root
    cache = cachelib.BuildCache.beside(output)
    with output_lock(output), _fewer_collections():
        inputs = Inputs.of(content_root, formats)
        if not clean and _unchanged(cache, output, inputs):
            reporter.stage("检查", "没有变化，输出保持不变（nothing changed）")
            return BuildReport(unchanged=True, seconds=time.perf_counter() - started)
        # What the last build wrote, with the keys it was made from: unchanged pages are reused.
        reusable = {} if clean else cache.read_state(output).get("reusable", {})
        cache.forget_state(output)  # from here on the output may change: never trust the old state
        report = _build(content_root, output, formats, jobs, clean, cache, inputs, reporter, reusable)
        cache.write_state(output, {"inputs": inputs.key, "tree": report.tree, "reusable": report.reusable})
        cache.save()
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """A build holds every notice in memory, hundreds of thousands of objects that live until it ends; with
    Python's default thresholds the collector went over them again and again (0.1 s of a one-notice rebuild
    at 1,000 notices). Workers go back to the defaults (gazette/workers.py init). What _Workers froze before
    forking is collectable again once the build is over (`gazette serve` builds again and again)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


# --- inputs and the no-op check ----------------------------------------------------------------------------

@dataclass
class Inputs:
    """Fingerprints of everything a build reads."""

    code: str  # gazette's source and the installed packages
    content: str  # every file in the content folder (notices, site.yaml, images, local templates)
    templates: str  # the shipped templates
    fonts: str
    key: str  # all of the above, the formats and the build date

    @classmethod
    def of(cls, content_root: Path, formats: tuple[str, ...]) -> "Inputs":
        code = cachelib.code_fingerprint()
        content = cachelib.tree_fingerprint([content_root])
        templates = cachelib.tree_fingerprint([cachelib.TEMPLATES_DIR])
        fonts = cachelib.fonts_fingerprint()
        key = cachelib.digest(code, content, templates, fonts, ",".join(formats), _build_day())
        return cls(code, content, templates, fonts, key)


def _build_day() -> str:
    """Site pages say whether a 公示期 is current as of the build date (gazette/site/builddate.py:
    SOURCE_DATE_EPOCH, else the clock), so a new day is a new build. Computed here without importing the
    site package; it changes at least whenever that date does (UTC and Beijing dates both count)."""
    import datetime as dt

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    now = dt.datetime.now(dt.timezone.utc)
    return f"{epoch}|{now.date()}|{(now + dt.timedelta(hours=8)).date()}"


def _unchanged(cache: cachelib.BuildCache, output: Path, inputs: Inputs) -> bool:
    state = cache.read_state(output)
    return (bool(state) and state.get("inputs") == inputs.key
            and state.get("tree") == cachelib.output_fingerprint(output))


# --- the build ---------------------------------------------------------------------------------------------

def _build(content_root: Path, output: Path, formats: tuple[str, ...], jobs: int, clean: bool,
           cache: cachelib.BuildCache, inputs: Inputs, reporter: Reporter,
           reusable: dict) -> BuildReport:
    from gazette.loader import load_site
    from gazette.output import staging_folder
    from gazette.site.pages import NOTICES_DIR

    t = time.perf_counter()
    site, site_source = load_site(content_root)
    site_digest = cachelib.digest(site_source.text)
    with _Workers(content_root, site, cache, formats, jobs) as workers:
        content, parsed, parse_keys = load(content_root, site, cache, workers, inputs.code, site_digest, clean)
        report = BuildReport(notices=len(content.notices), parsed=parsed)
        reporter.stage("读取", f"{len(content.notices)} 个公示，解析 {parsed} 个（其余未变），"
                               f"{time.perf_counter() - t:.1f} 秒")
        keys = document_keys(content, inputs, site_digest)
        tasks = render_tasks(content, keys, parse_keys, formats, cache, clean, report)
        summaries = summary_tasks(content, formats, output, keys, parse_keys, clean)
        render_started = time.perf_counter()
        reporter.start_rendering({**{fmt: sum(1 for task in tasks if task.fmt == fmt) for fmt in formats},
                                  "summary": len(summaries)})
        for fmt, notice_id, seconds in workers.run_render(tasks, summaries):
            reporter.rendered(fmt, notice_id, seconds)
        workers.release_if_idle()
        waiting = workers.pending_notices()
        for task in tasks:
            if task.notice.id not in waiting:
                cache.record_object(task.key, task.fmt)

        def documents_done(end_workers: bool = False) -> None:
            for fmt, notice_id, seconds in workers.finish_documents():
                reporter.rendered(fmt, notice_id, seconds)
            for task in tasks:
                if task.notice.id in waiting:
                    cache.record_object(task.key, task.fmt)
            if tasks:
                reporter.stage("渲染", f"{len(tasks)} 个文件，{time.perf_counter() - render_started:.1f} 秒")
            if end_workers:  # their memory goes before Pagefind's comes (site/search.py waits_for_workers)
                workers.end_after_summaries()

        def summaries_done() -> None:
            # Called when everything but the 一览表 is written: while the workers finish those (the longest
            # documents), this process, idle otherwise, does the end of the build's bookkeeping early.
            cache.save()  # every notice's object is made and recorded; the build's last save does nothing
            if (staging / NOTICES_DIR).is_dir():  # complete: pages, documents, charts, seals
                walked[NOTICES_DIR] = cachelib.output_stamps(staging / NOTICES_DIR, staging)
            for fmt, name, seconds in workers.finish_summaries():
                reporter.rendered(fmt, name, seconds)
            workers.release_if_idle()

        write_started = time.perf_counter()
        # Written while the workers may still typeset documents: the site writer waits for a notice's
        # (documents_done) only before its own page, and for the 一览表 documents (summaries_done) only before the
        # pages that link them. The replaced output is deleted after the build has returned (deleting 1,000
        # notices' folders took longer than the rest of a one-notice rebuild).
        walked: dict[str, list[str]] = {}
        with staging_folder(output, delete_old_later=True) as staging:
            write_output(content, keys, formats, cache, staging, output, report, reusable,
                         Pending(waiting, documents_done, summaries_done))
    report.tree = cachelib.output_fingerprint(output, walked)
    reporter.stage("写出", f"网站与文件 {sum(report.files.values())} 个，{time.perf_counter() - write_started:.1f} 秒")
    return report


def load(content_root: Path, site: "Site", cache: cachelib.BuildCache, workers: "_Workers", code: str,
         site_digest: str, clean: bool) -> tuple["Content", int, dict[str, str]]:
    """Every notice, validated, as loader.load_content returns them (and with the same errors), reusing
    the parse cache; the checks across files are the loader's own (assemble_content). Also how many files
    were parsed, and each notice's key in the parse cache (notice id → key)."""
    from gazette.errors import ContentError
    from gazette.loader import assemble_content, notice_files

    paths = notice_files(content_root)
    keys = {path: cachelib.digest(code, site_digest, path.read_bytes()) if path.is_file() else "" for path in paths}
    found: dict[Path, Parsed] = {}
    real_folders: dict[str, str] = {}
    for path in paths:
        entry = None if clean or not keys[path] else cache.get_parsed(keys[path])
        if entry is not None and _still_valid(entry, path, site, content_root, real_folders):
            found[path] = entry
    missing = [p for p in paths if p not in found]
    errors: list[ContentError] = []
    try:
        for path, (data, file_errors) in zip(missing, workers.run_parse(missing)):
            errors.extend(file_errors)
            if data is not None:
                found[path] = pickle.loads(data)
                cache.put_parsed(keys[path], data)
    finally:
        cache.flush()  # before the workers may be forked again, and read what they render from the cache
    # The build holds every notice until it ends, and needs no notice's text: 50 MB at 10,000 notices.
    loaded = {path: (entry.notice, entry.source(path, keep_text=False)) for path, entry in found.items()}
    found.clear()
    content = assemble_content(content_root, site, paths, loaded, errors)
    _give_back_freed_memory()
    return content, len(missing), {n.id: keys[content.source_of(n).path] for n in content.notices}


def _give_back_freed_memory() -> None:
    """Return to the system what loading freed (each notice's text, the pickled bytes): glibc keeps freed
    memory for reuse otherwise, and the build holds its notices, in the same heap, until it ends."""
    import ctypes
    import sys

    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
            pass


def _still_valid(entry: "Parsed", path: Path, site: "Site", root: Path, real_folders: dict[str, str]) -> bool:
    """A cached notice is valid for the same bytes and site.yaml, except for what the loader checks on the
    file system: the file must still be inside the content folder and the files it names must still exist."""
    from gazette.loader import check_against_site, check_inside

    try:
        check_inside(path, root, real_folders)
    except Exception:
        return False
    if entry.notice.signature and entry.notice.signature.seal:
        return not check_against_site(entry.notice, entry.source(path), site, root)
    return True


def notice_dependencies(notice: "Notice") -> list[str]:
    """Files other than its own YAML that a notice's documents are made from (relative to the content
    folder). Their bytes are part of the notice's key."""
    deps = []
    if notice.signature and notice.signature.seal:
        deps.append(notice.signature.seal)
    return deps


def document_keys(content: "Content", inputs: Inputs, site_digest: str) -> dict[str, str]:
    """notice id → the key of its fragment, DOCX and PDF: its file, the files it names, site.yaml, the
    document templates (not the site's), the fonts and gazette's code."""
    from gazette.render.html import template_dirs

    labelled = [("shipped" if d.resolve() == cachelib.TEMPLATES_DIR.resolve() else "local", d)
                for d in template_dirs(content.root)]
    doc_templates = cachelib.tree_fingerprint(labelled, include=lambda rel: not rel.startswith("site/"))
    common = cachelib.digest(inputs.code, site_digest, doc_templates, inputs.fonts)
    keys = {}
    for notice in content.notices:
        source = content.source_of(notice)
        parts = [common, source.path.read_bytes()]
        for dep in notice_dependencies(notice):
            parts += [dep, (content.root / dep).read_bytes()]
        keys[notice.id] = cachelib.digest(*parts)
    return keys


def render_tasks(content: "Content", keys: dict[str, str], parse_keys: dict[str, str], formats: tuple[str, ...],
                 cache: cachelib.BuildCache, clean: bool, report: BuildReport) -> list["RenderTask"]:
    """What must be rendered: every format of every notice whose object is not in the cache. PDFs first, the
    longest tasks, so that the workers finish together."""
    from gazette.workers import RenderTask

    tasks = []
    for fmt in sorted(formats, key=lambda f: ("pdf", "docx", "html").index(f)):
        for notice in content.notices:
            key = keys[notice.id]
            if not clean and cache.has_object(key, fmt):
                report.reused[fmt] = report.reused.get(fmt, 0) + 1
                continue
            tasks.append(RenderTask(fmt, notice, content.source_of(notice), key, parse_keys[notice.id]))
            report.built[fmt] = report.built.get(fmt, 0) + 1
    return tasks


def summary_tasks(content: "Content", formats: tuple[str, ...], output: Path, keys: dict[str, str],
                  parse_keys: dict[str, str], clean: bool) -> list["SummaryTask"]:
    """The 整改情况一览表 documents (DOCX, PDF: one per inspection batch) not yet in the summary cache (all of
    them for a clean build). They are typeset by the workers beside the notices, not one after another by the
    site writer."""
    if "html" not in formats:  # no site, no 一览表 pages
        return []
    from gazette.loader import Content
    from gazette.site.writer import summary_cache_dir, summary_documents
    from gazette.workers import SummaryTask

    cache_dir = summary_cache_dir(output)
    tasks = []
    for document in summary_documents(content, formats, cache_dir, keys):
        if clean or not document.path.exists():
            notices = document.batch.notices
            batch_content = Content(root=content.root, site=content.site, notices=notices)
            tasks.append(SummaryTask(batch_content, document, not clean,  # --clean typesets every table again
                                     [parse_keys[notice.id] for notice in notices]))
    return tasks


@dataclass
class Pending:
    """What the workers may still be making while the output is written, and how to wait for it."""

    notices: frozenset[str]  # ids of the notices whose DOCX or PDF is not made yet
    # returns when every notice's documents are made (and recorded); with True, once the workers have ended too
    documents_done: Callable[[bool], None]
    summaries_done: Callable[[], None]  # returns when the 一览表 documents are made


def write_output(content: "Content", keys: dict[str, str], formats: tuple[str, ...], cache: cachelib.BuildCache,
                 staging: Path, previous: Path, report: BuildReport, reusable: dict, pending: Pending) -> None:
    from gazette.render.html import RenderedNotice, chart_files
    from gazette.site import Download, NoticePage, notice_dir, write_site
    from gazette.site.reuse import SiteReuse

    def add_documents(page: NoticePage) -> None:
        key = page.key
        folder = notice_dir(staging, page.notice)
        for fmt in DOCUMENT_FORMATS:
            if fmt in formats:
                name = f"{page.notice.id}.{fmt}"
                cache.link_object(key, fmt, folder / name)
                page.downloads.append(Download(fmt.upper(), name, cache.object_size(key, fmt)))
                report.files[fmt] = report.files.get(fmt, 0) + 1

    if "html" not in formats:  # no pages to write meanwhile
        pending.documents_done()
        pending = Pending(frozenset(), pending.documents_done, pending.summaries_done)
    pages = []
    for notice in content.notices:
        key = keys[notice.id]
        rendered = _FragmentInCache(notice, cache, key) if "html" in formats else RenderedNotice(notice, "")
        page = NoticePage(rendered, key=key)
        folder = notice_dir(staging, notice)
        folder.mkdir(parents=True, exist_ok=True)
        if "html" in formats:  # the page shows its charts as SVG files beside it
            for name, data in chart_files(notice).items():
                (folder / name).write_bytes(data)
        if notice.id not in pending.notices:
            add_documents(page)
        pages.append(page)

    def documents_done(end_workers: bool = False) -> None:
        pending.documents_done(end_workers)
        for page in pages:
            if page.notice.id in pending.notices:
                add_documents(page)

    if "html" in formats:
        reuse = SiteReuse(previous if previous.is_dir() else None, reusable)
        report.files["html"] = write_site(content, pages, staging, previous=previous, reuse=reuse,
                                          waiting=pending.notices, documents_done=documents_done,
                                          summaries_done=pending.summaries_done)
        report.reusable, report.pages_reused = reuse.written, reuse.pages_taken


class _FragmentInCache:
    """A notice's rendering whose HTML fragment stays in the build cache until a page is written with it: all
    of them at once were 68 MB at 10,000 notices, and a page taken unchanged from the last output never needs
    it. Used where the site expects a render.html.RenderedNotice."""

    def __init__(self, notice: "Notice", cache: cachelib.BuildCache, key: str) -> None:
        self.notice = notice
        self._read = cache.text_object_reader(key, "html")

    @property
    def html(self) -> str:
        return self._read()


# --- workers -----------------------------------------------------------------------------------------------

class _Workers:
    """Worker processes, started as soon as the site settings are known so that they import the renderers
    while this process loads the notices. With one job, or for work too small to share, tasks run here.

    concurrent.futures rather than multiprocessing.Pool: when a worker dies (killed for memory, a crash in a
    C library) the build fails with an error instead of waiting forever for the lost task. Workers are forked
    (direct children, so they die with the build: see workers._die_with_parent) and replaced by a fresh pool
    every TASKS_PER_WORKER tasks each, which bounds what WeasyPrint accumulates over thousands of renders."""

    def __init__(self, root: Path, site: "Site", cache: cachelib.BuildCache, formats: tuple[str, ...], jobs: int):
        self.args = (root, site, cache.root, formats)
        # Forking a process that runs other threads (`gazette serve` rebuilds beside its web server) can
        # leave a worker waiting forever on a lock one of those threads held: such a caller renders here.
        self.jobs = jobs if threading.active_count() == 1 else 1
        self.pool: ProcessPoolExecutor | None = None
        self.submitted = 0  # tasks given to the current pool
        self.summaries: list[Any] = []  # 一览表 documents started by run_render, for finish_summaries
        self.documents: list[tuple[str, Any]] = []  # (notice id, future) of the last pool's, for finish_documents
        self.local_ready = False
        # Start early only when there are documents to render: an HTML-only build is too short to gain.
        if jobs > 1 and any(f in formats for f in DOCUMENT_FORMATS):
            self._pool()

    def __enter__(self) -> "_Workers":
        return self

    def __exit__(self, *exc: object) -> None:
        self._retire()

    def _pool(self) -> "ProcessPoolExecutor":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from gazette import workers

        if self.pool is not None and self.submitted >= TASKS_PER_WORKER * self.jobs:
            self._retire()
        if self.pool is None:
            # A forked worker shares this process's memory until either writes to it, and a collection writes
            # into every object it visits: the first one in a worker (workers.init) copied the whole inherited
            # heap, the notices included (450 MB of private memory in each worker at 10,000 notices). Frozen
            # objects are never visited, here or in the workers, and the notices live as long as the build.
            gc.freeze()
            # fork: no interpreter start or imports per worker; this process runs no threads of its own
            # (the progress display redraws from this thread), and the executor forks before starting its.
            self.pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("fork"),
                                            initializer=workers.init, initargs=(*self.args, True))
            # The executor forks its workers at the first submit, not when it is made: submit at once, so
            # that they warm up (import WeasyPrint, read the fonts) while this process loads the notices.
            self.pool.submit(os.getpid)
            self.submitted = 0
        return self.pool

    def _retire(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _local(self):
        from gazette import workers

        if not self.local_ready:
            # no formats: the renderers are imported when first used, not to warm up this process while it
            # parses a changed file (that cost a one-notice rebuild WeasyPrint's import, 0.8 s, up front)
            workers.init(*self.args[:3], ())
            self.local_ready = True
        return workers

    def run_parse(self, paths: list[Path]) -> Iterator[tuple[bytes | None, list]]:
        """workers.parse of each file, in order."""
        from gazette import workers

        if self.jobs > 1 and len(paths) >= PARALLEL_PARSE_MIN:
            pool = self._pool()
            self.submitted += len(paths) // 10  # parsing grows a worker far less than rendering
            return _broken_pool_is_an_error(pool.map(workers.parse, paths, chunksize=8))
        local = self._local()
        return (local.parse(path) for path in paths)

    def run_render(self, tasks: list["RenderTask"], summaries: list["SummaryTask"] = ()) \
            -> Iterator[tuple[str, str, float]]:
        """Render the notices' tasks; yields (format, notice id, seconds) as each is done. The 一览表 documents
        (summary_tasks) are started too, first, and finish_summaries() waits for them; the last pool's notice
        documents are left to finish_documents(): the site can be written meanwhile. HTML fragments (about a
        millisecond each, less than sending one to a worker and back) are rendered in this process while the
        workers typeset the documents."""
        from concurrent.futures import as_completed

        from gazette import workers

        here = [task for task in tasks if task.fmt == "html"]
        # The 一览表 PDFs first: longer than a notice's PDF, and few, they must not be the last to finish. All in
        # one task, so one after the other in one worker: WeasyPrint holds a table's whole layout, and two
        # tables of 170 rows (10,000 notices) laid out at once took 480 MB in each of two workers. Their DOCX
        # (quick) last: the notices' documents, which their pages wait for, start before.
        tables = [task for task in summaries if task.document.fmt == "pdf"]
        calls = [(workers.summaries, (tables,))] if tables else []
        calls += [(workers.render, (task,)) for task in tasks if task.fmt != "html"]
        calls += [(workers.summaries, ([task],)) for task in summaries if task.document.fmt != "pdf"]
        self.summaries, self.documents = [], []
        if not calls and self.jobs > 1 and len(here) >= PARALLEL_FRAGMENTS_MIN:  # an HTML-only build
            pool = self._pool()
            self.submitted += len(here) // 10  # a fragment grows a worker far less than a document
            yield from _broken_pool_is_an_error(pool.map(workers.render, here, chunksize=32))
            return
        local = self._local() if tasks else None
        if self.pool is None and (self.jobs == 1 or len(calls) <= 1):
            self.summaries = [(function, args) for function, args in calls if function is workers.summaries]
            for function, args in calls:
                if function is workers.render:
                    yield local.render(*args)
            yield from (local.render(task) for task in here)
            return
        remaining = calls
        while remaining:
            pool = self._pool()
            room = max(1, TASKS_PER_WORKER * self.jobs - self.submitted)
            batch, remaining = remaining[:room], remaining[room:]
            self.submitted += len(batch)
            futures = [(function, pool.submit(function, *args)) for function, args in batch]
            yield from (local.render(task) for task in here)  # this process's share, beside the workers
            here = []
            if not remaining:  # the last pool: its documents may finish while the site is written
                self.summaries = [future for function, future in futures if function is workers.summaries]
                self.documents = [(args[0].notice.id, future) for (function, future), (_, args)
                                  in zip(futures, batch) if function is workers.render]
                futures = []
            yield from _broken_pool_is_an_error(_results(as_completed(f for _, f in futures)))
        yield from (local.render(task) for task in here)

    def release_if_idle(self) -> None:
        """Stop the workers once nothing is left for them to make: idle, each still holds its memory (the
        notices it parsed, WeasyPrint's caches), and the end of a build is when Pagefind needs its own. An
        HTML-only build of 5,000 notices peaked at 949 MB (PSS) with two idle workers, at 692 MB without."""
        if not self.documents and not self.summaries:
            self._retire()

    def end_after_summaries(self) -> None:
        """Wait for the 一览表 documents the workers are making (finish_summaries takes their results later),
        then end the workers."""
        from concurrent.futures import Future, wait

        wait([item for item in self.summaries if isinstance(item, Future)])
        if not self.documents:
            self._retire()

    def pending_notices(self) -> frozenset[str]:
        """The notices whose documents run_render left to finish_documents."""
        return frozenset(notice_id for notice_id, _ in self.documents)

    def finish_documents(self) -> Iterator[tuple[str, str, float]]:
        """Wait for the notices' documents run_render left in the workers, as each is done."""
        from concurrent.futures import as_completed

        pending, self.documents = self.documents, []
        yield from _broken_pool_is_an_error(future.result() for future in as_completed(f for _, f in pending))

    def finish_summaries(self) -> Iterator[tuple[str, str, float]]:
        """Wait for the 一览表 documents run_render started (or, without workers, make them here)."""
        from concurrent.futures import Future

        pending, self.summaries = self.summaries, []
        for item in pending:
            if isinstance(item, Future):
                yield from _broken_pool_is_an_error(_results([item]))
            else:
                function, args = item
                yield from function(*args)


def _results(futures: Iterable[Any]) -> Iterator[tuple[str, str, float]]:
    """What each finished task made: (format, name, seconds), several for a 一览表 task (workers.summaries)."""
    for future in futures:
        result = future.result()
        yield from result if isinstance(result, list) else (result,)


def _broken_pool_is_an_error(results: Iterator[Any]) -> Iterator[Any]:
    from concurrent.futures.process import BrokenProcessPool

    from gazette.errors import GazetteError

    try:
        yield from results
    except BrokenProcessPool:
        raise GazetteError("一个渲染进程意外退出（内存不足或被终止？），未替换输出文件夹；可用 --jobs 1 重试"
                           "（A worker process died）") from None
