"""The site's 整改情况一览表 (a page per inspection batch, with its DOCX and PDF) and 整改进展 (progress/index.html):
where they are, what links to them, that their tables carry the content's data, and that the downloads open and
are byte-reproducible. (Accessibility and valid HTML of both page types: tests/e2e/.)"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import docx
import pdfplumber
import pytest
from lxml import html as lxml_html

from gazette.loader import load_content
from gazette.site.builddate import CHINA, build_date
from gazette.site.pages import PROGRESS_PAGE, SUMMARIES_DIR, batch_key, inspection_key, slug
from gazette.status import status_summary
from gazette.summary import batches, rows, summary_docx, summary_html, summary_pdf
from tests.conftest import CONTENT
from tests.test_site import build, meta, tree

HEADER = ["序号", "问题", "整改措施", "责任单位", "整改时限", "完成情况", "状态"]
TITLE_END = "反馈问题整改情况一览表"


def summary_folder(site: Path, batch) -> Path:  # noqa: ANN001 - a gazette.summary.Batch
    return site / SUMMARIES_DIR / slug(batch_key(batch.inspection))


@pytest.fixture(scope="module")
def content():  # noqa: ANN201
    return load_content(CONTENT)


def local_links(page: Path) -> list[str]:
    doc = tree(page)
    return [link for attribute in ("href", "src") for link in doc.xpath(f"//@{attribute}")
            if urlsplit(link).scheme not in ("http", "https")]


def assert_links_resolve(page: Path) -> None:
    """Relative links only (the site works from a subfolder and from file://), and each one exists."""
    for link in local_links(page):
        assert not link.startswith("/"), f"{page}: root-relative {link}"
        path = urlsplit(link).path
        if path:
            assert (page.parent / unquote(path)).resolve().exists(), f"{page}: broken link {link}"


# --- 整改情况一览表 ------------------------------------------------------------------------------------------------

def test_a_summary_page_per_batch_in_the_site_layout(built_site: Path, content) -> None:  # noqa: ANN001
    found = batches(content)
    assert len(found) == 3
    pages = sorted((built_site / SUMMARIES_DIR).glob("*/index.html"))
    assert sorted(summary_folder(built_site, b) / "index.html" for b in found) == pages
    for batch in found:
        page = summary_folder(built_site, batch) / "index.html"
        doc = tree(page)
        title = f"{batch.name}{TITLE_END}"
        assert doc.xpath("//h1/text()") == [title]
        assert doc.findtext(".//title") == f"{title} - 生态环境保护督察整改情况公示"
        # the layout every page has: header, navigation, breadcrumbs, footer with the 备案 identity, the date
        assert doc.xpath('//header[@class="site-header"]') and doc.xpath('//nav[@class="site-nav"]')
        assert "示ICP备00000000号" in doc.xpath("//footer")[0].text_content()
        for name in ("SiteName", "SiteIDCode", "ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType",
                     "ArticleTitle", "PubDate"):
            assert meta(doc, name), name
        assert meta(doc, "ColumnName") == batch.name
        newest = max(n.published for n in batch.notices)
        assert doc.xpath('//p[@class="page-date"]/time/@datetime') == [newest.isoformat()]
        crumbs = doc.xpath('//nav[@class="breadcrumbs"]//li')
        assert [c.text_content() for c in crumbs] == ["首页", "按督察批次", batch.name, "整改情况一览表"]
        listing = crumbs[2].xpath("a/@href")[0]
        assert (page.parent / listing).resolve() == (built_site / "inspections" / slug(inspection_key(batch.inspection))
                                                     / "index.html")
        assert_links_resolve(page)


def test_the_table_rows_are_the_notices_of_the_batch_linked_to_their_pages(built_site: Path, content) -> None:  # noqa: ANN001
    for batch in batches(content):
        page = summary_folder(built_site, batch) / "index.html"
        doc = tree(page)
        [table] = doc.xpath('//table[@class="summary-table"]')
        assert table.xpath("caption/text()")[0].startswith(f"{batch.name}{TITLE_END}")
        assert [th.text_content() for th in table.xpath("thead//th")] == HEADER
        assert set(table.xpath("thead//th/@scope")) == {"col"}
        body = table.xpath("tbody/tr")
        assert [tr.get("id") for tr in body] == [row.notice.id for row in rows(content, batch)]
        assert {tr.get("id") for tr in body} == {n.id for n in batch.notices}
        for tr in body:
            notice = next(n for n in batch.notices if n.id == tr.get("id"))
            cells = tr.xpath("td")
            assert cells[0].text_content() == str(notice.finding.number)
            assert cells[1].xpath('p[@class="region"]/text()') == [notice.region]
            assert cells[6].text_content() == notice.status
            [href] = tr.xpath('.//p[@class="link"]/a/@href')
            assert href == f"../../notices/{notice.id}/index.html"
            assert (page.parent / href).resolve() == built_site / "notices" / notice.id / "index.html"


def test_the_site_table_is_the_standalone_table(built_site: Path, content) -> None:  # noqa: ANN001
    """One table markup (templates/summary-table.html.j2): the site's rows read as `gazette summary`'s HTML."""
    def cells(doc: lxml_html.HtmlElement) -> list[list[str]]:
        return [["".join(p.text_content() for p in td.xpath("p[not(@class='link')]")) for td in tr.xpath("td")]
                for tr in doc.xpath("//tbody/tr")]

    for batch in batches(content):
        standalone = lxml_html.fromstring(summary_html(content, batch))
        site = tree(summary_folder(built_site, batch) / "index.html")
        assert cells(site) == cells(standalone)
        assert site.xpath('//p[@class="lead"]')[0].text_content() == standalone.xpath(
            '//p[@class="summary-meta"]')[0].text_content()


def test_downloads_exist_open_and_show_their_sizes(built_site: Path, content) -> None:  # noqa: ANN001
    for batch in batches(content):
        folder = summary_folder(built_site, batch)
        items = tree(folder / "index.html").xpath('//section[@class="downloads"]//li')
        assert [li.xpath("a/@href")[0] for li in items] == ["summary.docx", "summary.pdf"]
        title = f"{batch.name}{TITLE_END}"
        assert [li.xpath("a/@download")[0] for li in items] == [f"{title}.docx", f"{title}.pdf"]
        for li in items:
            size = (folder / li.xpath("a/@href")[0]).stat().st_size
            assert f"（{max(1, round(size / 1024))} KB" in li.text_content()
        document = docx.Document(str(folder / "summary.docx"))
        [table] = document.tables
        assert [c.text for c in table.rows[0].cells] == HEADER
        assert len(table.rows) == 1 + len(batch.notices)
        with pdfplumber.open(folder / "summary.pdf") as pdf:
            assert all(p.width > p.height for p in pdf.pages)  # A4 landscape
            text = re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in pdf.pages))
        assert title in text and all(str(n.finding.number) in text for n in batch.notices)


def test_downloads_are_byte_reproducible(built_site: Path, content, tmp_path: Path) -> None:  # noqa: ANN001
    """Written again now, elsewhere, seconds or minutes after the build: the same bytes."""
    time.sleep(2.1)  # past the 2-second resolution of zip timestamps, in case the build was that recent
    for batch in batches(content):
        folder = summary_folder(built_site, batch)
        summary_docx(content, batch, tmp_path / "again.docx")
        summary_pdf(content, batch, tmp_path / "again.pdf")
        assert (tmp_path / "again.docx").read_bytes() == (folder / "summary.docx").read_bytes(), batch.name
        assert (tmp_path / "again.pdf").read_bytes() == (folder / "summary.pdf").read_bytes(), batch.name


def test_summaries_are_linked_from_their_inspection_listing_and_the_inspections_index(built_site: Path,
                                                                                       content) -> None:  # noqa: ANN001
    index = built_site / "inspections" / "index.html"
    from_index = {(index.parent / href).resolve() for href in tree(index).xpath('//a[@class="summary-link"]/@href')}
    for batch in batches(content):
        target = (summary_folder(built_site, batch) / "index.html").resolve()
        assert target in from_index
        listing = built_site / "inspections" / slug(inspection_key(batch.inspection)) / "index.html"
        links = tree(listing).xpath('//ul[@class="summary-links"]//a')
        assert [(listing.parent / a.get("href")).resolve() for a in links] == [target]
        assert links[0].text_content() == f"{batch.name}{TITLE_END}"
    # listings of regions and statuses have none
    assert not tree(next((built_site / "regions").glob("*/index.html"))).xpath('//ul[@class="summary-links"]')


def test_an_html_only_build_offers_no_summary_documents(tmp_path: Path, content) -> None:  # noqa: ANN001
    out = tmp_path / "site"
    build(CONTENT, out, "--format", "html")
    for batch in batches(content):
        folder = summary_folder(out, batch)
        assert sorted(p.name for p in folder.iterdir()) == ["index.html"]
        assert not tree(folder / "index.html").xpath('//section[@class="downloads"]')


# --- 整改进展 ---------------------------------------------------------------------------------------------------

def progress_tables(page: Path) -> dict[str, list[list[str]]]:
    """Each table of the page by id: its body rows as cell texts (the row header first)."""
    doc = tree(page)
    return {table.get("id"): [[cell.text_content() for cell in tr.xpath("th|td")] for tr in table.xpath("tbody/tr")]
            for table in doc.xpath("//table")}


def assert_progress_page_matches(site: Path, content, as_of: dt.date) -> dict:  # noqa: ANN001
    page = site / PROGRESS_PAGE
    data = status_summary(content, as_of).as_dict()
    doc = tree(page)
    tables = progress_tables(page)
    assert tables["status-counts"] == [[c["status"], "是" if c["done"] else "否", str(c["count"])] for c in data["counts"]]
    assert tables["region-counts"] == [[r["region"], str(r["total"]), str(r["done"]), str(r["overdue"])]
                                       for r in data["regions"]]
    assert [row[0] for row in tables.get("overdue-items", [])] == [item["title"] for item in data["overdue"]]
    assert [row[-1] for row in tables.get("overdue-items", [])] == [str(item["days"]) for item in data["overdue"]]
    assert [row[0] for row in tables.get("publicity-ending-items", [])] == [item["title"] for item in data["publicity_ending"]]
    lead = doc.xpath('//p[@class="lead"]')[0].text_content()
    assert f"共{data['total']}个问题，已完成{data['done']}个，逾期未完成{len(data['overdue'])}个" in lead
    assert doc.xpath('//p[@class="page-date"]/time/@datetime') == [data["as_of"]]
    # accessible tables: a caption each, column headers and row headers scoped
    for table in doc.xpath("//table"):
        assert table.xpath("caption/text()"), table.get("id")
        assert set(table.xpath("thead//th/@scope")) == {"col"}
        assert set(table.xpath("tbody//th/@scope")) == {"row"}
    for item in data["overdue"] + data["publicity_ending"]:
        href = doc.xpath(f'//th/a[text()="{item["title"]}"]/@href')[0]
        assert (page.parent / href).resolve() == site / "notices" / item["id"] / "index.html"
    assert_links_resolve(page)
    return data


def test_progress_page_counts_match_status_summary_as_of_the_build_date(built_site: Path, content) -> None:  # noqa: ANN001
    data = assert_progress_page_matches(built_site, content, build_date())
    assert data["total"] == 3 and data["done"] == 2
    doc = tree(built_site / PROGRESS_PAGE)
    for name in ("ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType"):
        assert meta(doc, name)
    assert [c.text_content() for c in doc.xpath('//nav[@class="breadcrumbs"]//li')] == ["首页", "整改进展"]


@pytest.mark.parametrize(("day", "overdue", "ending"), [
    (dt.date(2023, 1, 15), [], ["puyang-43"]),  # 公示期 2023-01-09 to 2023-01-20: 5 days left
    (dt.date(2026, 1, 5), ["wusu-16"], []),     # 2025年12月底 has passed, 已完成现阶段整改 is not done
])
def test_progress_page_lists_overdue_findings_and_publicity_ending(tmp_path: Path, content, day: dt.date,  # noqa: ANN001
                                                                    overdue: list[str], ending: list[str]) -> None:
    out = tmp_path / "site"
    epoch = int(dt.datetime.combine(day, dt.time(12), tzinfo=CHINA).timestamp())
    build(CONTENT, out, "--format", "html", epoch=str(epoch))  # the build date, never the clock
    data = assert_progress_page_matches(out, content, day)
    assert [item["id"] for item in data["overdue"]] == overdue
    assert [item["id"] for item in data["publicity_ending"]] == ending


def test_every_page_links_the_progress_page_from_its_navigation(built_site: Path) -> None:
    for page in [built_site / "index.html", built_site / "notices" / "wusu-16" / "index.html",
                 *sorted((built_site / SUMMARIES_DIR).glob("*/index.html"))]:
        nav = tree(page).xpath('//nav[@class="site-nav"]//a[text()="整改进展"]/@href')
        assert len(nav) == 1 and (page.parent / nav[0]).resolve() == (built_site / PROGRESS_PAGE).resolve(), page
    current = tree(built_site / PROGRESS_PAGE).xpath('//nav[@class="site-nav"]//a[@aria-current="page"]/text()')
    assert current == ["整改进展"]


def test_a_cell_with_a_markdown_table_stays_one_row_of_seven_cells(content_copy: Path, tmp_path: Path) -> None:
    """Markdown with several blocks in a cell (a paragraph and a table) is a <div> of blocks, never blocks in
    a <p>; the DOCX keeps the summary table's seven columns and gives the inner table's rows as paragraphs."""
    source = content_copy / "notices" / "puyang-43.yaml"
    text = source.read_text(encoding="utf-8")
    item = "  - 各县（区）持续开展农村黑臭水体排查，推动黑臭水体清单动态更新。\n"
    assert item in text
    table = ('  - |-\n    各县（区）持续开展农村黑臭水体排查。\n\n    | 年份 | 整治数 |\n    |---|---|\n'
             '    | 2022 | 12 |\n    | 2023 | 30 |\n')
    source.write_text(text.replace(item, table), encoding="utf-8")
    content = load_content(content_copy)
    [batch] = [b for b in batches(content) if any(n.id == "puyang-43" for n in b.notices)]
    page = lxml_html.fromstring(summary_html(content, batch, for_print=True))
    [row] = page.xpath("//table[@class='summary-table']/tbody/tr")
    completion = row.xpath("td")[5]
    assert len(row.xpath("td")) == 7 and not completion.xpath(".//p//p | .//p//table")
    assert completion.xpath('div[@class="md"]/p[1]')[0].text_content() == "2.各县（区）持续开展农村黑臭水体排查。"
    summary_docx(content, batch, tmp_path / "t.docx")
    [docx_table] = docx.Document(str(tmp_path / "t.docx")).tables
    assert [c.text for c in docx_table.rows[0].cells] == HEADER
    assert [p.text for p in docx_table.rows[1].cells[5].paragraphs] == [
        "1.督察组反馈的3处水体黑臭问题均已整改完毕。", "2.各县（区）持续开展农村黑臭水体排查。",
        "年份\u3000整治数", "2022\u300012", "2023\u300030"]
