"""The machine-readable side of the site: an Atom feed of the notices, sitemap.xml and robots.txt.

Their dates come from the notices, never from the clock, so the same content always gives the same files.
Feeds and sitemaps need absolute URLs: with no base_url in site.yaml the feed links relatively and no sitemap
is written (robots.txt then names none).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2

from gazette.model import Site
from gazette.site.pages import NoticePage

FEED = "feed.xml"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
FEED_ENTRIES = 50  # a feed is for news: the newest notices; the full list is the open-data export


def write(env: jinja2.Environment, site: Site, ordered: list[NoticePage], out: Path, latest: dt.date,
          paths: list[str]) -> None:
    base = absolute_base(site.base_url)
    values = dict(site=site, base=base, latest=latest)
    render(env, "site/feed.xml.j2", out / FEED, entries=ordered[:FEED_ENTRIES], feed=FEED, **values)
    if base:
        dated = {page.path: page.notice.published for page in ordered}
        urls = [(base + sitemap_url(path), dated.get(path, latest)) for path in sorted(paths)]
        render(env, "site/sitemap.xml.j2", out / SITEMAP, urls=urls, **values)
    render(env, "site/robots.txt.j2", out / ROBOTS, sitemap=SITEMAP if base else None, **values)


def absolute_base(base_url: str | None) -> str:
    if not base_url:
        return ""
    return base_url if base_url.endswith("/") else base_url + "/"


def sitemap_url(path: str) -> str:
    """Directory URLs in the sitemap (notices/wusu-16/), as a web server serves them."""
    return path.removesuffix("index.html")


def render(env: jinja2.Environment, template: str, target: Path, **values: object) -> None:
    target.write_text(env.get_template(template).render(**values) + "\n", encoding="utf-8")
