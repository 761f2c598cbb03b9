"""Free text is Markdown: emphasis, lists and tables reach all three outputs with the same text."""

from __future__ import annotations

from pathlib import Path

import docx

from tests.conftest import run_gazette
from tests.textutil import docx_text, html_text, pdf_text, squeeze

COMPLETION = '''completion: |
  经现场核查，**裸土已全部覆盖**，并配有*降尘设备*。主要工作：

  1. 覆盖裸土约1.2万平方米；
  2. 安装喷淋设施。

  | 项目 | 数量 |
  |---|---|
  | 防尘网 | 12000平方米 |
  | 雾炮 | 3台 |
'''


def test_markdown_in_all_three_outputs(content_copy: Path, tmp_path: Path) -> None:
    notice = content_copy / "notices" / "suma-243.yaml"
    text = notice.read_text(encoding="utf-8")
    start = text.index("completion:")
    end = text.index("\n", start)
    notice.write_text(text[:start] + COMPLETION + text[end + 1:], encoding="utf-8")
    out = tmp_path / "out"
    result = run_gazette("build", str(content_copy), "--out", str(out))
    assert result.returncode == 0, result.stderr
    folder = out / "notices" / "suma-243"
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "<strong>裸土已全部覆盖</strong>" in page and "<em>降尘设备</em>" in page
    assert "<table>" in page or "<table" in page
    html = squeeze(html_text(page))
    assert "（1）覆盖裸土约1.2万平方米；（2）安装喷淋设施。" in html  # standard markers, in the text itself
    assert "项目数量防尘网12000平方米雾炮3台" in html
    assert squeeze(docx_text(folder / "suma-243.docx")) == html
    assert squeeze(pdf_text(folder / "suma-243.pdf")) == html
    document = docx.Document(str(folder / "suma-243.docx"))
    runs = [r for p in document.paragraphs for r in p.runs]
    assert any(r.bold and r.text == "裸土已全部覆盖" for r in runs)
    assert any(r.italic and r.text == "降尘设备" for r in runs)
    assert len(document.tables) == 1 and document.tables[0].cell(2, 0).text == "雾炮"


# --- the plain-prose shortcut (render/markup.py _simple_paragraphs) ------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# Characters Markdown or nh3 treat specially, beside ordinary prose, so that generated text often lands on
# either side of the shortcut's test.
_ALPHABET = st.sampled_from(list("地下水整改，。“”（）：；、—…abcXYZ019 .,:;()'\"%/=+-*_#>|[]<>&!~`\\{}\u3000\u00a0\t\n"))


def _markdown_itself(text: str) -> str:
    from gazette.render import markup

    markup._md.reset()
    html = markup._md.convert(markup._prepare(text))
    return markup._number_lists(markup._clean(markup._BLOCKS_AS_PARAGRAPHS.sub(r"<\1p>", html)))


# Prose with stars, spaces and line breaks: the emphasis the shortcut takes on, and everything near it.
_STARRY = st.sampled_from(list("整改到位ab，。1 ** \n"))
_STARS = st.sampled_from(["**", "*", "***", "整改", "a", " ", "\n", "。"])  # bold next to emphasis


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.lists(_ALPHABET, max_size=40), st.lists(_STARRY, max_size=24),
                 st.lists(_STARS, max_size=12)).map("".join))
def test_plain_prose_shortcut_gives_markdowns_output(text: str) -> None:
    from gazette.render.markup import _prepare, _simple_paragraphs

    simple = _simple_paragraphs(_prepare(text))
    if simple is not None:
        assert simple == _markdown_itself(text)


def test_plain_prose_shortcut_is_taken_for_prose_and_not_for_markup() -> None:
    from gazette.render.markup import _prepare, _simple_paragraphs

    prose = "2025年6月，完成乌苏市地下水超采区治理。\n\n压减地下水开采量 1.2 万m³，“十四五”目标如期完成。"
    assert _simple_paragraphs(_prepare(prose)) == _markdown_itself(prose)
    emphasis = "建立问题清单，*逐项销号*，a*b*c。\n\n*全部* 完成"
    assert _simple_paragraphs(_prepare(emphasis)) == _markdown_itself(emphasis)
    assert "<em>逐项销号</em>" in _simple_paragraphs(_prepare(emphasis))
    strong = "严格执行累进加价制度，**每季度通报**一次进展，**a** *b*。"
    assert _simple_paragraphs(_prepare(strong)) == _markdown_itself(strong)
    assert "<strong>每季度通报</strong>" in _simple_paragraphs(_prepare(strong))
    for markup_text in ("***加粗***", "** 加粗**", "**a*b**", "**跨\n行**", "* 列表", "*跨\n行*", "* a *b*", "*a *b*", "*a**b*", "1. 第一项", "- 列表", "> 引文", "a | b\n--|--\n1 | 2", "    代码", "标题\n===", "a&b"):
        assert _simple_paragraphs(_prepare(markup_text)) is None, markup_text
