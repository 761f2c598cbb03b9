"""What the site is made of: a page per notice, listings (home, per inspection, per region, per status) split
into numbered pages, and the paths between them.

Every path is relative to the site root and every link is written relative to the page it is on, ending in
index.html, so the site works from any subfolder and from file:// alike. Wording is in the templates; this
module only decides what goes on which page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from gazette.model import Inspection, Notice, Site
from gazette.render.html import RenderedNotice

if TYPE_CHECKING:
    from gazette.summary import Batch, Row

NOTICES_DIR = "notices"
SUMMARIES_DIR = "summaries"
PROGRESS_PAGE = "progress/index.html"
ASSETS_DIR = "assets"
SIGNED_SUFFIX = ".signed.pdf"

PublicityState = Literal["upcoming", "current", "ended"]
GroupKind = Literal["inspections", "regions", "statuses"]
GROUP_KINDS: tuple[GroupKind, ...] = ("inspections", "regions", "statuses")


@dataclass
class Download:
    label: str  # a key the notice page template turns into words: "DOCX", "PDF", "SIGNED"
    filename: str
    size: int

    @property
    def size_text(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{self.size / 1024 / 1024:.1f} MB"
        return f"{max(1, round(self.size / 1024))} KB"


@dataclass
class NoticePage:
    rendered: RenderedNotice
    downloads: list[Download] = field(default_factory=list)
    # The build's key of the notice's documents (gazette/build.py document_keys): it hashes everything the
    # notice and its fragment are made from, so the site may reuse pages made from it. None: never reused.
    key: str | None = None

    @property
    def notice(self) -> Notice:
        return self.rendered.notice

    @property
    def url(self) -> str:
        """Permalink, from the notice's id: changing a title never moves a URL."""
        return f"{NOTICES_DIR}/{self.notice.id}/"

    @property
    def path(self) -> str:
        return self.url + "index.html"


def notice_dir(out: Path, notice: Notice) -> Path:
    return out / NOTICES_DIR / notice.id


def newest_first(pages: Iterable[NoticePage]) -> list[NoticePage]:
    return sorted(pages, key=lambda p: (p.notice.published, p.notice.id), reverse=True)


def publicity_state(notice: Notice, today: dt.date) -> PublicityState | None:
    """Where the build date falls in the notice's 公示期 (both ends count as inside it)."""
    if notice.publicity is None:
        return None
    if today < notice.publicity.start:
        return "upcoming"
    if today > notice.publicity.end:
        return "ended"
    return "current"


def relative_root(path: str) -> str:
    """'../' once per folder between the page at `path` and the site root."""
    return "../" * path.count("/")


def slug(text: str) -> str:
    """A stable ASCII folder name for a Chinese group name (a region, a status, an inspection): the same name
    always gives the same URL, and no web server or zip tool has to handle Chinese file names."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


# --- listings -----------------------------------------------------------------------------------------------

@dataclass
class Group:
    """One listing: all notices of an inspection, a region or a status (or, with kind None, the home page)."""

    kind: GroupKind | None
    key: str  # the group's name as the content writes it; empty for the home page
    pages: list[NoticePage]
    inspection: Inspection | None = None  # for kind "inspections": what the template builds the name from

    @property
    def folder(self) -> str:
        return "" if self.kind is None else f"{self.kind}/{slug(self.key)}/"

    @property
    def path(self) -> str:
        return self.folder + "index.html"

    @property
    def latest(self) -> dt.date:
        return max(p.notice.published for p in self.pages)


@dataclass
class ListingPage:
    """One numbered page of a group's listing."""

    group: Group
    number: int  # from 1
    count: int  # how many numbered pages the group has
    items: list[NoticePage]

    @property
    def path(self) -> str:
        return page_path(self.group, self.number)

    def page_path(self, number: int) -> str:
        return page_path(self.group, number)

    @property
    def numbers(self) -> list[int | None]:
        """The page numbers the pagination links: the first, the last and two either side of this one; None
        where numbers are left out (a county has a few pages, a province a hundred)."""
        shown = sorted({1, self.count, *range(max(1, self.number - 2), min(self.count, self.number + 2) + 1)})
        numbers: list[int | None] = []
        for number in shown:
            if numbers and number - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers

    @property
    def latest(self) -> dt.date:
        return max(p.notice.published for p in self.items)


def page_path(group: Group, number: int) -> str:
    return group.path if number == 1 else f"{group.folder}page/{number}/index.html"


def paginate(group: Group, page_size: int) -> list[ListingPage]:
    count = max(1, math.ceil(len(group.pages) / page_size))
    return [ListingPage(group, n, count, group.pages[(n - 1) * page_size:n * page_size]) for n in range(1, count + 1)]


def inspection_key(inspection: Inspection) -> str:
    return "|".join(str(part) for part in (inspection.level, inspection.round, inspection.batch, inspection.type))


GROUP_KEYS: dict[GroupKind, Callable[[Notice], str]] = {
    "inspections": lambda n: inspection_key(n.inspection),
    "regions": lambda n: n.region,
    "statuses": lambda n: n.status,
}


def group_path(kind: GroupKind, notice: Notice) -> str:
    """The listing of `kind` that `notice` is in: what its region, status or inspection links to."""
    return key_path(kind, GROUP_KEYS[kind](notice))


def key_path(kind: GroupKind, key: str) -> str:
    """The listing of the group named `key` (a region, a status, an inspection_key)."""
    return f"{kind}/{slug(key)}/index.html"


def groups_of(kind: GroupKind, pages: list[NoticePage], site: Site) -> list[Group]:
    """The groups of one kind, each listing its notices newest first. Statuses follow site.yaml's order,
    inspections their round and batch, regions the order of their newest notice."""
    key_of = GROUP_KEYS[kind]
    grouped: dict[str, list[NoticePage]] = {}
    for page in newest_first(pages):
        grouped.setdefault(key_of(page.notice), []).append(page)
    groups = [Group(kind, key, members, members[0].notice.inspection if kind == "inspections" else None)
              for key, members in grouped.items()]
    if kind == "statuses":
        order = {name: i for i, name in enumerate(site.status_names())}
        groups.sort(key=lambda g: order.get(g.key, len(order)))
    elif kind == "inspections":
        groups.sort(key=lambda g: (g.inspection.round or 0, g.inspection.batch or 0, g.key), reverse=True)
    return groups


def home_group(pages: list[NoticePage]) -> Group:
    return Group(None, "", newest_first(pages))


# --- 整改情况一览表 ---------------------------------------------------------------------------------------------

def batch_key(inspection: Inspection) -> str:
    """Every field of the inspection, as gazette.summary.batches tells batches apart (an inspection listing
    may hold several batches: the same round and batch, reported by different 督察组)."""
    parts = (inspection.level, inspection.round, inspection.batch, inspection.type, inspection.group, inspection.name)
    return "|".join("" if part is None else str(part) for part in parts)


@dataclass
class SummaryPage:
    """The 整改情况一览表 of one inspection batch: a page with the DOCX and PDF beside it."""

    batch: "Batch"
    rows: list["Row"]
    as_of: dt.date  # the newest notice of the batch: the date the table speaks for
    stem: str  # the documents' title as a file name, offered as the downloads' names
    downloads: list[Download] = field(default_factory=list)

    @property
    def inspection(self) -> Inspection:
        return self.batch.inspection

    @property
    def folder(self) -> str:
        return f"{SUMMARIES_DIR}/{slug(batch_key(self.inspection))}/"

    @property
    def path(self) -> str:
        return self.folder + "index.html"

    @property
    def listing_path(self) -> str:
        """The inspection listing the batch's notices are in."""
        return key_path("inspections", inspection_key(self.inspection))
