"""The static site as files: pages, listings, permalinks, meta tags, identity, feeds, open data, reproducibility.
(What needs a browser is under tests/e2e/.)"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree
from lxml import html as lxml_html

from gazette.site.opendata import FIELDS
from tests.conftest import GAZETTE, ROOT, notice_ids

SEARCH_INDEX = "pagefind"


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if SEARCH_INDEX not in p.relative_to(site).parts)


def tree(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_bytes())


def meta(doc: lxml_html.HtmlElement, name: str) -> str | None:
    found = doc.xpath(f'//meta[@name="{name}"]/@content')
    return found[0] if found else None


def is_notice_page(site: Path, page: Path) -> bool:
    return page.relative_to(site).parts[0] == "notices"


def build(content: Path, out: Path, *args: str, epoch: str | None = None) -> None:
    """`gazette build` through the real CLI; `epoch` fixes the build date (SOURCE_DATE_EPOCH)."""
    env = {**os.environ, **({"SOURCE_DATE_EPOCH": epoch} if epoch else {})}
    result = subprocess.run([*GAZETTE, "build", str(content), "--out", str(out), *args], cwd=ROOT,
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr


# --- pages ---------------------------------------------------------------------------------------------------

def test_every_page_kind_is_written(built_site: Path) -> None:
    for notice_id in notice_ids():
        folder = built_site / "notices" / notice_id  # the permalink comes from the id
        assert (folder / "index.html").is_file()
    for kind in ("inspections", "regions", "statuses"):
        assert (built_site / kind / "index.html").is_file()
        assert len(list((built_site / kind).glob("*/index.html"))) >= 2
    for name in ("index.html", "search/index.html", "data/index.html", "feed.xml", "sitemap.xml", "robots.txt",
                 "data/notices.json", "data/notices.csv", "assets/site.css", "assets/police-badge.svg"):
        assert (built_site / name).is_file(), name


def test_home_lists_notices_newest_first_with_their_facts(built_site: Path) -> None:
    doc = tree(built_site / "index.html")
    entries = doc.xpath('//ol[@class="entries"]/li')
    hrefs = [e.xpath(".//h2/a/@href")[0] for e in entries]
    assert hrefs == ["notices/wusu-16/index.html", "notices/suma-243/index.html", "notices/puyang-43/index.html"]
    for entry in entries:
        facts = dict(zip(entry.xpath(".//dt/text()"), (dd.text_content() for dd in entry.xpath(".//dd"))))
        assert {"整改状态", "整改时限", "地区", "发布日期"} <= set(facts)
    wusu = dict(zip(entries[0].xpath(".//dt/text()"), (dd.text_content() for dd in entries[0].xpath(".//dd"))))
    assert wusu == {"整改状态": "已完成现阶段整改", "整改时限": "2025年12月底", "地区": "乌苏市", "发布日期": "2025年6月30日"}


def test_listings_per_inspection_region_and_status(built_site: Path) -> None:
    region_index = tree(built_site / "regions" / "index.html")
    names = region_index.xpath('//ul[@class="groups"]/li/a/text()')
    assert sorted(names) == ["乌苏市", "宿马园区", "濮阳市"]
    wusu_region = built_site / "regions" / region_index.xpath('//a[text()="乌苏市"]/@href')[0]
    assert tree(wusu_region).xpath("//h1/text()") == ["乌苏市"]
    assert tree(wusu_region).xpath('//ol[@class="entries"]//h2/a/@href') == ["../../notices/wusu-16/index.html"]
    statuses = tree(built_site / "statuses" / "index.html").xpath('//ul[@class="groups"]/li/a/text()')
    assert statuses == ["已整改完成并通过核查验收", "已完成现阶段整改"]  # site.yaml's order
    inspections = tree(built_site / "inspections" / "index.html").xpath('//ul[@class="groups"]/li/a/text()')
    assert "自治区第一轮第二批生态环境保护督察" in inspections


def test_notice_page_embeds_the_notice_and_offers_downloads_with_sizes(built_site: Path) -> None:
    page = built_site / "notices" / "wusu-16" / "index.html"
    doc = tree(page)
    assert doc.xpath('//div[@data-pagefind-body]/article[@class="notice"]')
    downloads = doc.xpath('//section[@class="downloads"]//li')
    assert [d.xpath("a/@href")[0] for d in downloads] == ["wusu-16.docx", "wusu-16.pdf"]
    for d in downloads:
        target = page.parent / d.xpath("a/@href")[0]
        kb = max(1, round(target.stat().st_size / 1024))
        assert f"（{kb} KB）" in d.text_content()
    crumbs = doc.xpath('//nav[@class="breadcrumbs"]//li')
    assert [c.text_content() for c in crumbs][0] == "首页" and len(crumbs) == 3
    assert doc.xpath('//nav[@class="prev-next"]//a[@rel="next"]/@href') == ["../../notices/suma-243/index.html"]
    assert not doc.xpath('//nav[@class="prev-next"]//a[@rel="prev"]')  # the newest has no newer neighbour


def test_every_page_has_a_visible_publication_date(built_site: Path) -> None:
    for page in html_pages(built_site):
        dates = tree(page).xpath('//p[@class="page-date"]/time/@datetime')
        assert len(dates) == 1 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", dates[0]), page
    notice = tree(built_site / "notices" / "puyang-43" / "index.html")
    assert notice.xpath('//p[@class="page-date"]/time/text()') == ["2023年1月9日"]


# Build dates in Beijing time; both ends of the 公示期 (2023-01-09 to 2023-01-20) are inside it.
@pytest.mark.parametrize(("epoch", "state"), [("1673193599", "即将公示"),    # 2023-01-08 23:59:59
                                               ("1673193600", "公示中"),      # 2023-01-09 00:00:00
                                               ("1674230399", "公示中"),      # 2023-01-20 23:59:59
                                               ("1674230400", "公示已结束")])  # 2023-01-21 00:00:00
def test_publicity_state_follows_the_build_date(tmp_path: Path, epoch: str, state: str) -> None:
    out = tmp_path / "site"
    build(ROOT / "content", out, "--format", "html", epoch=epoch)
    box = tree(out / "notices" / "puyang-43" / "index.html").xpath('//p[contains(@class, "publicity")]')[0]
    assert box.xpath('.//strong[contains(@class, "state")]/text()') == [state]
    assert "2023年1月9日至2023年1月20日" in box.text_content()


def test_build_is_reproducible(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        build(ROOT / "content", out, "--format", "html", epoch="1735689600")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    different = [f for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert different == []


def test_pagination_uses_the_page_size_from_site_config(content_copy: Path, tmp_path: Path) -> None:
    site_yaml = content_copy / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("  page_size: 20", "  page_size: 1"),
                         encoding="utf-8")
    out = tmp_path / "site"
    build(content_copy, out, "--format", "html")
    pages = [out / "index.html", out / "page" / "2" / "index.html", out / "page" / "3" / "index.html"]
    titles = [tree(p).xpath('//ol[@class="entries"]//h2/a/@href') for p in pages]
    assert [len(t) for t in titles] == [1, 1, 1]
    assert titles[2] == ["../../notices/puyang-43/index.html"]
    nav = tree(pages[1]).xpath('//nav[@class="pagination"]')[0]
    assert nav.xpath('.//a[@rel="prev"]/@href') == ["../../index.html"]
    assert nav.xpath('.//a[@rel="next"]/@href') == ["../../page/3/index.html"]
    assert nav.xpath('.//a[@aria-current="page"]')[0].text_content() == "第2页"
    assert not (out / "page" / "4").exists()


# --- links and identity ----------------------------------------------------------------------------------------

def test_links_are_relative_and_resolve(built_site: Path) -> None:
    """Works from any subfolder and from file://: no root-relative links, and every local link exists."""
    for page in html_pages(built_site):
        doc = tree(page)
        for attribute in ("href", "src", "action"):
            for link in doc.xpath(f"//@{attribute}"):
                parts = urlsplit(link)
                if parts.scheme in ("http", "https"):
                    assert attribute == "href", f"{page}: {attribute}={link} would load from another host"
                    continue
                assert not link.startswith("/"), f"{page}: root-relative {link}"
                if parts.path:
                    assert (page.parent / unquote(parts.path)).resolve().exists(), f"{page}: broken link {link}"


def test_government_identity_and_meta_tags(built_site: Path) -> None:
    for page in html_pages(built_site):
        doc = tree(page)
        assert meta(doc, "SiteName") == "生态环境保护督察整改情况公示"
        assert meta(doc, "SiteDomain") == "www.example.gov.cn"
        assert meta(doc, "SiteIDCode") == "0000000000"
        footer = doc.xpath("//footer")[0].text_content()
        for text in ("主办单位：示例市生态环境保护督察整改工作领导小组办公室", "承办单位：示例市生态环境局",
                     "网站标识码：0000000000", "示ICP备00000000号", "示公网安备00000000000000号", "zgb@example.gov.cn"):
            assert text in footer, (page, text)
        badge = doc.xpath('//li[@class="police-record"]/img/@src')[0]
        assert (page.parent / badge).resolve().is_file()
        if is_notice_page(built_site, page):
            assert meta(doc, "ArticleTitle") and meta(doc, "ContentSource")
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", meta(doc, "PubDate") or "")
        else:
            for name in ("ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType"):
                assert meta(doc, name), (page, name)
    wusu = tree(built_site / "notices" / "wusu-16" / "index.html")
    assert meta(wusu, "PubDate") == "2025-06-30 00:00"


def test_government_badge_is_copied_from_the_content_folder(content_copy: Path, tmp_path: Path) -> None:
    images = content_copy / "images"
    images.mkdir()
    shutil.copy(ROOT / "templates" / "site" / "assets" / "police-badge.svg", images / "dzjg.svg")
    site_yaml = content_copy / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace(
        "  # government_badge: images/dzjg.png", "  government_badge: images/dzjg.svg"), encoding="utf-8")
    out = tmp_path / "site"
    build(content_copy, out, "--format", "html")
    doc = tree(out / "regions" / "index.html")
    assert doc.xpath('//p[@class="government-badge"]//img/@src') == ["../assets/identity/dzjg.svg"]
    assert (out / "assets" / "identity" / "dzjg.svg").is_file()


# --- feeds and data --------------------------------------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def test_atom_feed_sitemap_and_robots(built_site: Path) -> None:
    feed = etree.parse(str(built_site / "feed.xml")).getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [
        f"https://www.example.gov.cn/zgwtgs/notices/{i}/" for i in ("wusu-16", "suma-243", "puyang-43")]
    assert feed.findtext(f"{ATOM}updated") == "2025-06-30T00:00:00+08:00"  # from the content, not the clock
    sitemap = etree.parse(str(built_site / "sitemap.xml")).getroot()
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://www.example.gov.cn/zgwtgs/notices/wusu-16/" in locs
    assert len(locs) == len(html_pages(built_site))
    assert "Sitemap: https://www.example.gov.cn/zgwtgs/sitemap.xml" in (built_site / "robots.txt").read_text()


def test_open_data_json_and_csv_carry_the_documented_fields(built_site: Path) -> None:
    document = json.loads((built_site / "data" / "notices.json").read_text(encoding="utf-8"))
    assert document["version"] == 1 and document["count"] == 3
    rows = document["notices"]
    assert [list(r) for r in rows] == [list(FIELDS)] * 3
    wusu = rows[0]
    assert wusu["id"] == "wusu-16" and wusu["url"] == "notices/wusu-16/" and wusu["deadline_due"] == "2025-12-31"
    assert wusu["pdf"] == "notices/wusu-16/wusu-16.pdf" and (built_site / wusu["pdf"]).is_file()
    raw = (built_site / "data" / "notices.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # so that Excel reads UTF-8
    table = list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))
    assert list(table[0]) == list(FIELDS)
    assert [r["id"] for r in table] == [r["id"] for r in rows]
    assert table[1]["publicity_start"] == "2023-07-27" and table[0]["publicity_start"] == ""
    documented = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    undocumented = [f for f in FIELDS if f"`{f}`" not in documented]
    assert undocumented == []


def test_search_index_is_built_for_chinese_notice_text_only(built_site: Path) -> None:
    entry = json.loads((built_site / SEARCH_INDEX / "pagefind-entry.json").read_text())
    languages = entry["languages"]
    assert list(languages) == ["zh-cn"] or list(languages) == ["zh"]
    assert next(iter(languages.values()))["page_count"] == len(notice_ids())  # listings are not indexed


# --- signed PDFs -------------------------------------------------------------------------------------------------

def test_signed_pdf_is_offered_and_carried_over_only_while_it_signs_the_pdf(content_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(content_copy, out, "--format", "html", "--format", "pdf")
    folder = out / "notices" / "suma-243"
    signed = folder / "suma-243.signed.pdf"
    signed.write_bytes((folder / "suma-243.pdf").read_bytes() + b"\n% an incremental update: the signature\n")

    build(content_copy, out, "--format", "html", "--format", "pdf")  # the PDF is unchanged: keep the signed one
    links = tree(folder / "index.html").xpath('//section[@class="downloads"]//a/@href')
    assert links == ["suma-243.pdf", "suma-243.signed.pdf"]
    assert signed.is_file()

    source = content_copy / "notices" / "suma-243.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("宿马园区党工委", "宿马园区党工委（改）"), encoding="utf-8")
    build(content_copy, out, "--format", "html", "--format", "pdf")  # a new PDF: the old signature is stale
    assert not signed.exists()
    assert tree(folder / "index.html").xpath('//section[@class="downloads"]//a/@href') == ["suma-243.pdf"]


def test_a_seal_image_is_beside_the_notice_page_where_the_fragment_points(content_copy: Path, tmp_path: Path) -> None:
    from PIL import Image

    (content_copy / "images").mkdir()
    Image.new("RGBA", (200, 200), (200, 0, 0, 128)).save(content_copy / "images" / "seal.png")
    source = content_copy / "notices" / "puyang-43.yaml"
    text = source.read_text(encoding="utf-8")
    assert "  date: 2023-01-09\n" in text
    source.write_text(text.replace("  date: 2023-01-09\n", "  date: 2023-01-09\n  seal: images/seal.png\n", 1),
                      encoding="utf-8")
    out = tmp_path / "site"
    build(content_copy, out, "--format", "html")
    page = out / "notices" / "puyang-43" / "index.html"
    src = tree(page).xpath('//img[contains(@class, "seal")]/@src')
    assert src == ["images/seal.png"]
    assert (page.parent / src[0]).read_bytes() == (content_copy / "images" / "seal.png").read_bytes()


@pytest.mark.parametrize(("number", "count", "expected"), [
    (1, 1, [1]),
    (1, 3, [1, 2, 3]),
    (1, 50, [1, 2, 3, None, 50]),
    (25, 50, [1, None, 23, 24, 25, 26, 27, None, 50]),
    (4, 50, [1, 2, 3, 4, 5, 6, None, 50]),
    (50, 50, [1, None, 48, 49, 50]),
])
def test_pagination_links_a_window_of_page_numbers(number: int, count: int, expected: list[int | None]) -> None:
    from gazette.site.pages import Group, ListingPage

    assert ListingPage(Group(None, "", []), number, count, []).numbers == expected


def test_without_base_url_no_sitemap_and_the_feed_links_relatively(content_copy: Path, tmp_path: Path) -> None:
    site_yaml = content_copy / "site.yaml"
    text = site_yaml.read_text(encoding="utf-8")
    assert "base_url: https://www.example.gov.cn/zgwtgs/\n" in text
    site_yaml.write_text(text.replace("base_url: https://www.example.gov.cn/zgwtgs/\n", ""), encoding="utf-8")
    out = tmp_path / "site"
    build(content_copy, out, "--format", "html")
    assert not (out / "sitemap.xml").exists()
    assert "Sitemap" not in (out / "robots.txt").read_text()
    feed = etree.parse(str(out / "feed.xml")).getroot()
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href") == "notices/wusu-16/"
    assert entry.findtext(f"{ATOM}id") == "urn:gazette:notices/wusu-16/"
    assert json.loads((out / "data" / "notices.json").read_text(encoding="utf-8"))["notices"][0]["permalink"] is None
