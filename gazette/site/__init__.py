"""The public website: listings, a page per notice, feeds, open data and offline Chinese search.

build.py renders every notice once and calls `write_site`; everything here reads that list of pages and the
content's site settings. The modules are named after what they write:

  pages.py     what a page is (paths, relative links, downloads, listings and their pagination)
  writer.py    write_site: renders the templates under templates/site/ and copies the assets
  feeds.py     Atom feed, sitemap.xml, robots.txt
  opendata.py  notices.json and notices.csv (field names documented in docs/data.md)
  search.py    runs Pagefind's extended (Chinese-segmenting) indexer over the notice pages, in shards
  reuse.py     what an incremental build takes unchanged from the last output (pages, search shards)
  builddate.py the build date (SOURCE_DATE_EPOCH), which decides 公示中 / 公示已结束 / 即将公示
"""

from gazette.site.pages import Download, NoticePage, notice_dir
from gazette.site.writer import write_site

__all__ = ["Download", "NoticePage", "notice_dir", "write_site"]
