"""The 公文 typography lint: the findings a careful 文秘 makes on the seed notice as written, the safe fixes
applied without touching comments or layout, and the rules that only report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gazette.lint import lint_text
from gazette.loader import load_content

from conftest import CONTENT, run_gazette

SEED = Path(__file__).parent / "data" / "seed-wusu-16.yaml"


def findings(text: str) -> list[tuple[int, str, str]]:
    return [(f.line, f.rule, f.message) for f in lint_text(Path("x.yaml"), text)]


def test_seed_as_written_gets_exactly_the_findings_of_a_careful_clerk() -> None:
    found = [(f.line, f.column, f.rule, f.message, f.fixable)
             for f in lint_text(SEED, SEED.read_text(encoding="utf-8"))]
    assert found == [
        (6, 35, "括号", "半角括号“(自治区，兵团督察序号16)”应为全角“（自治区，兵团督察序号16）”", True),
        (25, 51, "单位", "“m3”应为“m³”", True),  # 1240万m3/年
        (25, 83, "单位", "“m3”应为“m³”", True),  # 4960万m3
        (32, 89, "发文字号", "“﹝2022﹞”应为“〔2022〕”（年份用六角括号）", True),
        (32, 101, "发文字号", "“﹝2023﹞”应为“〔2023〕”（年份用六角括号）", True),
        (32, 115, "发文字号", "“﹝2024﹞”应为“〔2024〕”（年份用六角括号）", True),
        (32, 174, "空格", "行尾有 669 个多余的空格，应删除", True),
        (37, 61, "发文字号", "“[2015]”应为“〔2015〕”（年份用六角括号）", True),
        (38, 1, "空格", "行尾有 1 个多余的空格，应删除", True),
    ]
    # what is right in the seed stays unflagged: 1. markers, 786.78+5090.9+5667=11544.68, 3032+15=3047,
    # 《》 and “” in pairs, the half-width space in 自治区 兵团


def test_shipped_content_is_clean() -> None:
    for path in sorted((CONTENT / "notices").glob("*.yaml")):
        assert lint_text(path, path.read_text(encoding="utf-8")) == [], path.name


@pytest.fixture()
def seed_content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    shutil.copy(SEED, root / "notices" / SEED.name)
    return root


def test_fix_applies_the_safe_fixes_and_keeps_comments_and_layout(seed_content: Path) -> None:
    target = seed_content / "notices" / SEED.name
    before = target.read_text(encoding="utf-8")
    result = run_gazette("check", "--fix", str(seed_content))
    assert result.returncode == 0, result.stderr
    assert "已在 1 个文件中修正 9 处" in result.stdout
    after = target.read_text(encoding="utf-8")
    comments, body = before.split("\n", 2)[:2], before.split("\n", 2)[2]
    expected = "\n".join(comments) + "\n" + (body.replace("(自治区，兵团督察序号16)", "（自治区，兵团督察序号16）").replace("万m3", "万m³")
                .replace("﹝", "〔").replace("﹞", "〕").replace("[2015]", "〔2015〕").replace(" " * 669 + "\n", "\n"))
    expected = expected[:-1]  # the seed's last line was a lone space
    assert after == expected
    assert after.splitlines()[:2] == before.splitlines()[:2]  # the comments
    assert lint_text(target, after) == []
    notice = next(n for n in load_content(seed_content).notices if n.id == "wusu-16-seed")
    assert "新发改农价〔2015〕1724号" in notice.completion[6]
    # a second run has nothing left to do
    again = run_gazette("check", "--fix", str(seed_content))
    assert "修正" not in again.stdout and target.read_text(encoding="utf-8") == after


def test_check_without_fix_writes_nothing(seed_content: Path) -> None:
    target = seed_content / "notices" / SEED.name
    before = target.read_bytes()
    result = run_gazette("check", str(seed_content))
    assert result.returncode == 0
    assert "notices/seed-wusu-16.yaml:32:89 发文字号：“﹝2022﹞”应为“〔2022〕”" in result.stdout
    assert "均可用 gazette check --fix 自动修正" in result.stdout
    assert target.read_bytes() == before


SEED_TOTAL = ("task: 2022年实际压减地下水用水量786.78万m³；2023年实际压减地下水用水量5090.9万m³；"
              "2024年实际压减地下水用水量5667万m³，2022-2024年累计压减地下水用水量{total}万m³，"
              "提前超额完成了2022-2025年压减地下水用水量4960万m³的计划任务。\n")


def test_a_total_that_disagrees_with_its_parts_is_reported_but_not_fixed() -> None:
    assert findings(SEED_TOTAL.format(total="11544.68")) == []
    [(line, rule, message)] = findings(SEED_TOTAL.format(total="11554.68"))
    assert rule == "合计不符"
    assert message == "写的是 11554.68万m³，但 786.78+5090.9+5667=11544.68万m³，请核对"
    assert not lint_text(Path("x"), SEED_TOTAL.format(total="11554.68"))[0].fixable


def test_a_breakdown_in_brackets_is_checked() -> None:
    assert findings("text: 对全市3047个（地下水取水口3032个，地表水取水口15个）一级取水口核查。\n") == []
    [(_, rule, _)] = findings("text: 对全市3047个（地下水取水口3022个，地表水取水口15个）一级取水口核查。\n")
    assert rule == "合计不符"
    # "（含…）" names a part, it is not a breakdown
    assert findings("text: 关停197眼机电井（含依法填埋6眼机电井）。\n") == []


@pytest.mark.parametrize(("text", "rule", "fixed"), [
    ("a: 截至2024年底,全市完成整改;下一步:巩固成果?\n", "标点", "a: 截至2024年底，全市完成整改；下一步：巩固成果？\n"),
    ("a: 见乌水考[2022]3号和乌水考（2023）3号\n", "发文字号", "a: 见乌水考〔2022〕3号和乌水考〔2023〕3号\n"),
    ("a:\n  - 1、开展核查\n  - (2)建立台账\n  - (三)加强监管\n", "条目编号", "a:\n  - 1.开展核查\n  - （2）建立台账\n  - （三）加强监管\n"),
    ("a: 面积5万m2，水量300M3，库容2m^3\n", "单位", "a: 面积5万m²，水量300m³，库容2m³\n"),
    ("a: 2025年01月09日起至2025年1月09日\n", "日期", "a: 2025年1月9日起至2025年1月9日\n"),
    ("a: 已完成整改，，正在验收。。\n", "标点重复", "a: 已完成整改，正在验收。\n"),
    ("a: 超计划(定额)累进加价\n", "括号", "a: 超计划（定额）累进加价\n"),
    ("a: 超计划（定额)累进加价\n", "括号", "a: 超计划（定额）累进加价\n"),
    ("a: 在公示期间(2023年1月9日至2023年1月20日)反映\n", "括号", "a: 在公示期间（2023年1月9日至2023年1月20日）反映\n"),
    ("a: \u3000\u3000开展核查  \n", "空格", "a: 开展核查\n"),
])
def test_safe_rules_and_their_fixes(text: str, rule: str, fixed: str) -> None:
    from gazette.lint import fix_text

    found = lint_text(Path("x.yaml"), text)
    assert found and {f.rule for f in found} == {rule}
    assert fix_text(text, found) == fixed


def test_one_fix_run_fixes_a_comma_inside_brackets() -> None:
    from gazette.lint import fix_text

    text = "a: 请在公示期间(2023年1月9日至2023年1月20日,共10个工作日)向验收单位反映。\n"
    found = lint_text(Path("x.yaml"), text)
    assert sorted(f.rule for f in found) == sorted(["标点", "括号"])
    fixed = fix_text(text, found)
    assert fixed == "a: 请在公示期间（2023年1月9日至2023年1月20日，共10个工作日）向验收单位反映。\n"
    assert lint_text(Path("x.yaml"), fixed) == []


@pytest.mark.parametrize(("text", "rule"), [
    ("a: 按照《水资源管理办法执行\n", "符号不成对"),
    ("a: 落实“井电双控制度\n", "符号不成对"),
    ("a: 整改结束）后验收\n", "符号不成对"),
    ("a: 待填写：整改任务\n", "未填写"),
    ("a: 自治区\u3000兵团\n", "空格"),
])
def test_rules_that_need_a_person_only_report(text: str, rule: str) -> None:
    found = lint_text(Path("x.yaml"), text)
    assert [f.rule for f in found] == [rule]
    assert not found[0].fixable


@pytest.mark.parametrize("text", [
    "id: wusu-16\nemail: a:b@example.gov.cn\n",  # identifiers are not prose
    "a: PM2.5(细颗粒物)\n".replace("(细颗粒物)", ""),
    "a: 2022-2025年压减4960万m³，3.5万亩\n",
    "a: 见 https://example.gov.cn/a,b\n",
    "# 注释里的 m3 和 (括号) 不检查\na: 正文\n",
    "a: 1.2022年全面开展工作\n",
])
def test_what_is_right_is_not_flagged(text: str) -> None:
    assert findings(text) == []


def test_a_fix_that_would_break_validation_is_undone(seed_content: Path) -> None:
    target = seed_content / "notices" / SEED.name
    text = target.read_text(encoding="utf-8").replace(
        "published: 2025-06-30",
        "title_lines: [关于塔城地区自治区第一轮第二批生态环境保护督察反馈问题(自治区，, 兵团督察序号16)整改情况公示]\n"
        "published: 2025-06-30")
    target.write_text(text, encoding="utf-8")
    assert run_gazette("check", str(seed_content)).returncode == 0
    result = run_gazette("check", "--fix", str(seed_content))
    assert result.returncode == 1 and "已恢复原文件" in result.stderr and "Traceback" not in result.stderr
    assert target.read_text(encoding="utf-8") == text


def test_fix_keeps_the_files_encoding_and_line_endings(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    target = root / "notices" / "wusu-16.yaml"
    text = target.read_text(encoding="utf-8").replace("4960万m³。", "4960万m3。").replace("\n", "\r\n")
    target.write_bytes(text.encode("gb18030"))  # as Notepad in a Chinese Windows saves it
    result = run_gazette("check", "--fix", str(root))
    assert result.returncode == 0, result.stderr
    assert "修正 1 处" in result.stdout
    assert target.read_bytes() == text.replace("4960万m3。", "4960万m³。").encode("gb18030")
