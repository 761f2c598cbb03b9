"""Extracting the visible text of each output, the same way for all three, for comparison in tests."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pdfplumber
from docx.oxml.ns import qn
from lxml import html as lxml_html

PAGE_NUMBER = re.compile(r"^\s*—\s*\d+\s*—\s*$")


def squeeze(text: str) -> str:
    """Whitespace normalisation: whitespace carries no meaning in Chinese text."""
    return re.sub(r"\s+", "", text)


def html_text(html: str) -> str:
    """Visible text of the notice fragment (<article class="notice">) in an HTML page or fragment."""
    tree = lxml_html.fromstring(html)
    articles = tree.xpath('//article[contains(concat(" ", @class, " "), " notice ")]')
    node = articles[0] if articles else tree
    for hidden in node.xpath(".//script|.//style"):
        hidden.drop_tree()
    return node.text_content()


def docx_text(path: Path) -> str:
    """Body paragraphs and table cells in document order (headers and footers left out)."""
    document = docx.Document(str(path))
    parts: list[str] = []
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:p"):
            parts.append("".join(t.text or "" for t in block.iter(qn("w:t"))))
        elif block.tag == qn("w:tbl"):
            for cell in block.iter(qn("w:tc")):
                parts.append("".join(t.text or "" for t in cell.iter(qn("w:t"))))
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    """Text of every page, page numbers ("— N —") left out."""
    lines: list[str] = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for line in (page.extract_text() or "").splitlines():
                if not PAGE_NUMBER.match(line):
                    lines.append(line)
    return "\n".join(lines)


# The shipped YAML writes the real notices as a careful 文秘 would: full-width punctuation between Chinese
# text, 〔〕 around document-number years, m³, standard list markers. The source texts are compared after
# the same corrections.
_HALF_TO_FULL = str.maketrans({",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "?": "？", "!": "！"})


def normalise_source(text: str) -> str:
    text = re.sub(r"[﹝\[](\d{4})[﹞\]]", r"〔\1〕", text)
    text = text.replace("m3", "m³")
    return squeeze(text.translate(_HALF_TO_FULL))


def source_paragraphs(path: Path) -> list[str]:
    """The paragraphs of a real notice as published, without the web page's own lines (URL, dates, counters)."""
    paragraphs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("http") or line.startswith(("发表时间", "浏览次数", "发布日期")):
            continue
        paragraphs.append(normalise_source(line))
    return paragraphs
