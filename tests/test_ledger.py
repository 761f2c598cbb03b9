"""The 整改台账 in Excel, both ways: what export writes (checked by opening it with openpyxl), that export then
import changes no file, that edits made in Excel land in the YAML without disturbing comments, and that a ledger
an office laid out itself is understood — or its oddities reported."""

from __future__ import annotations

import difflib
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment

from gazette.ledger import export_ledger, import_ledger
from gazette.loader import load_content

from conftest import run_gazette

HEADERS = ["序号", "问题", "整改实施主体", "整改时限", "整改措施", "完成情况", "状态", "公示期", "更新时间", "地区", "编号"]


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_export_writes_a_printable_ledger(content_copy: Path, tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    result = run_gazette("export", str(target), "--content", str(content_copy))
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(target).active
    assert sheet.title == "整改台账"
    assert sheet["A1"].value == "示例市生态环境保护督察整改工作领导小组办公室整改台账"
    assert "A1:K1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[2]] == HEADERS
    assert sheet.freeze_panes == "A3"
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.column_dimensions["F"].width >= 40 and sheet.column_dimensions["A"].width <= 8
    [choices] = sheet.data_validations.dataValidation
    assert str(choices.sqref).startswith("G3:") and "已完成现阶段整改" in choices.formula1
    rows = {r[10].value: r for r in sheet.iter_rows(min_row=3)}
    assert set(rows) == {"puyang-43", "suma-243", "wusu-16"}
    wusu = [c.value for c in rows["wusu-16"]]
    assert wusu[0] == 16 and wusu[3] == "2025年12月底" and wusu[6] == "已完成现阶段整改"
    assert wusu[4].startswith("1.全面开展取用水专项整治") and "\n7.全面落实取水许可" in wusu[4]
    assert rows["wusu-16"][4].alignment.wrap_text and rows["wusu-16"][4].alignment.vertical == "top"
    suma = [c.value for c in rows["suma-243"]]
    assert suma[2] == "宿马园区党工委、管委会" and suma[7] == "2023年7月27日至2023年8月9日"
    assert suma[8].date().isoformat() == "2023-07-27"


def test_export_then_import_changes_nothing(content_copy: Path, tmp_path: Path) -> None:
    before = snapshot(content_copy)
    export_ledger(load_content(content_copy), tmp_path / "l.xlsx")
    report = import_ledger(load_content(content_copy), tmp_path / "l.xlsx")
    assert (report.created, report.updated, report.unchanged, report.problems) == ([], [], 3, [])
    assert snapshot(content_copy) == before  # byte-identical, and no file added


def test_edits_made_in_excel_change_only_those_values(content_copy: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "l.xlsx"
    export_ledger(load_content(content_copy), ledger)
    book = openpyxl.load_workbook(ledger)
    sheet = book.active
    rows = {r[10].value: r for r in sheet.iter_rows(min_row=3)}
    rows["wusu-16"][6].value = "正在整改"
    rows["wusu-16"][0].value = 16.0  # a number Excel stored as a float
    rows["suma-243"][5].value = rows["suma-243"][5].value.replace("\n", "\r\n") + "\r\n"  # saved by WPS
    rows["wusu-16"][7].value = "2025年7月1日至2025年7月14日"
    completion = rows["puyang-43"][5]
    completion.value = completion.value.replace("均已整改完毕", "均已整改完毕并复核")
    book.save(ledger)
    before = {p.name: p.read_text(encoding="utf-8") for p in (content_copy / "notices").glob("*.yaml")}

    result = run_gazette("import", str(ledger), "--content", str(content_copy))
    assert result.returncode == 0, result.stderr
    assert "更新 " in result.stdout and "状态、公示期" in result.stdout
    assert "导入完成：新建 0 个，更新 2 个，1 个没有变化。" in result.stdout
    after = {p.name: p.read_text(encoding="utf-8") for p in (content_copy / "notices").glob("*.yaml")}
    assert after["suma-243.yaml"] == before["suma-243.yaml"]
    diff = [line for line in difflib.unified_diff(before["wusu-16.yaml"].splitlines(), after["wusu-16.yaml"].splitlines(),
                                                  lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert diff == ["-status: 已完成现阶段整改           # 须是 site.yaml 中 statuses 之一",
                    "+status: 正在整改           # 须是 site.yaml 中 statuses 之一",
                    "+publicity:", "+  start: 2025-07-01", "+  end: 2025-07-14"]
    puyang = [line for line in difflib.ndiff(before["puyang-43.yaml"].splitlines(), after["puyang-43.yaml"].splitlines())
              if line[:1] in "+-"]
    assert puyang == ["-   - 督察组反馈的3处水体黑臭问题均已整改完毕。", "+   - 督察组反馈的3处水体黑臭问题均已整改完毕并复核。"]
    notices = {n.id: n for n in load_content(content_copy).notices}
    assert notices["wusu-16"].status == "正在整改" and notices["wusu-16"].publicity.end.day == 14


def office_ledger(path: Path) -> None:
    """A ledger as a county office keeps it: a title and a blank row above the header, other column names, a
    group heading merged across the row, a 责任单位 merged over two findings, a 备注 column."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet["A1"] = "乌苏市生态环境保护督察反馈问题整改进展台账"
    sheet.merge_cells("A1:I1")
    header = ["序 号", "地区", "反馈问题", "责任单位", "完成时限", "整改措施", "整改进展情况", "整改状态", "备注"]
    for col, name in enumerate(header, start=1):
        sheet.cell(row=3, column=col, value=name)
    sheet["A4"] = "一、水资源问题"
    sheet.merge_cells("A4:I4")
    rows = [
        [17, "乌苏市", "部分工业企业取水未安装计量设施。", "乌苏市水利局\n乌苏市工信局", "2025年6月底",
         "1、全面排查工业取水口\n2、限期安装计量设施", "1.已完成排查\n2.已安装计量设施42套", "已完成", "按季度复核"],
        [18, "乌苏市", "农业灌溉用水定额偏高。", None, "2025年12月底", "修订灌溉用水定额", "正在修订", "正在整改", None],
        [16, "乌苏市", None, None, None, None, None, "正在整改", None],
        [5, "某县", "河道采砂管理不规范。", "某县水利局", "立行立改", "开展专项整治", "已完成", "已完成", None],
        [19, "乌苏市", "x", "x", "下个月", "x", "x", "已完成", None],
    ]
    for r, values in enumerate(rows, start=5):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c, value=value).alignment = Alignment(wrap_text=True)
    sheet.merge_cells("D5:D6")  # one 责任单位 for findings 17 and 18
    book.save(path)


def test_a_ledger_laid_out_differently_is_understood_and_oddities_reported(content_copy: Path, tmp_path: Path) -> None:
    office_ledger(tmp_path / "office.xlsx")
    report = import_ledger(load_content(content_copy), tmp_path / "office.xlsx")
    names = sorted(p.name for p in report.created)
    assert names == ["wusu-17.yaml", "wusu-18.yaml"]
    assert [(p.name, fields) for p, fields in report.updated] == [("wusu-16.yaml", ["状态"])]
    assert report.problems == [
        "I 列“备注”不是台账的列，已忽略",
        "第 4 行“一、水资源问题”是分组标题，已跳过",
        "第 8 行：无法确定新公示的编号：请在台账中加一列“编号”（小写字母、数字和连字符，如 wusu-17）",
        "第 9 行：整改时限：无法识别的日期 \"下个月\"，应为 2025年12月底、2023年9月30日前、2023年底前、立行立改 或 长期坚持",
    ]
    notices = {n.id: n for n in load_content(content_copy).notices}
    new = notices["wusu-17"]
    assert new.subjects == ["乌苏市水利局", "乌苏市工信局"]
    assert [m.text for m in new.measures] == ["全面排查工业取水口", "限期安装计量设施"]
    assert new.completion == ["已完成排查", "已安装计量设施42套"]
    assert (new.status, new.deadline.text, new.task) == ("已完成", "2025年6月底", "部分工业企业取水未安装计量设施。")
    assert notices["wusu-18"].subjects == ["乌苏市水利局", "乌苏市工信局"]  # from the merged cell
    text = (content_copy / "notices" / "wusu-17.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    assert notices["wusu-16"].status == "正在整改" and notices["wusu-16"].task.startswith("乌苏市地下水超采问题")


def test_import_mistakes_are_one_line(content_copy: Path, tmp_path: Path) -> None:
    (tmp_path / "not.xlsx").write_text("序号,问题\n", encoding="utf-8")
    result = run_gazette("import", str(tmp_path / "not.xlsx"), "--content", str(content_copy))
    assert result.returncode == 1 and "不是有效的 Excel" in result.stderr and "Traceback" not in result.stderr
    book = openpyxl.Workbook()
    book.active.append(["甲", "乙"])
    book.save(tmp_path / "empty.xlsx")
    result = run_gazette("import", str(tmp_path / "empty.xlsx"), "--content", str(content_copy))
    assert result.returncode == 1 and "没有找到表头" in result.stderr
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    result = run_gazette("import", str(tmp_path / "old.xls"), "--content", str(content_copy))
    assert result.returncode == 1 and "另存为”.xlsx" in result.stderr
    result = run_gazette("export", str(tmp_path / "l.csv"), "--content", str(content_copy))
    assert result.returncode == 1 and ".xlsx" in result.stderr


def test_an_unknown_status_is_reported_and_nothing_written(content_copy: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "l.xlsx"
    export_ledger(load_content(content_copy), ledger)
    book = openpyxl.load_workbook(ledger)
    for row in book.active.iter_rows(min_row=3):
        if row[10].value == "wusu-16":
            row[6].value = "完成了"
    book.save(ledger)
    before = snapshot(content_copy)
    report = import_ledger(load_content(content_copy), ledger)
    assert len(report.problems) == 1 and "状态“完成了”不在 site.yaml 的整改状态中" in report.problems[0]
    assert snapshot(content_copy) == before
