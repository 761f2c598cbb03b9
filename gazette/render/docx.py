"""DOCX: python-docx, built by walking the rendered notice HTML (the same fragment the PDF and site use).

The writer knows no wording and no section order: it maps the template's classes to named paragraph styles
(标题, 正文, 一级标题 …) that carry the East Asian fonts, so staff can restyle the document in Word or WPS,
and copies text and inline fonts run by run. Page geometry, the 22-line grid and the odd/even "— N —"
footers are written as XML, since python-docx has no API for them.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import zipfile
from functools import lru_cache
from pathlib import Path

import docx
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from lxml import html as lxml_html

from gazette.errors import GazetteError
from gazette.loader import Content, check_asset_path, check_image, locate
from gazette.model import Fonts
from gazette.render.html import RenderedNotice

# GB/T 9704 page and grid, in the units Word uses.
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
# 225 mm / 22 lines = 579.8 twips (1 twip = 635 EMU), rounded down: 580 would make 22 lines 0.08 mm taller
# than the 版心, and Word and LibreOffice would then fit only 21.
LINE_PITCH = Twips(int(Mm(225) / 22 / 635))
BODY_SIZE = Pt(16)
CHAR_SPACING_TWENTIETHS = -5  # −0.25 pt: 28 cells of 16 pt fill 156 mm (LibreOffice and Word agree)

# Template class → paragraph style. Styles are defined in _define_styles.
STYLE_OF_CLASS = {
    "notice-title": "标题",
    "lvl1": "一级标题",
    "lvl2": "二级标题",
    "signature-org": "落款",
    "signature-date": "成文日期",
    "attachment-label": "附件标识",
    "attachment-title": "附件标题",
}
# Inline class → font role.
ROLE_OF_CLASS = {"lvl1-head": "heading1", "lvl2-head": "heading2", "marker": "body"}
# Paragraph style → the font role its text has without a run-level font.
_ROLE_OF_STYLE = {"标题": "title", "附件标题": "title", "一级标题": "heading1", "附件标识": "heading1",
                  "二级标题": "heading2", "页码": "page_number"}


def render_docx(rendered: RenderedNotice, content: Content, target: Path) -> None:
    fonts = content.site.fonts
    document = docx.Document(io.BytesIO(_blank_document(fonts.model_dump_json())))
    _set_properties(document, rendered, content)
    fragment = lxml_html.fragment_fromstring(rendered.html)
    _Writer(document, fonts, content, rendered).block(fragment, None)
    target.write_bytes(_reproducible_zip(_package_members(document), rendered.notice.published))


def _package_members(document) -> dict[str, bytes] | bytes:
    """What document.save would zip, member by member, without zipping it: _reproducible_zip writes the one
    zip (saving first compressed every part twice, 15 ms a notice). python-docx's own save is the fallback."""
    from docx.opc.pkgwriter import PackageWriter

    members: dict[str, bytes] = {}

    class Members:
        @staticmethod
        def write(pack_uri, blob: bytes) -> None:
            members[pack_uri.membername] = blob

    package = document.part.package
    try:
        for part in package.parts:
            part.before_marshal()
        PackageWriter._write_content_types_stream(Members, package.parts)
        PackageWriter._write_pkg_rels(Members, package.rels)
        PackageWriter._write_parts(Members, package.parts)
    except AttributeError:  # another python-docx
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
    return members


@lru_cache(maxsize=4)
def _blank_document(fonts_json: str) -> bytes:
    """The empty notice document (styles, page, grid, footers), made once per process and per font set:
    setting up the styles costs more than writing a notice's text."""
    fonts = Fonts.model_validate_json(fonts_json)
    document = docx.Document()
    _define_styles(document, fonts)
    _set_up_page(document, fonts)
    body = document.element.body
    # python-docx starts with one empty paragraph in a fresh document: drop it so the notice starts at line 1
    for paragraph in list(body.iterchildren(qn("w:p"))):
        body.remove(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- styles and page -----------------------------------------------------------------------------------------

def _set_run_fonts(rpr, family: str) -> None:
    """Set every script's font to `family` and drop theme fonts (python-docx's font.name sets only Latin)."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        if "Theme" in attr or "theme" in attr:
            del rfonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), family)


def _style(document, name: str, family: str, size: Pt, *, align=None, first_line_chars: int | None = 200,
           outline: int | None = None, char_spacing: bool = True):
    styles = document.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles["Normal"]
        style.quick_style = True
    style.font.size = size
    style.font.bold = False
    rpr = style.element.get_or_add_rPr()
    _set_run_fonts(rpr, family)
    if char_spacing:
        spacing = rpr.find(qn("w:spacing"))
        if spacing is None:
            spacing = OxmlElement("w:spacing")
            rpr.append(spacing)
        spacing.set(qn("w:val"), str(CHAR_SPACING_TWENTIETHS))
    fmt = style.paragraph_format
    # Single spacing snapped to the document grid: every line, whatever its font, takes exactly one grid line
    # of 225/22 mm (an exact line height would be rounded differently by Word and LibreOffice).
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    # A full page holds 22 lines: no paragraph is pushed to the next page to avoid a widow or an orphan.
    fmt.widow_control = False
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.JUSTIFY
    ppr = style.element.get_or_add_pPr()
    for old in ppr.findall(qn("w:ind")):
        ppr.remove(old)
    ind = OxmlElement("w:ind")
    if first_line_chars:
        # both: firstLineChars for Word/WPS (2 字 whatever the font), firstLine for readers that ignore it
        ind.set(qn("w:firstLineChars"), str(first_line_chars))
        ind.set(qn("w:firstLine"), str(int(BODY_SIZE.pt * 20 * first_line_chars / 100)))
    else:
        ind.set(qn("w:firstLine"), "0")
    ppr.append(ind)
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "1")
    ppr.append(snap)
    if outline is not None:
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline))
        ppr.append(level)
    return style


def _define_styles(document, fonts) -> None:
    body, title, h1, h2 = fonts.body[0], fonts.title[0], fonts.heading1[0], fonts.heading2[0]
    # Normal is 正文 under another name in every Word: set it too, so nothing falls back to Calibri 11 pt.
    _style(document, "Normal", body, BODY_SIZE)
    _style(document, "正文", body, BODY_SIZE)
    title_style = _style(document, "标题", title, Pt(22), align=WD_ALIGN_PARAGRAPH.CENTER, first_line_chars=None,
                         char_spacing=False)
    title_style.paragraph_format.space_after = LINE_PITCH  # one blank line below the title, as in the PDF
    _style(document, "一级标题", h1, BODY_SIZE, outline=0)
    _style(document, "二级标题", h2, BODY_SIZE, outline=1)
    _style(document, "落款", body, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.RIGHT, first_line_chars=None)
    _style(document, "成文日期", body, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.RIGHT, first_line_chars=None)
    _style(document, "附件标识", h1, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.LEFT, first_line_chars=None)
    _style(document, "附件标题", title, Pt(22), align=WD_ALIGN_PARAGRAPH.CENTER, first_line_chars=None,
           char_spacing=False)
    _style(document, "页码", fonts.page_number[0], Pt(14), first_line_chars=None, char_spacing=False)
    # the document defaults (docDefaults) too: East Asian text with no style must not take a theme font
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            _set_run_fonts(rpr, body)


def _set_up_page(document, fonts) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = Mm(15)
    # The footer's page number has its top 7 mm below the 版心: 35 − 7 mm from the bottom edge, less the
    # height of a 14 pt line.
    section.footer_distance = Mm(35 - 7) - Pt(14) - Pt(4)
    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(old)
    grid = OxmlElement("w:docGrid")
    # "lines" (not "linesAndChars"): LibreOffice reads a character grid with negative pitch as two cells per
    # glyph; character spacing on the styles gives the 28 characters instead.
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(int(LINE_PITCH / 635)))
    sect_pr.append(grid)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, fonts, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number_footer(section.even_page_footer, fonts, WD_ALIGN_PARAGRAPH.LEFT)


def _page_number_footer(footer, fonts, align) -> None:
    """"— N —" with a real PAGE field, 4号 宋体, 空一字 from the 版心's edge on the page's outer side."""
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.style = "页码"
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = Pt(14)
    else:
        fmt.left_indent = Pt(14)
    paragraph.add_run("— ")
    _add_field(paragraph, "PAGE")
    paragraph.add_run(" —")


def _add_field(paragraph, instruction: str) -> None:
    def char(kind: str):
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    char("separate")
    paragraph.add_run("1")
    char("end")


def _set_properties(document, rendered: RenderedNotice, content: Content) -> None:
    notice = rendered.notice
    stamp = dt.datetime.combine(notice.published, dt.time(0, 0))
    props = document.core_properties
    props.title = notice.title
    props.author = content.site.organisation
    props.last_modified_by = content.site.organisation
    props.subject = "整改情况公示"
    props.keywords = f"整改情况公示; {notice.region}"
    props.language = "zh-CN"
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    props.comments = ""
    props.identifier = notice.id


def _reproducible_zip(data: bytes | dict[str, bytes], date: dt.date) -> bytes:
    """Rewrite the package (a zip, or its members by name) with a fixed timestamp on every entry, in a fixed
    order: same inputs, same bytes."""
    if isinstance(data, dict):
        members = data
    else:
        source = zipfile.ZipFile(io.BytesIO(data))
        members = {name: source.read(name) for name in source.namelist()}
    out = io.BytesIO()
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    names = list(members)
    # [Content_Types].xml first, as Office writes it; the rest sorted
    ordered = [n for n in names if n == "[Content_Types].xml"] + sorted(n for n in names if n != "[Content_Types].xml")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, members[name])
    return out.getvalue()


SEAL_SIZE = Mm(42)


def _float_behind_text(run, *, left: int, top: int) -> None:
    """Turn the run's inline picture into one anchored behind the text (python-docx only makes inline ones):
    horizontally from the left margin, vertically from the paragraph's top, in EMU."""
    inline = run._r.find(".//" + qn("wp:inline"))
    anchor = OxmlElement("wp:anchor")
    for name, value in (("distT", "0"), ("distB", "0"), ("distL", "0"), ("distR", "0"), ("simplePos", "0"),
                        ("relativeHeight", "251659264"), ("behindDoc", "1"), ("locked", "0"),
                        ("layoutInCell", "1"), ("allowOverlap", "1")):
        anchor.set(name, value)
    simple = OxmlElement("wp:simplePos")
    simple.set("x", "0")
    simple.set("y", "0")
    anchor.append(simple)
    for axis, relative, offset in (("wp:positionH", "margin", left), ("wp:positionV", "paragraph", top)):
        position = OxmlElement(axis)
        position.set("relativeFrom", relative)
        value = OxmlElement("wp:posOffset")
        value.text = str(offset)
        position.append(value)
        anchor.append(position)
    anchor.append(copy.deepcopy(inline.find(qn("wp:extent"))))
    effect = OxmlElement("wp:effectExtent")
    for side in "ltrb":
        effect.set(side, "0")
    anchor.append(effect)
    anchor.append(OxmlElement("wp:wrapNone"))
    for name in ("wp:docPr", "wp:cNvGraphicFramePr", "a:graphic"):
        anchor.append(copy.deepcopy(inline.find(qn(name))))
    inline.getparent().replace(inline, anchor)


# --- walking the HTML ----------------------------------------------------------------------------------------

_EM_LENGTH = re.compile(r"(padding-right|padding-left|text-indent):\s*(-?[\d.]+)em")


def _drop_char_indent(paragraph) -> None:
    """A paragraph's own indent must win over the style's firstLineChars (which Word prefers to firstLine)."""
    ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
    if ind is not None:
        ind.set(qn("w:firstLineChars"), "0")
        ind.set(qn("w:hangingChars"), "0")


class _Writer:
    def __init__(self, document, fonts, content: Content, rendered: RenderedNotice):
        self.document = document
        self.rendered = rendered
        self.fonts = fonts
        self.content = content
        self.pending_seal: tuple[Path, float] | None = None
        # python-docx finds a style by name, and checks whether it is the default one, by reading every style of
        # the document: a third of a notice's time when done per paragraph and per run. Looked up once here.
        self._style_ids: dict[str, str | None] = {}
        self._style_names: dict[str | None, str] = {}

    def add_paragraph(self, style: str):
        """document.add_paragraph(style=style), the style's id looked up once per document."""
        paragraph = self.document.add_paragraph()
        self.set_style(paragraph, style)
        return paragraph

    def set_style(self, paragraph, style: str) -> None:
        if style not in self._style_ids:
            self._style_ids[style] = self.document.part.get_style_id(style, WD_STYLE_TYPE.PARAGRAPH)
        paragraph._p.style = self._style_ids[style]

    def style_name(self, paragraph) -> str:
        style_id = paragraph._p.style
        if style_id not in self._style_names:
            self._style_names[style_id] = paragraph.style.name
        return self._style_names[style_id]

    def block(self, element, style: str | None) -> None:
        """Walk block-level elements; each <p>, <h1>, <h2>, <li> becomes one paragraph."""
        for child in element:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            classes = set((child.get("class") or "").split())
            child_style = next((STYLE_OF_CLASS[c] for c in classes if c in STYLE_OF_CLASS), None)
            if tag in ("p", "h1", "h2", "h3", "figcaption"):
                self.paragraph(child, child_style or ("一级标题" if tag == "h2" else "正文"))
            elif tag == "li":
                if any(isinstance(c.tag, str) and c.tag in ("p", "ol", "ul", "table") for c in child):
                    self.list_item_with_blocks(child)
                else:
                    self.paragraph(child, child_style or "正文")
            elif tag == "table":
                self.table(child)
            elif tag == "img":
                self.image(child)
            elif tag == "section" and "attachment" in classes:
                self.page_break()
                self.block(child, child_style)
            elif tag == "div" and "signature" in classes:
                self.blank_line()
                if "sealed" in classes:
                    self.blank_line()  # with a seal the 署名 sits two lines below the body, low in the seal
                self.block(child, child_style)
            elif tag == "div" and "attachment-note" in classes:
                self.blank_line()
                self.block(child, child_style)
            else:
                self.block(child, child_style)

    def list_item_with_blocks(self, li) -> None:
        """An item whose text has several blocks: the marker starts the first paragraph, or stands in a
        paragraph of its own when the item opens with another block (a quote, a list, a table)."""
        marker = li.find("span")
        pending_marker = marker is not None
        for child in li:
            if child is marker or not isinstance(child.tag, str):
                continue
            if pending_marker and child.tag == "p":
                paragraph = self.add_paragraph("正文")
                self.inline(paragraph, marker, "body")
                self.inline(paragraph, child, "body")
            else:
                if pending_marker:
                    self.inline(self.add_paragraph("正文"), marker, "body")
                wrapper = lxml_html.Element("div")
                wrapper.append(copy.deepcopy(child))
                self.block(wrapper, None)
            pending_marker = False

    def paragraph(self, element, style: str) -> None:
        paragraph = self.add_paragraph(style)
        if self.pending_seal:
            self._place_seal(paragraph)
        # the template's computed indents (落款, 附件说明), in em of the body size
        style_attribute = element.get("style") or ""
        fmt = paragraph.paragraph_format
        for css_property, value in _EM_LENGTH.findall(style_attribute):
            length = Pt(float(value) * BODY_SIZE.pt)
            if css_property == "padding-right":
                fmt.right_indent = length
            elif css_property == "padding-left":
                fmt.left_indent = length
            elif css_property == "text-indent":
                fmt.first_line_indent = length
                _drop_char_indent(paragraph)
        role = _ROLE_OF_STYLE.get(style, "body")
        if "run-in" in (element.get("class") or ""):
            role = "body"  # only the heading span takes the heading font; the rest of the line is body text
        self.inline(paragraph, element, role)

    def inline(self, paragraph, element, role: str, bold: bool = False, italic: bool = False) -> None:
        """Copy an element's text and its children's, run by run; a child's tail takes this element's format."""
        if element is None:
            return
        classes = set((element.get("class") or "").split())
        role = next((ROLE_OF_CLASS[c] for c in classes if c in ROLE_OF_CLASS), role)
        bold = bold or element.tag in ("strong", "b")
        italic = italic or element.tag in ("em", "i")
        if element.tag == "br":
            paragraph.add_run().add_break(WD_BREAK.LINE)
        elif element.text:
            self.run(paragraph, element.text, role, bold, italic)
        for child in element:
            if isinstance(child.tag, str):
                self.inline(paragraph, child, role, bold, italic)
            if child.tail:
                self.run(paragraph, child.tail, role, bold, italic)

    def run(self, paragraph, text: str, role: str, bold: bool, italic: bool) -> None:
        text = re.sub(r"\s*\n\s*", "", text)  # line breaks in the HTML source are not text
        if not text:
            return
        run = paragraph.add_run(text)
        if bold:
            run.bold = True
        if italic:
            run.italic = True
        if role != _ROLE_OF_STYLE.get(self.style_name(paragraph), "body"):
            _set_run_fonts(run._r.get_or_add_rPr(), getattr(self.fonts, role)[0])

    def table(self, element) -> None:
        rows = element.findall(".//tr")
        if not rows:
            return
        caption = element.find("caption")
        if caption is not None:
            paragraph = self.add_paragraph("正文")
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.first_line_indent = Pt(0)
            self.inline(paragraph, caption, "body")
        columns = max(len(r.findall("th")) + len(r.findall("td")) for r in rows)
        table = self.document.add_table(rows=len(rows), cols=columns)
        table.style = self.document.styles["Table Grid"]
        for r, row in enumerate(rows):
            for c, cell_element in enumerate(row.findall("*")[:columns]):
                cell = table.cell(r, c)
                paragraph = cell.paragraphs[0]
                self.set_style(paragraph, "正文")
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                paragraph.paragraph_format.first_line_indent = Pt(0)
                self.inline(paragraph, cell_element, "body")

    def image(self, element) -> None:
        if "chart-image" in (element.get("class") or ""):
            self.chart(element)
        else:
            self.seal(element)

    def chart(self, element) -> None:
        """A chart as PNG, eight lines high and centred, with the page's alt text as the picture's description."""
        from gazette.charts import indicator_chart_png

        notice = self.rendered.notice
        indicator = next(i for i in notice.indicators if i.key == element.get("data-indicator"))
        paragraph = self.add_paragraph("正文")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Pt(0)
        paragraph.paragraph_format.keep_with_next = True  # never a chart at a page's foot and its caption overleaf
        _drop_char_indent(paragraph)
        # eight grid lines, less the font's descent that Word and LibreOffice add below a picture on its line:
        # a full eight lines would round up to nine and push the chart to the next page
        height = Twips(8 * int(LINE_PITCH / 635)) - Mm(2)
        run = paragraph.add_run()
        run.add_picture(io.BytesIO(indicator_chart_png(indicator)), height=height)
        run._r.find(".//" + qn("wp:docPr")).set("descr", element.get("alt") or "")

    def seal(self, element) -> None:
        """The seal: anchored behind the 署名's paragraph, centred on the date, its top one line above."""
        src = element.get("src") or ""
        # the same rules as the loader's for the seal: only a PNG/JPEG inside the content folder, within the
        # limits; an <img> a template override adds is named by its template line
        problem = check_asset_path(src, self.content.root) or check_image(self.content.root / src,
                                                                           self.content.site.limits)
        if problem:
            origin = locate(src, self.content.root) or "印章图片 (signature.seal)"
            raise GazetteError(f"{origin}: {problem}")
        self.pending_seal = (self.content.root / src, float(element.get("data-centre-right") or 6))

    def _place_seal(self, paragraph) -> None:
        path, centre_right_em = self.pending_seal
        self.pending_seal = None
        run = paragraph.add_run()
        run.add_picture(str(path), width=SEAL_SIZE, height=SEAL_SIZE)
        block_width = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
        left = block_width - Pt(centre_right_em * BODY_SIZE.pt) - SEAL_SIZE // 2
        _float_behind_text(run, left=int(left), top=-int(LINE_PITCH))

    def blank_line(self) -> None:
        self.add_paragraph("正文")

    def page_break(self) -> None:
        paragraph = self.add_paragraph("正文")
        paragraph.add_run().add_break(WD_BREAK.PAGE)
