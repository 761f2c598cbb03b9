"""The closing block: 特此公示, 附件说明, 落款 with a seal, and attachment pages, in the PDF and the DOCX."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from tests.conftest import run_gazette
from tests.geometry import CELL, LEFT, PITCH, RIGHT, TOP, read_pages
from tests.textutil import docx_text, html_text, pdf_text, squeeze

MM = 25.4 / 72

EXTRA = """
closing_phrase: true
attachments:
  - title: 农村黑臭水体整改销号清单
    body: 濮阳县城关镇挥公大道南街新村21号黑臭水体已完成清淤。
  - title: 濮阳县和工业园区河塘沟渠黑臭水体现场核查情况及整改前后对比照片说明
signature:
  organisations: [市生态环境局]
  date: 2023-01-09
  seal: seals/seal.png
"""


def make_seal(path: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((6, 6, 294, 294), outline=(200, 0, 0, 255), width=12)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)


@pytest.fixture(scope="module")
def sealed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import CONTENT

    root = tmp_path_factory.mktemp("sealed")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    notice = content / "notices" / "puyang-43.yaml"
    text = notice.read_text(encoding="utf-8")
    text = text[: text.index("signature:")] + EXTRA
    notice.write_text(text, encoding="utf-8")
    make_seal(content / "seals" / "seal.png")
    out = root / "public"
    result = run_gazette("build", str(content), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / "notices" / "puyang-43"


def test_closing_texts_in_all_three_outputs(sealed_site: Path) -> None:
    html = squeeze(html_text((sealed_site / "index.html").read_text(encoding="utf-8")))
    assert "特此公示。附件：1.农村黑臭水体整改销号清单2.濮阳县和工业园区河塘沟渠黑臭水体现场核查情况及整改前后对比照片说明" \
        "市生态环境局2023年1月9日附件1农村黑臭水体整改销号清单" in html
    assert squeeze(docx_text(sealed_site / "puyang-43.docx")) == html
    assert squeeze(pdf_text(sealed_site / "puyang-43.pdf")) == html


def test_pdf_seal_is_centred_on_the_date_and_within_one_line_of_the_body(sealed_site: Path) -> None:
    pages = read_pages(sealed_site / "puyang-43.pdf")
    import pdfplumber

    with pdfplumber.open(sealed_site / "puyang-43.pdf") as pdf:
        page_index = next(i for i, p in enumerate(pdf.pages) if p.images)
        (image,) = pdf.pages[page_index].images
    lines = pages[page_index].body_lines
    date = next(l for l in lines if l.text == "2023年1月9日")
    org = next(l for l in lines if l.text == "市生态环境局")
    # the date 4 字 from the right, the 署名 centred over it
    assert abs((RIGHT - date.x1) - 4 * CELL) < 0.6
    assert abs((org.x0 + org.x1) / 2 - (date.x0 + date.x1) / 2) < 0.6
    centre = (image["x0"] + image["x1"]) / 2 * MM
    assert abs(centre - (date.x0 + date.x1) / 2) < 1.0, "seal not centred on the date"
    body_above = [l for l in lines if l.baseline < org.baseline - 1 and l.size == 16.0]
    last_body_bottom = body_above[-1].baseline + 0.3 * PITCH
    seal_top = image["top"] * MM
    assert last_body_bottom - 1 < seal_top < last_body_bottom + PITCH, "seal top not within one line of the body"
    assert abs((image["x1"] - image["x0"]) * MM - 42) < 0.5


def test_pdf_attachment_pages(sealed_site: Path) -> None:
    pages = read_pages(sealed_site / "puyang-43.pdf")
    first, second = pages[-2], pages[-1]
    for page, title in ((first, "农村黑臭水体整改销号清单"), (second, "濮阳县和工业园区河塘沟渠黑臭水体")):
        label, heading = page.body_lines[0], page.body_lines[1]
        assert label.text.startswith("附件") and abs(label.x0 - LEFT) < 0.3, "附件N at the top left"
        assert label.baseline - TOP < PITCH
        assert heading.text.startswith(title) and heading.size == 22.0
        assert round((heading.baseline - label.baseline) / PITCH) == 2, "attachment title on line 3"
        assert abs((heading.x0 + heading.x1) / 2 - (LEFT + RIGHT) / 2) < 0.6


def test_docx_seal_is_anchored_behind_the_signature(sealed_site: Path) -> None:
    document = docx.Document(str(sealed_site / "puyang-43.docx"))
    anchors = document.element.body.findall(".//" + qn("wp:anchor"))
    assert len(anchors) == 1 and anchors[0].get("behindDoc") == "1"
    holder = next(p for p in document.paragraphs if p._p.find(".//" + qn("wp:anchor")) is not None)
    assert holder.text == "市生态环境局" and holder.style.name == "落款"
    styles = [p.style.name for p in document.paragraphs]
    assert "附件标识" in styles and "附件标题" in styles


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by `make test`")
def test_libreoffice_shows_the_seal(sealed_site: Path, tmp_path: Path) -> None:
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(sealed_site / "puyang-43.docx")],
                   check=True, capture_output=True, timeout=180)
    import pdfplumber

    with pdfplumber.open(tmp_path / "puyang-43.pdf") as pdf:
        images = [i for p in pdf.pages for i in p.images]
    assert len(images) == 1
    assert abs((images[0]["x1"] - images[0]["x0"]) * MM - 42) < 1


def test_attachment_note_lines_align_with_the_names(sealed_site: Path) -> None:
    lines = [l for p in read_pages(sealed_site / "puyang-43.pdf") for l in p.body_lines]
    first = next(i for i, l in enumerate(lines) if l.text.startswith("附件：1."))
    note, second, wrapped = lines[first], lines[first + 1], lines[first + 2]
    assert abs(note.x0 - (LEFT + 2 * CELL)) < 0.6, "附件说明 indented 2 字"
    name_start = note.chars[note.text.index("农")]["x0"] * MM
    number_start = note.chars[note.text.index("1")]["x0"] * MM
    assert second.text.startswith("2.") and abs(second.x0 - number_start) < 0.6, "numbers aligned"
    name2_start = second.chars[second.text.index("濮")]["x0"] * MM
    assert abs(name2_start - name_start) < 0.6
    assert not wrapped.text[0].isdigit() and abs(wrapped.x0 - name2_start) < 0.6, "wrapped line aligned with the name"
