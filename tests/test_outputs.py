"""One source, three outputs: the DOCX, the PDF and the site page carry the same text, and every paragraph
of each real notice is in each of them, in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, notice_ids
from tests.textutil import docx_text, html_text, pdf_text, source_paragraphs, squeeze

SOURCES = ROOT / "tests" / "data" / "sources"


def outputs(site: Path, notice_id: str) -> dict[str, str]:
    folder = site / "notices" / notice_id
    return {
        "html": squeeze(html_text((folder / "index.html").read_text(encoding="utf-8"))),
        "docx": squeeze(docx_text(folder / f"{notice_id}.docx")),
        "pdf": squeeze(pdf_text(folder / f"{notice_id}.pdf")),
    }


@pytest.mark.parametrize("notice_id", notice_ids())
def test_three_outputs_have_identical_text(built_site: Path, notice_id: str) -> None:
    texts = outputs(built_site, notice_id)
    assert len(texts["html"]) > 100
    assert texts["docx"] == texts["html"]
    assert texts["pdf"] == texts["html"]


@pytest.mark.parametrize("notice_id", ["wusu-16", "puyang-43", "suma-243"])
def test_every_paragraph_of_the_real_notice_is_in_each_output_in_order(built_site: Path, notice_id: str) -> None:
    paragraphs = source_paragraphs(SOURCES / f"{notice_id}.txt")
    assert len(paragraphs) >= 8
    for fmt, text in outputs(built_site, notice_id).items():
        position = 0
        for paragraph in paragraphs:
            paragraph = paragraph.rstrip("。")  # one source leaves its last sentence without a full stop
            found = text.find(paragraph, position)
            assert found >= 0, f"{fmt}: paragraph missing or out of order: {paragraph[:40]}…"
            position = found + len(paragraph)


def test_seed_derived_wording(built_site: Path) -> None:
    text = outputs(built_site, "wusu-16")["html"]
    assert "督察反馈第十六项整改任务" in text  # finding 16 in Chinese numerals, from the kind's intro template
    assert "二、整改时限：2025年12月底" in text
    assert "乌水考〔2022〕3号" in text and "﹝" not in text  # document-number years in 六角括号
    assert "新发改农价〔2015〕1724号" in text


def test_examples_derived_wording(built_site: Path) -> None:
    puyang = outputs(built_site, "puyang-43")["html"]
    assert "（2023年1月9日至2023年1月20日，共10个工作日）" in puyang  # computed from the dates
    assert "（1）调查核实" in puyang and "（2）将农村" in puyang  # standard markers whatever the input used
    suma = outputs(built_site, "suma-243")["html"]
    assert "六、整改完成情况" in suma
    assert "（2023年7月27日至2023年8月9日，共10个工作日）" in suma


def test_build_writes_a_page_docx_and_pdf_per_notice_and_an_index(built_site: Path) -> None:
    assert (built_site / "index.html").is_file()
    for notice_id in notice_ids():
        folder = built_site / "notices" / notice_id
        assert (folder / f"{notice_id}.pdf").read_bytes()[:5] == b"%PDF-"
        assert (folder / f"{notice_id}.docx").read_bytes()[:2] == b"PK"
        assert notice_id in (built_site / "index.html").read_text(encoding="utf-8")


def test_outputs_are_reproducible(built_site: Path, tmp_path: Path) -> None:
    from tests.conftest import CONTENT, run_gazette

    again = tmp_path / "again"
    result = run_gazette("build", str(CONTENT), "--out", str(again), "--format", "docx", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    for notice_id in notice_ids():
        for ext in ("pdf", "docx"):
            first = (built_site / "notices" / notice_id / f"{notice_id}.{ext}").read_bytes()
            second = (again / "notices" / notice_id / f"{notice_id}.{ext}").read_bytes()
            assert first == second, f"{notice_id}.{ext} differs between two builds"


def test_seed_chart_in_page_pdf_and_docx(built_site: Path) -> None:
    """The seed's groundwater cuts (chart: true) are drawn: SVG beside the page, PNG in the PDF and DOCX, with
    the same text alternative; the chart's labels are not text in any output, so the texts stay identical."""
    import docx
    import pdfplumber
    from docx.oxml.ns import qn
    from lxml import html as lxml_html

    folder = built_site / "notices" / "wusu-16"
    page = lxml_html.fromstring((folder / "index.html").read_text(encoding="utf-8"))
    (image,) = page.xpath('//figure[contains(@class, "chart")]/img')
    svg = (folder / image.get("src")).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "地下水压减量" in svg and 'role="img"' in svg
    alt = image.get("alt")
    assert "11544.68" in alt and "4960" in alt
    with pdfplumber.open(folder / "wusu-16.pdf") as pdf:
        assert sum(len(p.images) for p in pdf.pages) == 1
    document = docx.Document(str(folder / "wusu-16.docx"))
    (picture,) = document.element.body.findall(".//" + qn("wp:docPr"))
    assert picture.get("descr") == alt
