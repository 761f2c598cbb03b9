"""The static site: a page per notice (embedding the rendered notice HTML) and the listing pages.

Links are relative, so the site works from any subfolder and from file://.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from gazette.loader import Content
from gazette.model import Notice
from gazette.render.html import RenderedNotice, environment, template_dirs

NOTICES_DIR = "notices"
ASSETS_DIR = "assets"


@dataclass
class Download:
    label: str  # "DOCX", "PDF"
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

    @property
    def notice(self) -> Notice:
        return self.rendered.notice

    @property
    def url(self) -> str:
        """Permalink, from the notice's id: changing a title never moves a URL."""
        return f"{NOTICES_DIR}/{self.notice.id}/"


def notice_dir(out: Path, notice: Notice) -> Path:
    return out / NOTICES_DIR / notice.id


def write_site(content: Content, pages: list[NoticePage], out: Path) -> None:
    env = environment(tuple(template_dirs(content.root)))
    site = content.site
    assets_source = next(d / "site" / ASSETS_DIR for d in template_dirs(content.root) if (d / "site" / ASSETS_DIR).is_dir())
    shutil.copytree(assets_source, out / ASSETS_DIR, dirs_exist_ok=True)
    done = {s.name for s in site.statuses if s.done}
    index = env.get_template("site/index.html.j2").render(site=site, pages=pages, root="", done=done)
    (out / "index.html").write_text(index, encoding="utf-8")
    for position, page in enumerate(pages):
        newer = pages[position - 1] if position > 0 else None
        older = pages[position + 1] if position + 1 < len(pages) else None
        html = env.get_template("site/notice.html.j2").render(
            site=site, page=page, notice=page.notice, root="../../", newer=newer, older=older, done=done)
        target = notice_dir(out, page.notice) / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
