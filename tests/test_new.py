"""`gazette new`: a notice file from the site defaults that builds at once and teaches its fields."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jsonschema

from gazette.lint import lint_text
from gazette.loader import load_content
from gazette.render.html import render_notice
from gazette.schema import notice_schema

from conftest import run_gazette
from test_schema import load


def test_new_with_flags_builds_at_once_and_teaches_its_fields(content_copy: Path) -> None:
    result = run_gazette("new", str(content_copy), "--number", "17", "--region", "乌苏市",
                         "--title", "关于乌苏市地下水超采问题整改情况公示")
    assert result.returncode == 0, result.stderr
    path = content_copy / "notices" / "wusu-17.yaml"  # the region's prefix, taken from wusu-16
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../schema/notice.schema.json"
    assert (content_copy / "schema" / "notice.schema.json").is_file()
    assert "导语中自动写成“第十七项”" in text
    content = load_content(content_copy)
    notice = next(n for n in content.notices if n.id == "wusu-17")
    assert (notice.finding.number, notice.region, notice.kind) == (17, "乌苏市", "整改情况公示")
    assert notice.inspection == next(n for n in content.notices if n.id == "wusu-16").inspection
    assert notice.published == dt.date.today()
    html = render_notice(notice, content).html
    assert "第十七项" in html and "整改措施" in html
    # the editor's schema accepts it, and check lists what is still to be written
    assert list(jsonschema.Draft202012Validator(notice_schema()).iter_errors(load(path))) == []
    unfilled = [f for f in lint_text(path, text) if f.rule == "未填写"]
    assert "还没有填写督察反馈的问题" in [f.message for f in unfilled]
    assert sum(1 for line in text.splitlines() if line.startswith("#")) >= 10


def test_new_asks_for_what_flags_do_not_give(content_copy: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "gazette", "new", str(content_copy), "--kind", "验收销号公示"],
                            input="243\n宿马园区\n关于宿马园区第243号问题验收销号公示\nsuma-243b\n",
                            capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "问题序号" in result.stdout and "地区" in result.stdout and "公示标题" in result.stdout
    text = (content_copy / "notices" / "suma-243b.yaml").read_text(encoding="utf-8")
    assert "subjects:" in text  # the kind's sections decide the fields offered
    assert any(n.id == "suma-243b" for n in load_content(content_copy).notices)


def test_new_mistakes_are_one_line(content_copy: Path) -> None:
    cases = [
        (["-n", "16", "-r", "乌苏市", "-t", "x", "--id", "wusu-16"], "已经存在"),
        (["-n", "5", "-r", "某县", "-t", "x", "--id", "Mou Xian"], "只能用小写字母"),
        (["-n", "5", "-r", "某县", "-t", "x"], "缺少编号，请用 --id 给出"),
        (["-n", "5", "-r", "某县", "-t", "x", "--id", "mx-5", "--kind", "通知"], "未知的公示类型"),
    ]
    for args, message in cases:
        result = run_gazette("new", str(content_copy), *args)
        assert result.returncode == 1, args
        assert message in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in (content_copy / "notices").iterdir()) == [
        "puyang-43.yaml", "suma-243.yaml", "wusu-16.yaml"]


def test_the_new_file_goes_through_a_full_build(content_copy: Path, tmp_path: Path) -> None:
    import docx
    import pdfplumber

    assert run_gazette("new", str(content_copy), "-n", "17", "-r", "乌苏市", "-t", "关于乌苏市某问题整改情况公示").returncode == 0
    result = run_gazette("build", str(content_copy), "--out", str(tmp_path / "public"))
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "public" / "notices" / "wusu-17"
    with pdfplumber.open(folder / "wusu-17.pdf") as pdf:
        text = "".join((page.extract_text() or "") for page in pdf.pages).replace("\n", "")
    assert "第十七项" in text and "待填写" in text
    assert "第十七项" in "".join(p.text for p in docx.Document(str(folder / "wusu-17.docx")).paragraphs)
