"""write_site: every page of the website, rendered from templates/site/ into the output folder.

The output folder is the build's staging folder (gazette/output.py swaps it in when everything succeeded), so
this module only ever writes into a fresh, empty folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from gazette import cache as cachelib
from gazette.errors import GazetteError
from gazette.loader import Content
from gazette.render.html import environment, template_dirs
from gazette.site import feeds, opendata, search
from gazette.site.builddate import build_date
from gazette.site.pages import (ASSETS_DIR, GROUP_KINDS, NOTICES_DIR, PROGRESS_PAGE, SIGNED_SUFFIX, Download,
                                ListingPage, NoticePage, SummaryPage, group_path, groups_of, home_group, key_path,
                                newest_first, notice_dir, paginate, publicity_state, relative_root)
from gazette.site.reuse import SiteReuse

SEARCH_PAGE = "search/index.html"
DATA_PAGE = "data/index.html"
IDENTITY_DIR = f"{ASSETS_DIR}/identity"


@dataclass
class Identity:
    """Where the footer's badge images are in the built site (paths from the site root)."""

    police_badge: str
    government_badge: str | None


def write_site(content: Content, pages: list[NoticePage], out: Path, *, previous: Path | None = None,
               today: dt.date | None = None, reuse: SiteReuse | None = None, waiting: Collection[str] = (),
               documents_done: Callable[[bool], None] = lambda end_workers: None,
               summaries_done: Callable[[], None] = lambda: None) -> int:
    """Write the whole site into `out`, where build.py has already put each notice's DOCX and PDF.
    `previous` is the last good output: a signed PDF there is carried over when it still signs this build's
    PDF. `today` is the build date (default: SOURCE_DATE_EPOCH, else the clock). `reuse` lets pages whose
    inputs are unchanged be taken from `previous` instead of rendered again. The build's workers may still be
    typesetting documents: the pages of the notices in `waiting` have their downloads once `documents_done`
    has returned (called with True, it also waits for every worker to end), and the 一览表 documents are made
    once `summaries_done` has. Returns how many pages were written."""
    today = today or build_date()
    ordered = newest_first(pages)
    for page in ordered:
        copy_seal(content.root, page, out)
    identity = copy_assets(content, out)
    writer = PageWriter(content, out, identity, today, latest=ordered[0].notice.published if ordered else today,
                        reuse=reuse)

    def write_notice_page(position: int, documents_known: bool = True) -> None:
        page = ordered[position]
        if documents_known:
            add_signed_pdf(page, out, previous)
        newer = ordered[position - 1] if position > 0 else None
        older = ordered[position + 1] if position + 1 < len(ordered) else None
        writer.write("site/notice.html.j2", page.path, page=page, notice=page.notice, newer=newer, older=older,
                     state=publicity_state(page.notice, today), page_date=page.notice.published,
                     reuse_key=_notice_page_key(page, newer, older), again=documents_known and position in later)

    # A page shows its documents' sizes, so the page of a notice whose documents are still in the making is
    # written twice: first without its downloads, which Pagefind does not read (search.searched_digest), so
    # that the index is made while the workers typeset, and again once the documents are done.
    later = {position for position, page in enumerate(ordered) if page.notice.id in waiting}
    notice_ids = [page.notice.id for page in ordered]
    position_of = {notice_id: position for position, notice_id in enumerate(notice_ids)}
    # Pagefind reads only the notice pages: they are written shard by shard, and it indexes each shard as soon
    # as its pages are (in other processes, on the core this one leaves idle) while this thread writes the
    # rest. While the workers still typeset documents, one Pagefind process: the cores are theirs, and a
    # second Pagefind's memory (190 MB at 5,000 notices) came on top of theirs at the build's peak; for a
    # large site, none until they are done and gone (search.waits_for_workers).
    hold = bool(waiting) and search.waits_for_workers(len(notice_ids))
    with search.ShardIndexer(out, notice_ids, reuse=reuse, jobs=1 if waiting else None, hold=hold) as indexer:
        for k, members in enumerate(indexer.members):
            for notice_id in members:
                position = position_of[notice_id]
                write_notice_page(position, documents_known=position not in later)
            indexer.written(k)
        documents_done(hold)
        indexer.release()
        for position in sorted(later):
            write_notice_page(position)
        _write_the_rest(content, pages, ordered, out, writer, notice_ids, summaries_done)
        indexer.finish()
    return len(writer.paths)


def _write_the_rest(content: Content, pages: list[NoticePage], ordered: list[NoticePage], out: Path,
                    writer: "PageWriter", notice_ids: list[str], summaries_done: Callable[[], None]) -> None:
    """Every page but the notices': listings, progress, search and data pages, 一览表 pages (last: their
    documents may still be in the making), feeds and the sitemap (of every page written)."""
    site = content.site
    summaries = summary_pages(content)
    by_listing: dict[str, list[SummaryPage]] = {}
    for summary_page in summaries:
        by_listing.setdefault(summary_page.listing_path, []).append(summary_page)

    groups = {kind: groups_of(kind, pages, site) for kind in GROUP_KINDS}
    for group in [home_group(pages), *(g for kind in GROUP_KINDS for g in groups[kind])]:
        for listing in paginate(group, site.portal.page_size):
            summaries_shown = by_listing.get(group.path, []) if group.kind == "inspections" else []
            page_date = listing.latest if listing.items else writer.latest
            writer.write("site/listing.html.j2", listing.path, listing=listing, group=group, summaries=summaries_shown,
                         page_date=page_date, reuse_key=_listing_page_key(listing, summaries_shown, page_date))
    for kind in GROUP_KINDS:
        writer.write("site/groups.html.j2", f"{kind}/index.html", kind=kind, groups=groups[kind],
                     summaries=by_listing if kind == "inspections" else {})
    write_progress(content, pages, writer)
    writer.write("site/search.html.j2", SEARCH_PAGE, index_dirs=[search.shard_dir(k) for k, _ in
                                                                 enumerate(search.shards(notice_ids))])
    writer.write("site/data.html.j2", DATA_PAGE, files=opendata.write(site, ordered, out))
    summaries_done()
    write_summaries(content, pages, summaries, out, writer)
    feeds.write(writer.env, site, ordered, out, writer.latest, writer.paths)


# --- 整改情况一览表 and 整改进展 -------------------------------------------------------------------------------------

def summary_pages(content: Content) -> list[SummaryPage]:
    """The 整改情况一览表 (gazette/summary.py) of each inspection batch, downloads not yet known."""
    from gazette import summary

    return [SummaryPage(batch, summary.rows(content, batch), summary.as_of(batch), summary.file_stem(content, batch))
            for batch in summary.batches(content)]


def write_summaries(content: Content, pages: list[NoticePage], summaries: list[SummaryPage], out: Path,
                    writer: "PageWriter") -> None:
    """A page per inspection batch with its 整改情况一览表, and the table's DOCX and PDF beside it in the
    formats the notices are offered in (none for an HTML-only preview build). The build has typeset the
    documents already (summary_documents); one missing is made here."""
    formats = [fmt for fmt in SUMMARY_FORMATS if any(d.label == fmt.upper() for p in pages for d in p.downloads)]
    cache_dir = summary_cache_dir(out)
    keys = {page.notice.id: page.key for page in pages}
    documents: dict[str, list[SummaryDocument]] = {}
    for document in summary_documents(content, formats, cache_dir, keys):
        documents.setdefault(document.batch.inspection.model_dump_json(), []).append(document)
    for page in summaries:
        batch = page.batch
        folder = out / page.folder
        folder.mkdir(parents=True, exist_ok=True)
        for document in documents.get(batch.inspection.model_dump_json(), []):
            name = f"summary.{document.fmt}"  # ASCII on the server; the link suggests the Chinese title as the file name
            if not document.path.exists():
                make_summary_document(content, document)
            _link_or_copy(document.path, folder / name)
            page.downloads.append(Download(document.fmt.upper(), name, (folder / name).stat().st_size))
        root = relative_root(page.path)
        writer.write("site/summary.html.j2", page.path, summary=page, page_date=page.as_of,
                     link_notices=lambda notice, root=root: f"{root}{NOTICES_DIR}/{notice.id}/index.html",
                     reuse_key=_summary_page_key(page, keys))
    _forget_unused_summaries(cache_dir, {document.path.name for batch_documents in documents.values()
                                         for document in batch_documents})
    for table in summary_tables_dir(cache_dir).iterdir():  # linked from no document (nor a published site)
        with contextlib.suppress(OSError):
            if table.stat().st_nlink == 1:
                table.unlink()


# The 一览表's documents cost about half a second each: they are kept beside the build cache, keyed by
# everything they are made from, and only a batch whose table changed is typeset again.
SUMMARY_FORMATS = ("docx", "pdf")


def _forget_unused_summaries(cache_dir: Path, used: set[str]) -> None:
    """Delete the documents no build has used for a week, as the build cache does its objects. Not those this
    build did not use: every output in the same folder shares the cache (an HTML preview beside the published
    site), and each would make the other typeset every 一览表 again. When each was last used is kept in
    USED_RECORD, not in the files' mtimes: the published documents are the same files (hard links)."""
    record = cache_dir / USED_RECORD
    try:
        last_used = json.loads(record.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        last_used = {}
    now = time.time()
    last_used = {**(last_used if isinstance(last_used, dict) else {}), **dict.fromkeys(used, now)}
    kept = {}
    for path in cache_dir.iterdir():
        if path.suffix in (".docx", ".pdf"):
            with contextlib.suppress(OSError):
                when = last_used.get(path.name) or path.stat().st_mtime  # made by a build that was killed
                if now - when > cachelib.KEEP_UNUSED_SECONDS:
                    path.unlink()
                else:
                    kept[path.name] = when
        elif path.name.endswith(".tmp"):  # left by a killed build (_make_atomically)
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > 3600:
                    path.unlink()
    with contextlib.suppress(OSError):  # only a document kept longer than needed
        _make_atomically(record, lambda target: target.write_text(json.dumps(kept, sort_keys=True), encoding="utf-8"))


USED_RECORD = "used.json"


def summary_cache_dir(output: Path) -> Path:
    """Beside the build cache; `output` may be the output folder or its staging folder (its sibling)."""
    folder = output.resolve().parent / ".cache" / "gazette-summaries"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass(frozen=True)
class SummaryDocument:
    """One 一览表 document: a batch's table in one format, at its place in the summary cache."""

    batch: Any  # summary.Batch
    fmt: str
    path: Path


def summary_documents(content: Content, formats: Any, cache_dir: Path,
                      keys: dict[str, str | None]) -> list[SummaryDocument]:
    """Every batch's documents in `formats` (those of SUMMARY_FORMATS), made or not. `keys`: notice id → the
    key of its documents (build.document_keys), where known."""
    from gazette import summary

    formats = [fmt for fmt in SUMMARY_FORMATS if fmt in formats]
    if not formats:
        return []
    settings = _summary_settings(content)
    documents = []
    for batch in summary.batches(content):
        key = summary_key(batch, settings, keys)
        documents += [SummaryDocument(batch, fmt, cache_dir / f"{key}.{fmt}") for fmt in formats]
    return documents


def make_summary_document(content: Content, document: SummaryDocument, reuse: bool = True) -> tuple[str, str, float]:
    """Typeset one document into the summary cache (in a build's worker process, or here). Returns what a
    rendered notice returns to the build's progress display: ("summary", the batch's name, seconds).

    A notice's edit changes its batch's key, but often not its table (the 一览表 shows the task, measures,
    responsible unit, deadline, completion and status, not the goal, basis or contact): a document is also kept
    under a key of exactly what it is typeset from (the print HTML, the file name, the settings, the fonts and
    code), and one already typeset from the same is taken instead of typesetting the table again (1 s), unless
    `reuse` is false (--clean)."""
    import time

    from gazette import summary

    started = time.perf_counter()
    html = summary.summary_html(content, document.batch, for_print=True)
    same = summary_tables_dir(document.path.parent) / f"{summary_table_key(content, document, html)}.{document.fmt}"
    if reuse and same.exists():
        _make_atomically(document.path, lambda target: os.link(same, target))
    else:
        render = summary.summary_docx if document.fmt == "docx" else summary.summary_pdf
        _make_atomically(document.path, lambda target: render(content, document.batch, target, html))
        with contextlib.suppress(OSError):  # only a missed reuse next time
            _make_atomically(same, lambda target: os.link(document.path, target))  # replaces an older one
    return "summary", document.batch.name, time.perf_counter() - started


def summary_key(batch, settings: tuple[str, ...], keys: dict[str, str | None]) -> str:
    """What a batch's 一览表 DOCX and PDF are made of: its notices (each by its documents' key where the build
    gives one, which covers its file, site.yaml, the document templates, the fonts and gazette's code) and
    `settings` (_summary_settings). Cheap: nothing is rendered."""
    notices = [keys.get(n.id) or n.model_dump_json() for n in sorted(batch.notices, key=lambda n: n.id)]
    return cachelib.digest(*notices, *settings)


def summary_table_key(content: Content, document: SummaryDocument, html: str) -> str:
    """Everything a 一览表 document is typeset from but the notices: their part is the print HTML itself."""
    from gazette import summary

    return cachelib.digest(document.fmt, html, summary.file_stem(content, document.batch),
                           *_summary_settings(content))


def _summary_settings(content: Content) -> tuple[str, ...]:
    """What a 一览表 document depends on besides its batch: settings, gazette's code, fonts and templates."""
    return (content.site.model_dump_json(include={"fonts", "organisation", "pdf", "statuses"}),
            cachelib.code_fingerprint(), cachelib.fonts_fingerprint(),
            cachelib.tree_fingerprint(template_dirs(content.root)))


def summary_tables_dir(cache_dir: Path) -> Path:
    """The summary cache's documents by summary_table_key: hard links to documents in `cache_dir`."""
    folder = cache_dir.parent / f"{cache_dir.name}-by-table"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _make_atomically(target: Path, make) -> None:
    """Write through a temporary name, so that a killed build never leaves half a document in the cache."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        make(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def write_progress(content: Content, pages: list[NoticePage], writer: "PageWriter") -> None:
    """整改进展: gazette/status.py's numbers as of the build date (not the clock: the same build date gives the
    same page)."""
    from gazette.status import PUBLICITY_WARNING_DAYS, status_summary

    status = status_summary(content, writer.today)
    listed = {page.notice.id for page in pages}
    writer.write("site/progress.html.j2", PROGRESS_PAGE, status=status, warning_days=PUBLICITY_WARNING_DAYS,
                 notice_path=lambda notice_id: f"{NOTICES_DIR}/{notice_id}/index.html" if notice_id in listed else None,
                 page_date=writer.today)


# --- reusing unchanged pages --------------------------------------------------------------------------------

def _notice_page_key(page: NoticePage, newer: NoticePage | None, older: NoticePage | None) -> str | None:
    """What a notice page shows besides what every page shares: the notice (its documents' key covers its
    file, fragment and site.yaml), its downloads and its neighbours' titles and paths."""
    if page.key is None or (newer and newer.key is None) or (older and older.key is None):
        return None
    return cachelib.digest(page.key, repr([(d.label, d.filename, d.size) for d in page.downloads]),
                           *(f"{n.path}|{n.key}" if n else "-" for n in (newer, older)))


def _listing_page_key(listing: ListingPage, summaries: list[SummaryPage], page_date: dt.date) -> str | None:
    """A listing page shows its group (name, size), its items, its place among the group's pages and, for an
    inspection, the batch's 一览表 links."""
    if any(item.key is None for item in listing.items):
        return None
    group = listing.group
    return cachelib.digest(
        str(group.kind), group.key, group.inspection.model_dump_json() if group.inspection else "-",
        str(len(group.pages)), str(listing.number), str(listing.count), page_date.isoformat(),
        *(f"{item.path}|{item.key}" for item in listing.items),
        *(f"{s.path}|{len(s.rows)}|{s.inspection.model_dump_json()}" for s in summaries))


def _summary_page_key(page: SummaryPage, keys: dict[str, str | None]) -> str | None:
    """A 一览表 page shows its batch's notices (their keys) and its downloads."""
    notice_keys = [keys.get(row.notice.id) for row in page.rows]
    if any(key is None for key in notice_keys):
        return None
    return cachelib.digest(*notice_keys, repr([(d.label, d.filename, d.size) for d in page.downloads]))


class PageWriter:
    """Renders one template per page with what every page shares: the site, its identity, the build date,
    and `root`, the relative way back to the site root from that page."""

    def __init__(self, content: Content, out: Path, identity: Identity, today: dt.date, latest: dt.date,
                 reuse: SiteReuse | None = None):
        dirs = tuple(template_dirs(content.root))
        self.env = site_environment(dirs)
        self.site = content.site
        self.out = out
        self.identity = identity
        self.today = today
        self.latest = latest  # the newest notice's date: the publication date of pages that are not one notice
        self.paths: list[str] = []  # every page written, for the sitemap
        self.reuse = reuse
        # Everything a page is rendered from that is not passed to `write`. The identity images are copied
        # by path (copy_assets): their names are in `identity`, their bytes are not in any page.
        self.shared_key = cachelib.digest(
            cachelib.code_fingerprint(), cachelib.tree_fingerprint(dirs), self.site.model_dump_json(),
            repr(identity), today.isoformat(), latest.isoformat()) if reuse else ""

    def write(self, template: str, path: str, *, reuse_key: str | None = None, again: bool = False,
              **values: Any) -> None:
        """Render `template` to `path`. With `reuse_key` (a digest of every value passed that is not shared
        by all pages), an unchanged page is taken from the last output instead. `again`: the page was written
        before with less known (a notice page before its documents' sizes) and may be being read (by Pagefind):
        it is replaced in one step, so that a reader sees either whole page, and counted once."""
        target = self.out / path
        key = cachelib.digest(self.shared_key, template, path, reuse_key) if self.reuse and reuse_key else None
        if again:
            self._replace(template, path, key, values)
            return
        if key and self.reuse.take_page(path, key, target):
            self.paths.append(path)
            return
        data = self._render(template, path, values)
        try:
            target.write_bytes(data)
        except FileNotFoundError:  # a page's folder often exists already (a notice's holds its documents)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if key:
            self.reuse.record_page(path, key, target, search.searched_digest(data))
        self.paths.append(path)

    def _replace(self, template: str, path: str, key: str | None, values: dict[str, Any]) -> None:
        target = self.out / path
        new = target.with_name(target.name + ".new")  # renaming keeps the stamp the reuse entry records
        if not (key and self.reuse.take_page(path, key, new)):
            data = self._render(template, path, values)
            new.write_bytes(data)
            if key:
                self.reuse.record_page(path, key, new, search.searched_digest(data))
        os.replace(new, target)

    def _render(self, template: str, path: str, values: dict[str, Any]) -> bytes:
        values.setdefault("page_date", self.latest)
        return self.env.get_template(template).render(
            site=self.site, portal=self.site.portal, identity=self.identity, today=self.today, path=path,
            root=relative_root(path), site_domain=site_domain(self.site.base_url), **values).encode("utf-8")


@lru_cache(maxsize=8)
def site_environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
    """The notice renderer's environment (same filters, same template folders) plus what site pages need.
    An overlay, so the shared environment is left as it was; one per template folders, because an overlay
    compiles templates into a cache of its own (a new overlay per summary page compiled every template again)."""
    env = environment(dirs).overlay()
    env.filters = dict(env.filters)
    env.filters.update(iso_date=lambda d: d.isoformat())
    env.globals = dict(env.globals)
    env.globals.update(publicity_state=publicity_state, group_path=group_path, key_path=key_path)
    return env


def site_domain(base_url: str | None) -> str:
    return urlsplit(base_url).hostname or "" if base_url else ""


# --- files beside the pages ----------------------------------------------------------------------------------

def copy_assets(content: Content, out: Path) -> Identity:
    """The shipped assets, then a content folder's own templates/site/assets/ over them, then the badge
    images site.yaml names (paths relative to the content folder)."""
    for folder in reversed(template_dirs(content.root)):
        assets = folder / "site" / ASSETS_DIR
        if assets.is_dir():
            shutil.copytree(assets, out / ASSETS_DIR, dirs_exist_ok=True)
    portal = content.site.portal
    police = copy_identity_image(content.root, portal.police_badge, out) or f"{ASSETS_DIR}/police-badge.svg"
    return Identity(police_badge=police, government_badge=copy_identity_image(content.root, portal.government_badge, out))


def copy_identity_image(root: Path, relative: str | None, out: Path) -> str | None:
    if not relative:
        return None
    source = (root / relative).resolve()
    if not source.is_file() or not source.is_relative_to(root.resolve()):
        raise GazetteError(f"site.yaml 中的图片 {relative} 不存在或不在内容文件夹中（image not found in the content folder）")
    target = f"{IDENTITY_DIR}/{source.name}"
    (out / IDENTITY_DIR).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, out / target)
    return target


def copy_seal(root: Path, page: NoticePage, out: Path) -> None:
    """The notice fragment shows the seal with its path in the content folder (images/seal.png): put the image
    at that path beside the notice page, so the relative src resolves on the site."""
    signature = page.notice.signature
    if not signature or not signature.seal:
        return
    source = (root / signature.seal).resolve()
    target = (notice_dir(out, page.notice) / signature.seal).resolve()
    if not source.is_file() or not source.is_relative_to(root.resolve()) \
            or not target.is_relative_to(notice_dir(out, page.notice).resolve()):
        raise GazetteError(f"印章图片 {signature.seal} 不存在或不在内容文件夹中（seal image not in the content folder）")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def add_signed_pdf(page: NoticePage, out: Path, previous: Path | None) -> None:
    """Offer ID.signed.pdf when one is beside the PDF. A build writes into a fresh folder, so a signed PDF from
    the last good output is carried over, but only while it still signs this build's PDF: a PAdES signature
    is an incremental update, so the signed file begins with the exact bytes of the PDF it signs."""
    folder = notice_dir(out, page.notice)
    signed_name = page.notice.id + SIGNED_SUFFIX
    pdf = folder / f"{page.notice.id}.pdf"
    target = folder / signed_name
    if not target.exists() and previous is not None and pdf.exists():
        old = notice_dir(previous, page.notice) / signed_name
        if old.is_file() and starts_with(old, pdf):
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy2(old, target)
    if target.is_file() and not any(d.filename == signed_name for d in page.downloads):
        page.downloads.append(Download("SIGNED", signed_name, target.stat().st_size))


def starts_with(path: Path, prefix: Path) -> bool:
    want = prefix.read_bytes()
    with path.open("rb") as handle:
        return handle.read(len(want)) == want and path.stat().st_size > len(want)
