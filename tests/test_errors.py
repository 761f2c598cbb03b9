"""Content mistakes give one line each naming file:line:column, the field's key and Chinese name, and what
was expected; `gazette check` reports every error of every file in one run and writes nothing."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_gazette


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_impossible_deadline_names_file_line_field(content_copy: Path) -> None:
    notice = content_copy / "notices" / "wusu-16.yaml"
    replace(notice, "deadline: 2025年12月底", "deadline: 2025-13-01")
    result = run_gazette("check", str(content_copy))
    assert result.returncode == 1
    line = line_of(notice, "deadline: 2025-13-01")
    assert f"wusu-16.yaml:{line}:11 整改时限 (deadline): 无法识别的日期 \"2025-13-01\"" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_error_of_every_file_in_one_run(content_copy: Path) -> None:
    replace(content_copy / "notices" / "wusu-16.yaml", "status:", "stauts:")
    replace(content_copy / "notices" / "puyang-43.yaml", "  person:", "  persn:")
    replace(content_copy / "notices" / "suma-243.yaml", "published: 2023-07-27", "published: 2023-02-30")
    result = run_gazette("check", str(content_copy))
    assert result.returncode == 1
    lines = [l for l in result.stderr.splitlines() if ".yaml:" in l]
    assert any("未知字段 'stauts'，是否应为 status（整改状态）？" in l for l in lines)
    assert any("整改状态 (status): 缺少必填字段" in l for l in lines)
    assert any("未知字段 'persn'，是否应为 person（联系人）？" in l for l in lines)
    assert any("发布日期 (published): 无法识别的日期 \"2023-02-30\"" in l for l in lines)
    assert len(lines) == 4


def test_failed_build_writes_nothing_and_keeps_the_last_good_output(content_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    assert run_gazette("build", str(content_copy), "--out", str(out), "--format", "html").returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    replace(content_copy / "notices" / "puyang-43.yaml", "  days: 10", "  days: 9")
    result = run_gazette("build", str(content_copy), "--out", str(out), "--format", "html")
    assert result.returncode == 1
    assert "公示天数 (publicity.days): 公示天数写的是 9 天，按日期计算是 10 个工作日" in result.stderr
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_check_on_shipped_content_passes() -> None:
    result = run_gazette("check")
    assert result.returncode == 0, result.stderr
    assert "3 个公示" in result.stdout


def test_help_on_every_command() -> None:
    top = run_gazette("--help")
    assert top.returncode == 0
    for name in ("build", "check"):
        assert name in top.stdout
        sub = run_gazette(name, "--help")
        assert sub.returncode == 0 and "Usage" in sub.stdout


def test_wording_template_with_an_empty_field_is_an_error_not_none(content_copy: Path, tmp_path: Path) -> None:
    """The seed's kind writes its intro from basis and inspection.group: without them the build says so,
    instead of printing "根据，None督察反馈" in a public notice."""
    notice = content_copy / "notices" / "wusu-16.yaml"
    replace(notice, "  group: 自治区 兵团第二生态环境保护督察组\n", "")
    result = run_gazette("build", str(content_copy), "--out", str(tmp_path / "out"), "-f", "html")
    assert result.returncode == 1
    assert "wusu-16.yaml" in result.stderr and "inspection.group" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_broken_template_override_is_one_line_naming_file_and_line(content_copy: Path, tmp_path: Path) -> None:
    from tests.conftest import ROOT

    local = content_copy / "templates"
    local.mkdir()
    shipped = (ROOT / "templates" / "notice.html.j2").read_text(encoding="utf-8")
    (local / "notice.html.j2").write_text(shipped.replace("{% endfor %}", "{% endfr %}", 1), encoding="utf-8")
    result = run_gazette("build", str(content_copy), "--out", str(tmp_path / "out"), "-f", "html")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "模板错误" in result.stderr and "notice.html.j2:" in result.stderr


def test_a_folded_block_scalar_is_text_not_a_control_character(content_copy: Path) -> None:
    """`task: >` (YAML's folded style) is valid: its lines join with a space. ruamel marks the folds with
    U+0007 until it builds the value, and the loader once refused that mark as a control character."""
    from gazette.loader import load_content

    notice = content_copy / "notices" / "wusu-16.yaml"
    text = notice.read_text(encoding="utf-8")
    start = text.index("\ntask:") + 1
    end = text.index("\n", start)
    notice.write_text(text[:start] + "task: >\n  第一行文字，\n  第二行文字。\n" + text[end + 1:], encoding="utf-8")
    result = run_gazette("check", str(content_copy))
    assert result.returncode == 0, result.stderr
    loaded = next(n for n in load_content(content_copy).notices if n.id == "wusu-16")
    assert loaded.task == "第一行文字， 第二行文字。"


def test_a_line_separator_beside_a_comment_is_an_error_not_a_traceback(content_copy: Path) -> None:
    """ruamel raises NotImplementedError on comments after U+2028 (pasted from a web page or Word)."""
    (content_copy / "notices" / "pasted.yaml").write_text("a: \u2028\n\u2028a\n\n# end\n", encoding="utf-8")
    result = run_gazette("check", str(content_copy))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "pasted.yaml:1:4 YAML 格式错误：含有特殊换行符 U+2028" in result.stderr


def test_a_cached_notice_saved_in_gbk_is_cited_by_line(content_copy: Path, tmp_path: Path) -> None:
    """A build keeps no notice's text (gazette/loader.py SourceFile): a message that cites a line of a notice
    taken from the parse cache reads the file again, in the encoding it was saved in."""
    suma = content_copy / "notices" / "suma-243.yaml"
    suma.write_bytes(suma.read_text(encoding="utf-8").encode("gb18030"))
    out = tmp_path / "public"
    assert run_gazette("build", str(content_copy), "--out", str(out), "--format", "html").returncode == 0
    replace(content_copy / "notices" / "puyang-43.yaml", "id: puyang-43", "id: suma-243")
    result = run_gazette("build", str(content_copy), "--out", str(out), "--format", "html")
    assert result.returncode == 1
    line = next(i for i, text in enumerate(suma.read_bytes().decode("gb18030").splitlines(), 1)
                if text.startswith("id:"))
    assert f"suma-243.yaml:{line}:5 编号 (id): 编号 'suma-243' 与 puyang-43.yaml 重复" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_notice_file_deleted_during_the_build_is_named_not_a_traceback(tmp_path: Path) -> None:
    """The build reads a cached notice's text again only for a message (gazette/loader.py SourceFile): if the
    file is gone by then, the message says so in one line."""
    import pytest

    from gazette.errors import GazetteError
    from gazette.loader import SourceFile

    gone = SourceFile(tmp_path / "notices" / "wusu-16.yaml", None, encoding="gb18030")
    with pytest.raises(GazetteError, match=r"wusu-16\.yaml: 构建期间文件被删除或改动"):
        gone.tree()
