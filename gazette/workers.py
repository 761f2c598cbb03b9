"""The work a build hands to other processes: parsing notice files, rendering one format of one notice, and
typesetting the 一览表 documents.

Each runs either in a worker of a multiprocessing pool (`gazette build --jobs N`) or in the build's own process
(`--jobs 1`, or when there is too little work to be worth a pool). A task carries what it needs and is
picklable: a path to parse (the parsed notice comes back pickled, and the build keeps those bytes in the
parse cache), or a notice to render, which goes as its key in that cache. The site settings are sent once,
to `init`. A worker writes what it renders into the cache's objects folder under a temporary name and moves
it into place, so the main process reads finished files only.

WeasyPrint and python-docx are imported here, in the workers, never in the main process: the main process
stays small (it holds every notice), and `gazette --help` and `gazette check` never pay for them.
"""

from __future__ import annotations

import ctypes
import dataclasses
import gc
import os
import pickle
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gazette.cache import BuildCache
from gazette.errors import ContentError, ContentErrors
from gazette.loader import Content, SourceFile, load_notice
from gazette.model import Notice, Site


@dataclass
class Parsed:
    """A validated notice as the parse cache keeps it: the model and the text it came from."""

    notice: Notice
    text: str
    encoding: str

    def source(self, path: Path, keep_text: bool = True) -> SourceFile:
        # data (the round-trip YAML tree) is not kept: only error messages need positions, and a cached notice
        # had no errors. Code that needs it re-reads the file (see loader.assemble_content). Without
        # keep_text, neither is the text (SourceFile reads it again if asked).
        return SourceFile(path=path, text=self.text if keep_text else None, data=None, encoding=self.encoding)


@dataclass
class RenderTask:
    fmt: str  # html (the notice's HTML fragment), docx or pdf
    notice: Notice | None  # None in a worker until _resolve
    source: SourceFile
    key: str
    parsed: str = ""  # the notice's key in the parse cache, where it is kept: see __getstate__

    def __getstate__(self) -> dict:
        # Sent to a worker, a notice that is in the parse cache goes as its key, and the worker reads it from
        # there (_resolve): pickling it here would leave a UTF-8 copy of each of its strings in the build's
        # process (pickle keeps one inside each str it writes) for as long as the build holds the notice.
        if not self.parsed:
            return dict(self.__dict__)
        # Field by field, the notice left out: copying __dict__ would touch the notice (its reference count),
        # and a page of the build's memory written to after the workers were forked is copied, one per notice.
        state = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "notice"}
        return {**state, "notice": None, "source": SourceFile(self.source.path, "")}

    def _resolve(self) -> None:
        if self.notice is None:
            entry = _parsed(self.parsed, self.source.path)
            self.notice, self.source = entry.notice, entry.source(self.source.path)


@dataclass
class SummaryTask:
    """A batch's 整改情况一览表 document to typeset (gazette/site/writer.py make_summary_document). Sent to a
    worker, its notices go as their keys in the parse cache, as a RenderTask's does."""

    content: Content  # the batch's notices
    document: Any  # site.writer.SummaryDocument, whose batch holds the same notices
    reuse: bool  # take a document typeset from the same table before (false for --clean)
    parsed: list[str]  # the parse cache key of each of content.notices, in order

    def __getstate__(self) -> dict:
        content = dataclasses.replace(self.content, notices=[])
        document = dataclasses.replace(self.document, batch=dataclasses.replace(self.document.batch, notices=[]))
        return {**self.__dict__, "content": content, "document": document}

    def _resolve(self) -> None:
        if self.parsed and not self.content.notices:
            notices = [_parsed(key, None).notice for key in self.parsed]
            self.content.notices = notices
            self.document.batch.notices = notices


def _parsed(key: str, path: Path | None) -> Parsed:
    assert _cache is not None, "init() first"
    entry = _cache.get_parsed(key)
    if entry is None:  # the cache folder was deleted while the build ran
        from gazette.errors import GazetteError

        where = f"（{path.name}）" if path else ""
        raise GazetteError(f"构建缓存中的公示解析结果{where}在构建期间被删除，请重新构建（parse cache entry missing）")
    return entry


DEFAULT_GC_THRESHOLDS = (700, 10, 10)  # Python's

_root: Path | None = None
_site: Site | None = None
_cache: BuildCache | None = None
_in_pool = False
_formats_rendered: set[str] = set()  # document formats this worker has rendered at least once


def init(root: Path, site: Site, cache_root: Path, formats: tuple[str, ...], in_pool: bool = False) -> None:
    """Set up a worker. Importing the renderers here, while the main process is still loading content,
    takes WeasyPrint's 0.4 s import off the critical path of a one-notice rebuild."""
    global _root, _site, _cache, _in_pool
    _in_pool = in_pool
    _formats_rendered.clear()
    if in_pool:  # not in the build's own process, which must outlive its shell as any command does
        _die_with_parent()
        gc.set_threshold(*DEFAULT_GC_THRESHOLDS)  # forked from a build that raised them for its own objects
    _root, _site, _cache = root, site, BuildCache(cache_root)
    # The Jinja environment is cached per template folder list, and Jinja checks only the file it loaded for
    # changes: a template added to content/templates/ since the last build in this process would be missed.
    from gazette.render.html import environment

    environment.cache_clear()
    from gazette import charts

    # Chart PNGs are kept in the build cache: a notice's DOCX and PDF draw its chart once, and a fresh worker
    # whose charts did not change never imports CairoSVG (0.3 s).
    charts.use_cache(cache_root / "charts")
    if "pdf" in formats:
        from gazette.render import pdf

        pdf.font_configuration.cache_clear()
        if in_pool:  # a worker warms up while the main process loads the notices
            pdf.warm_up(site)
    if "docx" in formats:
        from gazette.render import docx

        if in_pool:
            docx._blank_document(site.fonts.model_dump_json())
    if in_pool:
        # Everything imported so far lives as long as the worker: keep it out of the collections that
        # render_pdf runs after every PDF (a full collection over WeasyPrint's modules costs 30 ms).
        gc.collect()  # the warm-up's garbage is not frozen with them
        gc.freeze()


def _die_with_parent() -> None:
    """A worker must not outlive a build that was killed (kill -9, OOM): it would go on rendering for
    nothing, and a forked worker shares the build's output lock, so the next build would be refused.
    Linux's PR_SET_PDEATHSIG ends it with its parent; elsewhere the pool's own shutdown has to do."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl: no signal will come
        os._exit(1)


def _after_first_document() -> None:
    """After a worker's first document of a format, what the render imported and cached for good (pikepdf,
    PIL, python-docx's template, WeasyPrint's fonts) joins the frozen objects too: the collection render_pdf
    runs after every PDF then takes 3 ms, not 10."""
    if _in_pool:
        gc.collect()
        gc.freeze()


def parse(path: Path) -> tuple[bytes | None, list[ContentError]]:
    """Read and validate one notice file; the Parsed entry comes back pickled, as the parse cache keeps it
    (cache.put_parsed: the build never pickles a notice itself). Errors are returned, not raised, so the
    build can report every error of every file in file order."""
    assert _site is not None and _root is not None, "init() first"
    try:
        notice, source = load_notice(path, _site, _root)
    except ContentErrors as exc:
        return None, exc.errors
    return pickle.dumps(Parsed(notice, source.text, source.encoding), protocol=pickle.HIGHEST_PROTOCOL), []


def render(task: RenderTask) -> tuple[str, str, float]:
    """Render one format of one notice into the cache. Returns (format, notice id, seconds)."""
    from gazette.render.html import render_notice

    assert _cache is not None and _site is not None and _root is not None, "init() first"
    started = time.perf_counter()
    task._resolve()
    notice = task.notice
    content = Content(root=_root, site=_site, notices=[notice], sources={notice.id: task.source})
    rendered = render_notice(notice, content)
    target = _cache.new_object_target(task.key, task.fmt)
    try:
        if task.fmt == "html":
            target.write_bytes(rendered.html.encode("utf-8"))
        elif task.fmt == "docx":
            from gazette.render.docx import render_docx

            render_docx(rendered, content, target)
        elif task.fmt == "pdf":
            from gazette.render.pdf import render_pdf

            render_pdf(rendered, content, target, source_yaml=task.source.path.read_bytes())
        else:
            raise ValueError(f"unknown format {task.fmt}")
        _cache.commit_object(target, task.key, task.fmt)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if task.fmt != "html" and task.fmt not in _formats_rendered:
        _formats_rendered.add(task.fmt)
        _after_first_document()
    return task.fmt, notice.id, time.perf_counter() - started


def summaries(tasks: list[SummaryTask]) -> list[tuple[str, str, float]]:
    """Typeset 一览表 documents into the summary cache, one after the other. Returns ("summary", the batch's
    name, seconds) for each. In a pool's worker, each of several is typeset in a process forked from it (warm:
    WeasyPrint imported, fonts read), which exits after its table: a worker that laid out table after table
    grew by about 10 MB a table (WeasyPrint's caches, a fragmented heap), past 600 MB at 10,000 notices."""
    from gazette.site.writer import make_summary_document

    def make(task: SummaryTask) -> tuple[str, str, float]:
        task._resolve()
        return make_summary_document(task.content, task.document, task.reuse)

    if not (_in_pool and len(tasks) > 1):  # a pool's worker is forked: so can its children be
        return [make(task) for task in tasks]
    return [_in_child(make, task) for task in tasks]


def _in_child(function, task: SummaryTask) -> tuple[str, str, float]:
    """function(task) in a child process forked from this worker (which runs no other thread): its result,
    or its error, comes back through a pipe."""
    from gazette.errors import GazetteError

    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(readable)
        try:
            _die_with_parent()
            answer = ("made", function(task))
        except BaseException as exc:  # noqa: BLE001 - handed to the worker, which raises it
            answer = ("failed", exc if _picklable(exc) else GazetteError(f"{type(exc).__name__}: {exc}"))
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(writable, "wb") as pipe:
            pipe.write(data)
        os._exit(0)
    os.close(writable)
    with os.fdopen(readable, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        raise GazetteError(f"排版整改情况一览表的进程意外退出（状态 {status}；内存不足或被终止？）"
                           f"（{task.document.path.name}）")
    outcome, value = pickle.loads(data)
    if outcome == "failed":
        raise value
    return value


def _picklable(value: object) -> bool:
    try:
        pickle.loads(pickle.dumps(value))
    except Exception:  # noqa: BLE001 - whatever pickling raises, the answer is no
        return False
    return True
