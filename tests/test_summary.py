"""整改情况一览表: landscape A4, the header row on every page, rows kept whole where they fit on a page — checked
in the PDF (pdfplumber) and the DOCX (python-docx) — and a standalone HTML page."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pdfplumber
import pytest
from docx.oxml.ns import qn
from lxml import html as lxml_html

from gazette.loader import load_content
from gazette.summary import select_batch, too_tall, write_summaries

from conftest import run_gazette

HEADER = ["序号", "问题", "整改措施", "责任单位", "整改时限", "完成情况", "状态"]
BATCH = "自治区第一轮第二批生态环境保护督察"
FINDINGS = range(20, 34)


def finding_yaml(n: int) -> str:
    measures = "".join(f"  - 第{n}号问题措施{i}：按照年度计划推进整改，落实责任单位和完成时限，按月调度进展并报送整改情况。\n"
                       for i in range(1, 5))
    completion = "".join(f"  - 第{n}号问题完成情况{i}：已按计划完成阶段性任务，建立工作台账，相关资料已归档备查。\n"
                         for i in range(1, 4))
    return f"""id: wusu-{n}
kind: 整改情况公示
title: 关于乌苏市督察反馈问题（序号{n}）整改情况公示
published: 2025-06-{n - 10}
inspection:
  level: 自治区
  round: 1
  batch: 2
  group: 自治区 兵团第二生态环境保护督察组
  type: 例行督察
  name: {BATCH}
finding:
  number: {n}
region: 乌苏市
basis: 《整改方案》
status: {"已完成" if n % 2 else "正在整改"}
task: 开头{n}号：乌苏市某领域存在的问题没有得到有效解决，相关工作推进缓慢，群众反映强烈。
subjects: [乌苏市水利局, 乌苏市生态环境局]
deadline: 2025年12月底
measures:
{measures}completion:
{completion[:-1]}结尾{n}号。
"""


@pytest.fixture(scope="module")
def batch_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from conftest import CONTENT

    root = tmp_path_factory.mktemp("summary") / "content"
    shutil.copytree(CONTENT, root)
    for n in FINDINGS:
        (root / "notices" / f"wusu-{n}.yaml").write_text(finding_yaml(n), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def documents(batch_content: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("out")
    result = run_gazette("summary", str(batch_content), "--batch", "第二批", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return {p.suffix[1:]: p for p in out.iterdir()}


def test_file_names_are_the_document_title(documents: dict[str, Path]) -> None:
    assert {p.name for p in documents.values()} == {f"{BATCH}反馈问题整改情况一览表.{ext}" for ext in ("html", "docx", "pdf")}


def test_pdf_is_landscape_with_the_header_on_every_page_and_rows_kept_whole(documents: dict[str, Path]) -> None:
    with pdfplumber.open(documents["pdf"]) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
        assert all(page.width > page.height for page in pdf.pages)
        assert abs(pdf.pages[0].width - 842) < 2 and abs(pdf.pages[0].height - 595) < 2  # A4 landscape in pt
    assert len(pages) >= 3
    squeezed = [re.sub(r"\s+", "", text) for text in pages]
    for text in squeezed:
        assert all(name in text for name in ("序号", "整改措施", "责任单位", "整改时限", "完成情况", "状态"))
    assert f"{BATCH}反馈问题整改情况一览表" in squeezed[0]
    for n in FINDINGS:  # each of these rows fits on a page: its first and last words are on the same page
        first = [i for i, text in enumerate(squeezed) if f"开头{n}号" in text]
        last = [i for i, text in enumerate(squeezed) if f"结尾{n}号" in text]
        assert first and first == last, n
    # wusu-16 is taller than a page: it may break, and does, instead of leaving a blank page before it
    assert not any(text.strip() == "" for text in squeezed)
    import pikepdf

    with pikepdf.open(documents["pdf"]) as pdf, pdf.open_metadata() as xmp:
        assert xmp.get("pdfaid:part") == "3"


def test_docx_repeats_the_header_row_and_keeps_rows_whole(documents: dict[str, Path]) -> None:
    document = docx.Document(str(documents["docx"]))
    section = document.sections[0]
    assert section.page_width > section.page_height and abs(section.page_width.mm - 297) < 1
    [table] = document.tables
    assert [c.text for c in table.rows[0].cells] == HEADER
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    rows = {row.cells[0].text: row for row in table.rows[1:]}
    assert set(rows) == {"16", *map(str, FINDINGS)}
    for number in FINDINGS:
        assert rows[str(number)]._tr.trPr.find(qn("w:cantSplit")) is not None
        assert rows[str(number)]._tr.trPr.find(qn("w:tblHeader")) is None
    # too tall for one page: Word would otherwise cut it off at the page bottom
    assert rows["16"]._tr.trPr.find(qn("w:cantSplit")) is None
    row = rows["21"]
    assert row.cells[1].paragraphs[0].text == "乌苏市" and row.cells[1].paragraphs[1].text.startswith("开头21号")
    assert [p.text[:2] for p in row.cells[2].paragraphs] == ["1.", "2.", "3.", "4."]
    assert [p.text for p in row.cells[3].paragraphs] == ["乌苏市水利局", "乌苏市生态环境局"]
    assert (row.cells[4].text, row.cells[6].text) == ("2025年12月底", "已完成")
    run = row.cells[2].paragraphs[0].runs[0]
    assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_html_is_a_standalone_page(documents: dict[str, Path]) -> None:
    page = lxml_html.fromstring(documents["html"].read_bytes())
    assert page.findtext(".//title") == f"{BATCH}反馈问题整改情况一览表"
    assert [th.text_content() for th in page.findall(".//thead//th")] == HEADER
    assert len(page.findall(".//tbody/tr")) == 1 + len(FINDINGS)
    assert page.find(".//link") is None and page.find(".//script") is None and page.find(".//style") is not None
    assert "共15个问题，已完成7个" in page.text_content()


def test_batch_selection_mistakes_are_one_line(batch_content: Path, tmp_path: Path) -> None:
    result = run_gazette("summary", str(batch_content), "--batch", "第九批", "--out", str(tmp_path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == ("错误：没有名为“第九批”的督察批次，现有：宿州市2023年突出生态环境问题自排查、"
                                     f"河南省委生态环境保护督察、{BATCH}")
    result = run_gazette("summary", str(batch_content), "--batch", "督察", "--out", str(tmp_path))
    assert result.returncode == 1 and "对应多个督察批次" in result.stderr


def test_one_document_per_batch_without_batch(tmp_path: Path) -> None:
    from conftest import CONTENT

    written = write_summaries(load_content(CONTENT), tmp_path, formats=("html",))
    assert len(written) == 3 and all(p.suffix == ".html" for p in written)


def test_row_height_estimate() -> None:
    short = [["1"], ["乌苏市", "问题"], ["1.措施"], ["单位"], ["2025年12月底"], ["1.完成"], ["已完成"]]
    assert not too_tall(short, 9)
    assert too_tall([["1"], ["字" * 4000]], 9)
    content = load_content(Path(__file__).parent.parent / "content")
    assert select_batch(content, "第二批").notices[0].id == "wusu-16"
