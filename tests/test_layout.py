"""GB/T 9704-2012 geometry, measured on the PDFs gazette writes and on LibreOffice's rendering of its DOCX."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from tests.conftest import ROOT, notice_ids
from tests.geometry import (BOTTOM, CELL, CLOSING, LEFT, OPENING, PAGE_H, PAGE_W, PITCH, RIGHT, TOP, Page,
                            grid_slot, is_cjk_only, read_pages)

ARTIFACTS = ROOT / "test-artifacts"


def pdf_of(site: Path, notice_id: str) -> Path:
    return site / "notices" / notice_id / f"{notice_id}.pdf"


def body_offset(pages: list[Page]) -> float:
    """Where the body font's baseline sits inside a grid line (depends on the font's metrics)."""
    first = next(l for p in pages for l in p.body_lines if l.size == 16.0)
    return (first.baseline - TOP) % PITCH


def check_geometry(pages: list[Page], *, edge_tolerance: float, full_page_lines: int = 22) -> None:
    assert pages, "no pages"
    offset = body_offset(pages)
    for page in pages:
        assert abs(page.width - PAGE_W) < 0.5 and abs(page.height - PAGE_H) < 0.5, "not A4"
        body = [l for l in page.body_lines if l.size == 16.0]
        slots = []
        for line in body:
            slot = grid_slot(line, offset)
            assert abs(slot - round(slot)) < 0.05, f"p{page.number}: off the grid: {line.text[:20]}"
            slots.append(round(slot))
            assert line.x0 >= LEFT - 0.3 and line.x1 <= RIGHT + edge_tolerance, \
                f"p{page.number}: outside the 版心: {line.text[:20]} {line.x0:.2f}–{line.x1:.2f}"
            assert line.text[0] not in CLOSING, f"p{page.number}: line starts with {line.text[0]}: {line.text[:20]}"
            assert line.text[-1] not in OPENING, f"p{page.number}: line ends with {line.text[-1]}: {line.text[-20:]}"
        assert max(slots, default=0) <= 21, f"p{page.number}: more than 22 lines"
        following_page = pages[page.number] if page.number < len(pages) else None
        if following_page is not None and not following_page.starts_with_image:
            # a page followed by another is full: its last line (or the bottom of a chart) is the 22nd; only a
            # chart too tall for the rest of a page, which moves whole to the next, leaves a page short
            image_slots = [int((bottom - TOP) / PITCH + 0.5) for _top, bottom in page.images]
            lines_used = max(slots + [s - 1 for s in image_slots]) + 1
            assert lines_used == full_page_lines, f"p{page.number}: only {lines_used} lines"
        for line, following in zip(body, body[1:]):
            continued = abs(following.x0 - LEFT) < 0.3 and round(grid_slot(following, offset)) == \
                round(grid_slot(line, offset)) + 1
            if not continued:
                continue
            # a line whose paragraph goes on is full: flush with both edges of the 版心
            assert abs(line.x1 - RIGHT) < edge_tolerance, \
                f"p{page.number}: ragged right edge {line.x1:.2f} mm: {line.text[-20:]}"
            if is_cjk_only(line.text):
                cells = len(line.text) + round((line.x0 - LEFT) / CELL)
                # 28 characters; 27 only where what would fill the 28th cell cannot: a character that goes down
                # with the closing punctuation that may not start a line (…办 / 法》要求), or a number wider than
                # one cell (2023). That line is then justified, as Word does without 标点挤压.
                moved = following.text[1:2] in CLOSING or following.text[:2].isascii()
                assert cells == 28 or (cells == 27 and moved), f"p{page.number}: {cells} cells: {line.text}"


@pytest.mark.parametrize("notice_id", notice_ids())
def test_pdf_page_geometry(built_site: Path, notice_id: str) -> None:
    check_geometry(read_pages(pdf_of(built_site, notice_id)), edge_tolerance=0.3)


@pytest.mark.parametrize("notice_id", notice_ids())
def test_pdf_paragraphs_are_indented_two_characters(built_site: Path, notice_id: str) -> None:
    pages = read_pages(pdf_of(built_site, notice_id))
    starts = {round(l.x0 - LEFT, 1) for p in pages for l in p.body_lines if l.size == 16.0}
    # every line starts at the left edge (a continuation) or two cells in (a new paragraph), or is right-aligned
    # (the 落款); nothing else
    assert round(2 * CELL, 1) in starts
    odd = [s for s in starts if abs(s) > 0.3 and abs(s - 2 * CELL) > 0.3]
    for page in pages:
        for line in page.body_lines:
            if round(line.x0 - LEFT, 1) in odd:
                assert line.x1 > RIGHT - 12 * CELL, f"unexpected indent {line.x0 - LEFT:.2f} mm: {line.text}"


def test_seed_fonts_by_role(built_site: Path) -> None:
    pages = read_pages(pdf_of(built_site, "wusu-16"))
    lines = [l for p in pages for l in p.lines]
    title = lines[0]
    assert title.size == 22.0
    centre = (title.x0 + title.x1) / 2
    assert abs(centre - (LEFT + RIGHT) / 2) < 0.5, "title not centred"
    heading = next(l for l in lines if l.text.startswith("一、整改任务"))
    run_in = next(l for l in lines if l.text.startswith("二、整改时限："))
    body_font = next(iter(lines[4].fonts_of(lines[4].text[2:6])))
    heading_fonts = heading.fonts_of("一、整改任务：")
    assert len(heading_fonts) == 1 and heading_fonts != {body_font}, "heading not in 黑体"
    assert run_in.fonts_of("二、整改时限：") == heading_fonts
    assert run_in.fonts_of("2025年12月底") == {body_font}, "text after a run-in heading must be body text"
    assert heading.size == run_in.size == 16.0


@pytest.mark.parametrize("notice_id", notice_ids())
def test_pdf_page_numbers(built_site: Path, notice_id: str) -> None:
    for page in read_pages(pdf_of(built_site, notice_id)):
        (number,) = page.footer_lines
        assert number.text.replace(" ", "") == f"—{page.number}—"
        assert number.size == 14.0
        top = number.chars[0]["top"] * 25.4 / 72
        assert BOTTOM + 6 < top < BOTTOM + 9, f"page number top {top:.1f} mm, want 7 mm below the 版心"
        one_char = 14 * 25.4 / 72
        if page.number % 2:
            assert abs(number.x1 - (RIGHT - one_char)) < 0.5, "odd page numbers sit right, one character in"
        else:
            assert abs(number.x0 - (LEFT + one_char)) < 0.5, "even page numbers sit left, one character in"


def test_signature_block_without_seal(built_site: Path) -> None:
    """Puyang: 署名 2 字 from the right... but its date is as long as the name, so the date sits 2 字 from the
    right and the 署名 moves left to keep the date's first character 2 字 right of the 署名's."""
    pages = read_pages(pdf_of(built_site, "puyang-43"))
    lines = pages[-1].body_lines
    org = next(l for l in lines if l.text == "市生态环境局")
    date = next(l for l in lines if l.text == "2023年1月9日")
    assert round(grid_slot(date, 0) - grid_slot(org, 0)) == 1
    assert abs((RIGHT - date.x1) - 2 * CELL) < 0.6
    assert abs((date.x0 - org.x0) - 2 * CELL) < 0.6


# --- the DOCX in a real word processor ------------------------------------------------------------------------

soffice = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(soffice is None, reason="LibreOffice is installed by `make test`")


@pytest.fixture(scope="module")
def libreoffice_pdfs(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lo")
    docs = [str(built_site / "notices" / i / f"{i}.docx") for i in notice_ids()]
    profile = tmp_path_factory.mktemp("lo-profile")
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *docs], check=True, capture_output=True, timeout=300)
    return out


@needs_libreoffice
@pytest.mark.parametrize("notice_id", notice_ids())
def test_docx_geometry_in_libreoffice(libreoffice_pdfs: Path, notice_id: str) -> None:
    # LibreOffice has none of the office fonts the DOCX names, so it substitutes; it justifies with its own
    # spacing, so edges are measured to within 0.6 mm instead of 0.3.
    check_geometry(read_pages(libreoffice_pdfs / f"{notice_id}.pdf"), edge_tolerance=0.6)


@needs_libreoffice
def test_docx_page_numbers_in_libreoffice(libreoffice_pdfs: Path) -> None:
    pages = read_pages(libreoffice_pdfs / "wusu-16.pdf")
    assert len(pages) >= 2
    for page in pages:
        (number,) = page.footer_lines
        assert number.text.replace(" ", "") == f"—{page.number}—"
        one_char = 14 * 25.4 / 72
        if page.number % 2:
            assert abs(number.x1 - (RIGHT - one_char)) < 0.6
        else:
            assert abs(number.x0 - (LEFT + one_char)) < 0.6


def test_docx_structure(built_site: Path) -> None:
    document = docx.Document(str(built_site / "notices" / "wusu-16" / "wusu-16.docx"))
    section = document.sections[0]
    mm = lambda length: length / 36000  # noqa: E731 - EMU to mm
    assert round(mm(section.page_width)) == 210 and round(mm(section.page_height)) == 297
    assert round(mm(section.top_margin)) == 37 and round(mm(section.left_margin)) == 28
    assert round(mm(section.page_width - section.left_margin - section.right_margin)) == 156
    assert round(mm(section.page_height - section.top_margin - section.bottom_margin)) == 225
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and 570 < int(grid.get(qn("w:linePitch"))) <= 580
    names = {s.name for s in document.styles}
    assert {"标题", "正文", "一级标题", "二级标题", "落款", "成文日期"} <= names
    for name in ("标题", "正文", "一级标题"):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")), f"{name} has no East Asian font"
        assert not any("heme" in a for a in fonts.attrib), f"{name} uses a theme font"
    assert document.styles["标题"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "方正小标宋简体"
    assert document.styles["正文"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert document.settings.odd_and_even_pages_header_footer
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and "— " in xml and " —" in xml
    styles_used = [p.style.name for p in document.paragraphs]
    assert styles_used[0] == "标题" and "一级标题" in styles_used and "正文" in styles_used


@needs_libreoffice
def test_page_one_pictures_for_people(built_site: Path, libreoffice_pdfs: Path) -> None:
    """PNGs of page 1 of the seed's PDF and of LibreOffice's rendering of its DOCX, kept for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    for source, name in ((pdf_of(built_site, "wusu-16"), "wusu-16-pdf"), (libreoffice_pdfs / "wusu-16.pdf", "wusu-16-docx")):
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", str(source),
                        str(ARTIFACTS / name)], check=True, timeout=60)
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000


def test_dashes_and_titles(content_copy: Path, tmp_path: Path) -> None:
    """A "——" that would fall at a line start goes down with the character before it; a title given
    `title_lines` is broken exactly there; the PDF's text has no trace of the word joiner used."""
    from tests.conftest import run_gazette
    from tests.textutil import html_text, pdf_text, squeeze

    notice = content_copy / "notices" / "suma-243.yaml"
    text = notice.read_text(encoding="utf-8")
    dash_paragraph = "宿马园区顺风光电项目工地施工场地现场施工裸土未覆盖问——题已整改完成。"
    assert dash_paragraph.index("——") == 26  # with the 2-character indent the dash would open line 2
    text = text.replace("task: 宿马园区顺风光电项目工地施工场地，现场施工裸土未覆盖。", f"task: {dash_paragraph}")
    text = text.replace("title: 突出生态环境问题整改验收销号公示",
                        "title: 关于宿州市2023年自排查突出生态环境问题第243号问题整改验收销号情况的公示\n"
                        "title_lines: [关于宿州市2023年自排查突出生态环境问题, 第243号问题整改验收销号情况的公示]")
    notice.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_gazette("build", str(content_copy), "--out", str(out), "--format", "pdf", "--format", "html")
    assert result.returncode == 0, result.stderr
    pdf = out / "notices" / "suma-243" / "suma-243.pdf"
    lines = [l for p in read_pages(pdf) for l in p.body_lines]
    assert [l.text for l in lines[:2]] == ["关于宿州市2023年自排查突出生态环境问题", "第243号问题整改验收销号情况的公示"]
    assert not any(l.text.startswith("—") for l in lines)
    assert any(l.text.startswith("问——") for l in lines)
    html = squeeze(html_text((out / "notices" / "suma-243" / "index.html").read_text(encoding="utf-8")))
    assert squeeze(pdf_text(pdf)) == html


def test_automatic_title_lines_are_balanced_and_keep_words_whole() -> None:
    from gazette.render.html import balance_title

    lines = balance_title("关于塔城地区自治区第一轮第二批生态环境保护督察反馈问题（自治区，兵团督察序号16）整改情况公示")
    assert len(lines) == 3
    widths = [sum(0.5 if ch.isascii() else 1 for ch in line) for line in lines]
    assert max(widths) - min(widths) <= 3 and max(widths) <= 20
    joined = "|".join(lines)
    for word in ("生态环境保护督察", "整改情况公示", "第一轮", "第二批", "塔城地区"):
        assert word in joined, f"{word} split across lines: {lines}"


def test_second_level_items_are_run_in_kai_headings(content_copy: Path, tmp_path: Path) -> None:
    """Items numbered （一） are 二级标题: marker and first sentence in 楷体, the rest of the item in 仿宋."""
    import docx as docx_lib

    from tests.conftest import run_gazette

    site = content_copy / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "{field: measures, heading: 整改措施, numbering: （1）}", "{field: measures, heading: 整改措施, numbering: （一）}"),
        encoding="utf-8")
    notice = content_copy / "notices" / "puyang-43.yaml"
    notice.write_text(notice.read_text(encoding="utf-8").replace(
        "  - 调查核实督察组反馈", "  - 限期整改到位。调查核实督察组反馈"), encoding="utf-8")
    out = tmp_path / "out"
    assert run_gazette("build", str(content_copy), "--out", str(out), "-f", "pdf", "-f", "docx").returncode == 0
    lines = [l for p in read_pages(out / "notices" / "puyang-43" / "puyang-43.pdf") for l in p.body_lines]
    item = next(l for l in lines if l.text.startswith("（一）"))
    body_font = next(iter(lines[3].fonts_of(lines[3].text[3:6])))
    kai = item.fonts_of("（一）限期整改到位。")
    assert len(kai) == 1 and kai != {body_font}
    assert item.fonts_of("调查核实") == {body_font}
    document = docx_lib.Document(str(out / "notices" / "puyang-43" / "puyang-43.docx"))
    paragraph = next(p for p in document.paragraphs if p.text.startswith("（一）"))
    assert paragraph.style.name == "二级标题"
    fonts = {r.text: (r._r.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
                      if r._r.rPr is not None and r._r.rPr.rFonts is not None else None) for r in paragraph.runs}
    assert fonts.get("（一）") in (None, "楷体_GB2312")  # the style's 楷体
    rest = next(t for t in fonts if t.startswith("调查核实"))
    assert fonts[rest] == "仿宋_GB2312"
