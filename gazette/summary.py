"""整改情况一览表: every finding of one inspection batch in one table, as an HTML page, a landscape A4 PDF and a
landscape A4 DOCX.

templates/summary.html.j2 holds all wording (title, column names). The PDF is that page laid out by WeasyPrint
with the print rules of templates/summary.css.j2 (the <thead> repeats on every page; rows do not split). The
DOCX is built from the same page's table, marking the header row to repeat (w:tblHeader) and every row as not
splittable across pages (w:cantSplit), so Word and WPS paginate the same way.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from lxml import html as lxml_html
from markupsafe import Markup

from gazette.errors import GazetteError
from gazette.loader import Content
from gazette.model import Inspection, Notice
from gazette.render.html import template_dirs

FORMATS = ("html", "docx", "pdf")


@dataclass(frozen=True)
class Row:
    notice: Notice
    done: bool


@dataclass
class Batch:
    """The notices of one inspection batch (the same 督察: level, round, batch, type and name)."""

    inspection: Inspection
    name: str  # as the site names it (templates/site/macros.html.j2 inspection_name)
    notices: list[Notice]


def batches(content: Content) -> list[Batch]:
    groups: dict[str, list[Notice]] = {}
    for notice in content.notices:
        groups.setdefault(notice.inspection.model_dump_json(), []).append(notice)
    naming = _snippet(content, '{% import "site/macros.html.j2" as m %}{{ m.inspection_name(i) | trim }}')
    found = [Batch(notices[0].inspection, naming.render(i=notices[0].inspection), notices) for notices in groups.values()]
    return sorted(found, key=lambda b: b.name)


def select_batch(content: Content, name: str) -> Batch:
    """The batch named `name` (its full name, or a part of it that names only one batch: 第二批)."""
    found = batches(content)
    exact = [b for b in found if b.name == name or b.inspection.name == name]
    partial = [b for b in found if name in b.name]
    chosen = exact or partial
    if len(chosen) == 1:
        return chosen[0]
    names = "、".join(b.name for b in found)
    if not chosen:
        raise GazetteError(f"没有名为“{name}”的督察批次，现有：{names}")
    raise GazetteError(f"“{name}”对应多个督察批次，请写全称：{'、'.join(b.name for b in chosen)}")


def rows(content: Content, batch: Batch) -> list[Row]:
    done = {s.name for s in content.site.statuses if s.done}
    ordered = sorted(batch.notices, key=lambda n: (n.region, n.finding.number, n.id))
    return [Row(n, n.status in done) for n in ordered]


def summary_html(content: Content, batch: Batch, *, for_print: bool = False,
                 link_notices: Callable[[Notice], str] | None = None) -> str:
    """The page. For the site, link_notices(notice) gives the href of each notice's page (relative to where
    the summary page is written); without it the page stands alone. For print, rows too tall for one page are
    marked "long" so that they may break (see too_tall)."""
    html = _render(content, batch, for_print, link_notices, frozenset())
    if not for_print:
        return html
    long_rows = frozenset(tr.get("id") for tr in lxml_html.fromstring(html).findall(".//table[@class='summary-table']/tbody/tr")
                          if too_tall(_cell_texts(tr), PRINT_FONT_PT))
    return _render(content, batch, for_print, link_notices, long_rows) if long_rows else html


def _render(content: Content, batch: Batch, for_print: bool, link_notices: Callable[[Notice], str] | None,
            long_rows: frozenset[str]) -> str:
    fonts = content.site.fonts
    stacks = {role: Markup(", ".join(f'"{f}"' for f in getattr(fonts, role)) + ", serif")
              for role in ("title", "body", "heading1", "heading2", "page_number")}
    return _env(content).get_template("summary.html.j2").render(
        site=content.site, inspection=batch.inspection, rows=rows(content, batch), as_of=as_of(batch),
        fonts=stacks, for_print=for_print, link_notices=link_notices, long_rows=long_rows)


# --- will a row fit on one page? --------------------------------------------------------------------------------

# Landscape A4 less margins, and the share of the line each column gets (as in summary.css.j2).
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 297 - 24, 210 - 30
COLUMN_SHARES = (4, 16, 26, 9, 8, 29, 8)
PRINT_FONT_PT = 9  # the PDF's table text
LINE_HEIGHT = 1.45
PT_MM = 25.4 / 72


def too_tall(cells: list[list[str]], font_pt: float) -> bool:
    """Whether a row (its cells' paragraphs) would need more than a page, header row and title excepted.
    Keeping such a row whole is impossible, and asking for it makes WeasyPrint leave a blank page before it
    and Word hide its overflow; every other row is kept whole."""
    from gazette.render.html import em_width

    height = 0.0
    for share, paragraphs in zip(COLUMN_SHARES, cells):
        chars_per_line = max(1.0, (PAGE_WIDTH_MM * share / sum(COLUMN_SHARES) - 2.5) / (font_pt * PT_MM))
        lines = sum(max(1, -(-em_width(p) // chars_per_line)) for p in paragraphs)
        height = max(height, lines * font_pt * LINE_HEIGHT * PT_MM + len(paragraphs) * font_pt * 0.25 * PT_MM)
    return height > PAGE_HEIGHT_MM - 25  # room for the repeated header row


def _cell_texts(tr) -> list[list[str]]:  # noqa: ANN001 - an lxml <tr>
    return [[text for _, text in _cell_paragraphs(td)] for td in tr.findall("td")]


def _cell_paragraphs(td) -> list[tuple[str | None, str]]:  # noqa: ANN001 - an lxml <td>
    """A cell's text as the DOCX's paragraphs, (class, text): each <p>, and inside Markdown blocks
    (summary-table.html.j2 cell_text) each list item and each row of a table, its cells spaced; not the link
    to the notice page."""
    found: list[tuple[str | None, str]] = []

    def walk(element) -> None:  # noqa: ANN001
        for child in element:
            if child.tag == "p":
                if child.get("class") != "link":
                    found.append((child.get("class"), child.text_content()))
            elif child.tag == "li":
                found.append((None, child.text_content()))
            elif child.tag == "tr":
                found.append((None, "　".join(c.text_content().strip() for c in child if c.tag in ("td", "th"))))
            elif child.tag in ("div", "ol", "ul", "table", "thead", "tbody", "tfoot"):
                walk(child)

    walk(td)
    return found


def as_of(batch: Batch) -> dt.date:
    """The date the table speaks for: the newest notice in it (not today, so the same content gives the
    same document)."""
    return max(n.published for n in batch.notices)


def _env(content: Content):  # noqa: ANN202
    """The site's environment: the notice filters plus the site's, so that the batch is named by the same
    macro (templates/site/macros.html.j2 inspection_name) as on the site's listing pages."""
    from gazette.site.writer import site_environment

    return site_environment(tuple(template_dirs(content.root)))


def _snippet(content: Content, source: str):  # noqa: ANN202
    """A one-line template over the site's macros, compiled once per template folders."""
    return _compiled_snippet(tuple(template_dirs(content.root)), source)


@lru_cache(maxsize=16)
def _compiled_snippet(dirs: tuple[Path, ...], source: str):  # noqa: ANN202
    from gazette.site.writer import site_environment

    return site_environment(dirs).from_string(source)


def file_stem(content: Content, batch: Batch) -> str:
    """The page's <title> (the summary_title macro) as a file name:
    自治区第一轮第二批生态环境保护督察反馈问题整改情况一览表"""
    title = _snippet(content, '{% import "summary-table.html.j2" as s %}{{ s.summary_title(i) }}')
    text = lxml_html.fromstring(f"<p>{title.render(i=batch.inspection)}</p>").text_content() or batch.name
    return re.sub(r'[\\/:*?"<>|\s]+', "", text)


# --- PDF ------------------------------------------------------------------------------------------------------------

def summary_pdf(content: Content, batch: Batch, target: Path, html: str | None = None) -> None:
    """`html`: summary_html(content, batch, for_print=True), when the caller has it already."""
    from gazette.render.pdf import SafeFetcher, font_configuration  # first: it imports WeasyPrint the quick way

    import weasyprint

    fetcher = SafeFetcher([content.root, *template_dirs(content.root)])
    document = weasyprint.HTML(string=html or summary_html(content, batch, for_print=True),
                               base_url=str(content.root) + "/", url_fetcher=fetcher)
    # PDF/A like the notices, so the table can go into the same archive
    document.write_pdf(target, pdf_variant=content.site.pdf.variant, pdf_identifier=file_stem(content, batch).encode(),
                       custom_metadata=False, font_config=font_configuration())


# --- DOCX -----------------------------------------------------------------------------------------------------------

TABLE_FONT_PT = 10.5  # 五号
TITLE_FONT_PT = 18  # 小二


def summary_docx(content: Content, batch: Batch, target: Path, html: str | None = None) -> None:
    """`html`: summary_html(content, batch, for_print=True), when the caller has it already."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    page = lxml_html.fromstring(html or summary_html(content, batch, for_print=True))
    fonts = content.site.fonts
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(12)
    section.top_margin = section.bottom_margin = Mm(15)
    body = document.element.body
    for paragraph in list(document.paragraphs):  # the empty paragraph a new document starts with
        body.remove(paragraph._p)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, page.findtext(".//h1"), fonts.title[0], Pt(TITLE_FONT_PT))
    meta = document.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(meta, page.find(".//p[@class='summary-meta']").text_content(), fonts.heading2[0], Pt(12))

    summary_table = page.find(".//table[@class='summary-table']")  # not a table inside a cell's text
    header = [th.text_content() for th in summary_table.findall("thead/tr/th")]
    body_rows = summary_table.findall("tbody/tr")
    table = document.add_table(rows=1 + len(body_rows), cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    usable = Mm(PAGE_WIDTH_MM)
    widths = [int(usable * share / sum(COLUMN_SHARES)) for share in COLUMN_SHARES]
    for col, text in enumerate(header):
        cell = table.rows[0].cells[col]
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(cell.paragraphs[0], text, fonts.heading1[0], Pt(TABLE_FONT_PT))
    for r, tr in enumerate(body_rows, start=1):
        for col, td in enumerate(tr.findall("td")):
            _fill_cell(table.rows[r].cells[col], td, fonts)
    splittable = {r for r, tr in enumerate(body_rows, start=1) if too_tall(_cell_texts(tr), TABLE_FONT_PT)}
    for row_index, row in enumerate(table.rows):
        _row_properties(row, header=row_index == 0, keep_whole=row_index not in splittable)
        for col, cell in enumerate(row.cells):
            cell.width = widths[col]
    _fixed_layout(table, widths)
    document.core_properties.title = page.findtext(".//title")
    document.core_properties.author = content.site.organisation
    stamp = dt.datetime.combine(as_of(batch), dt.time(0, 0))
    document.core_properties.created = document.core_properties.modified = stamp
    buffer = io.BytesIO()
    document.save(buffer)
    # python-docx stamps each zip entry with the clock: fixed stamps, so the site's copy is byte-reproducible
    from gazette.render.docx import _reproducible_zip

    target.write_bytes(_reproducible_zip(buffer.getvalue(), as_of(batch)))


def _fill_cell(cell, td, fonts) -> None:  # noqa: ANN001 - python-docx cell, lxml element, Fonts
    """One paragraph per <p> of the page's cell; the region line in the 黑体 role, like on the page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    centred = {"number", "status"} & set((td.get("class") or "").split())
    for index, (kind, text) in enumerate(_cell_paragraphs(td)):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        if centred:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        family = fonts.heading1[0] if kind == "region" else fonts.body[0]
        _run(paragraph, text, family, Pt(TABLE_FONT_PT))


def _run(paragraph, text: str | None, family: str, size) -> None:  # noqa: ANN001 - python-docx objects
    from docx.oxml.ns import qn

    run = paragraph.add_run(text or "")
    run.font.size = size
    run.font.name = family
    fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), family)  # Chinese text uses the East Asian font, not w:ascii


def _row_properties(row, *, header: bool, keep_whole: bool) -> None:  # noqa: ANN001
    """w:cantSplit: a row is never split across pages (Word moves it whole to the next page);
    w:tblHeader: the first row repeats at the top of every page."""
    from docx.oxml import OxmlElement

    properties = row._tr.get_or_add_trPr()
    if keep_whole:
        properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


def _fixed_layout(table, widths: list[int]) -> None:  # noqa: ANN001
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)
    grid = table._tbl.tblGrid
    for column, width in zip(grid.findall(qn("w:gridCol")), widths):
        column.set(qn("w:w"), str(int(width / 635)))  # EMU → twips


# --- all of it --------------------------------------------------------------------------------------------------------

def write_summaries(content: Content, out: Path, *, batch_name: str | None = None,
                    formats: tuple[str, ...] = FORMATS) -> list[Path]:
    chosen = [select_batch(content, batch_name)] if batch_name else batches(content)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for batch in chosen:
        stem = file_stem(content, batch)
        for fmt in formats:
            target = out / f"{stem}.{fmt}"
            if fmt == "html":
                target.write_text(summary_html(content, batch), encoding="utf-8")
            elif fmt == "pdf":
                summary_pdf(content, batch, target)
            else:
                summary_docx(content, batch, target)
            written.append(target)
    return written
