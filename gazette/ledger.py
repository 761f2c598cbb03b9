"""The 整改台账 (rectification ledger) as an Excel workbook, both ways.

Export writes one row per notice, laid out for reading and printing (title row, frozen header, widths, wrapped
text, A4 landscape, header repeated on every printed page). Import reads such a ledger — or one an office made
itself: header not on the first row, merged cells, extra columns, 责任单位 for 整改实施主体 — and creates or
updates notice files. Updates edit only the characters of the values that changed (gazette/yaml_spans.py), so
comments and hand formatting stay; a value that means the same (2025-12-31 and 2025年12月31日) is not rewritten,
so exporting and importing again changes no file at all.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from gazette import wording
from gazette.errors import GazetteError, display_path
from gazette.loader import NOTICES_DIR, Content, load_notice
from gazette.model import Notice, parse_date, parse_deadline
from gazette.yaml_spans import set_value

SHEET = "整改台账"
TITLE = "{organisation}整改台账"


@dataclass(frozen=True)
class Column:
    name: str  # the header written on export
    field: str  # what it holds (see _cell_value / _row_changes)
    width: float  # in Excel character units
    synonyms: tuple[str, ...] = ()  # other headers offices use for it


COLUMNS = (
    Column("序号", "number", 6, ("问题序号", "序", "问题编号")),
    Column("问题", "task", 40, ("整改问题", "整改任务", "反馈问题", "问题描述", "存在问题", "督察反馈问题", "问题内容")),
    Column("整改实施主体", "subjects", 16, ("责任单位", "责任主体", "实施主体", "牵头单位", "整改责任单位", "责任部门")),
    Column("整改时限", "deadline", 14, ("完成时限", "整改期限", "时限", "完成时间")),
    Column("整改措施", "measures", 50, ("重点措施", "措施", "主要措施")),
    Column("完成情况", "completion", 60, ("整改完成情况", "整改进展", "进展情况", "整改情况", "整改进展情况")),
    Column("状态", "status", 12, ("整改状态", "完成状态", "是否完成")),
    Column("公示期", "publicity", 22, ("公示时间", "公示日期", "公示期间")),
    Column("更新时间", "published", 13, ("更新日期", "发布日期", "发布时间")),
    # for import: which notice a row is, and where a new one belongs
    Column("地区", "region", 10, ("县市", "所在地区", "区域", "县（市、区）", "县市区")),
    Column("编号", "id", 12, ("公示编号", "ID", "id")),
)
OPTIONAL_COLUMNS = (Column("标题", "title", 30, ("公示标题",)),)  # read on import, not written
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
HEADER_ROW = 2


# --- export -----------------------------------------------------------------------------------------------------

def export_ledger(content: Content, target: Path) -> int:
    """Write the ledger of every notice to target (.xlsx); returns the number of rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    notices = sorted(content.notices, key=_ledger_order)
    _title_row(sheet, TITLE.format(organisation=content.site.organisation))
    _header_row(sheet)
    for row, notice in enumerate(notices, start=HEADER_ROW + 1):
        for col, column in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=row, column=col, value=_cell_value(notice, column.field))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = _THIN
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    _page_setup(sheet, len(notices))
    _status_choices(sheet, content.site.status_names())
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return len(notices)


def _ledger_order(notice: Notice) -> tuple[Any, ...]:
    return (notice.inspection.name or "", notice.region, notice.finding.number, notice.id)


_SIDE = Side(style="thin", color="808080")
_THIN = Border(left=_SIDE, right=_SIDE, top=_SIDE, bottom=_SIDE)


def _title_row(sheet: Worksheet, title: str) -> None:
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=16)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet.row_dimensions[1].height = 30


def _header_row(sheet: Worksheet) -> None:
    for col, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=col, value=column.name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _THIN
        sheet.column_dimensions[get_column_letter(col)].width = column.width


def _page_setup(sheet: Worksheet, rows: int) -> None:
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    last = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(rows, 1)}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"  # the header on every printed page
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def _status_choices(sheet: Worksheet, statuses: list[str]) -> None:
    """A drop-down of site.yaml's statuses in the 状态 column, so that a typed status is always one import
    knows. Excel limits such a list to 255 characters; beyond that the column stays free text."""
    from openpyxl.worksheet.datavalidation import DataValidation

    choices = ",".join(statuses)
    if len(choices) > 255 or any("," in s or '"' in s for s in statuses):
        return
    column = get_column_letter(next(i for i, c in enumerate(COLUMNS, start=1) if c.field == "status"))
    validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=True,
                                errorTitle="整改状态", error="请从列表中选择 site.yaml 中的整改状态")
    validation.add(f"{column}{HEADER_ROW + 1}:{column}1000")
    sheet.add_data_validation(validation)


def _cell_value(notice: Notice, name: str) -> Any:
    if name == "number":
        return notice.finding.number
    if name == "subjects":
        return "\n".join(notice.subjects) or None
    if name == "deadline":
        return notice.deadline.text if notice.deadline else None
    if name == "measures":
        return _numbered([m.text for m in notice.measures])
    if name == "completion":
        if isinstance(notice.completion, list):
            return _numbered(notice.completion)
        return notice.completion
    if name == "publicity":
        if not notice.publicity:
            return None
        return f"{wording.official_date(notice.publicity.start)}至{wording.official_date(notice.publicity.end)}"
    return getattr(notice, name)


def _numbered(items: list[str]) -> str | None:
    return "\n".join(f"{n}.{item}" for n, item in enumerate(items, start=1)) or None


# --- reading a ledger -----------------------------------------------------------------------------------------

@dataclass
class LedgerRow:
    row: int  # the Excel row number, for messages
    values: dict[str, Any]  # field → cell value (None when empty)


@dataclass
class Ledger:
    rows: list[LedgerRow]
    header_row: int
    columns: dict[str, str]  # field → the header as written
    ignored: list[str] = field(default_factory=list)  # "C 列“备注”"
    skipped: list[str] = field(default_factory=list)  # rows that are not findings, with the reason


def _normalise(header: Any) -> str:
    return re.sub(r"[\s\u3000*＊:：]", "", str(header or ""))


_HEADERS = {_normalise(name): column.field for column in (*COLUMNS, *OPTIONAL_COLUMNS)
            for name in (column.name, *column.synonyms)}


def read_ledger(path: Path) -> Ledger:
    if path.suffix.lower() in (".xls", ".et", ".csv"):
        raise GazetteError(f"无法读取 {display_path(path)}：请在 Excel 或 WPS 中“另存为”.xlsx 格式后再导入")
    try:
        book = load_workbook(path, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not .xlsx
        raise GazetteError(f"无法读取 {display_path(path)}：不是有效的 Excel (.xlsx) 文件（{type(exc).__name__}）") from None
    sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
    grid = _grid(sheet)
    header_row = _find_header(grid)
    if header_row is None:
        raise GazetteError(f"{display_path(path)} 中没有找到表头：至少要有“序号”“问题”“状态”等列中的三列")
    columns: dict[int, str] = {}
    ledger = Ledger(rows=[], header_row=header_row, columns={})
    for col, header in sorted(grid.get(header_row, {}).items()):
        name = _normalise(header)
        if not name:
            continue
        field_name = _HEADERS.get(name)
        if field_name and field_name not in ledger.columns:
            columns[col] = field_name
            ledger.columns[field_name] = str(header)
        else:
            ledger.ignored.append(f"{get_column_letter(col)} 列“{header}”")
    for row in sorted(r for r in grid if r > header_row):
        values = {f: grid[row].get(col) for col, f in columns.items()}
        if all(v in (None, "") for v in values.values()):
            continue
        distinct = {str(v) for v in grid[row].values() if v not in (None, "")}
        if len(distinct) == 1 and len([v for v in grid[row].values() if v not in (None, "")]) > 1:
            ledger.skipped.append(f"第 {row} 行“{distinct.pop()}”是分组标题，已跳过")
            continue
        ledger.rows.append(LedgerRow(row, values))
    return ledger


def _grid(sheet: Worksheet) -> dict[int, dict[int, Any]]:
    """Cell values by row and column, a merged range's value copied into each of its cells (a 责任单位 merged
    over three rows belongs to each of the three)."""
    grid: dict[int, dict[int, Any]] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value not in (None, ""):
                grid.setdefault(cell.row, {})[cell.column] = cell.value
    for merged in sheet.merged_cells.ranges:
        value = sheet.cell(row=merged.min_row, column=merged.min_col).value
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                grid.setdefault(r, {})[c] = value
    return grid


def _find_header(grid: dict[int, dict[int, Any]]) -> int | None:
    best, best_count = None, 2
    for row in sorted(grid)[:20]:
        count = len({_HEADERS[_normalise(v)] for v in grid[row].values() if _normalise(v) in _HEADERS})
        if count > best_count:
            best, best_count = row, count
    return best


# --- import -----------------------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    created: list[Path] = field(default_factory=list)
    updated: list[tuple[Path, list[str]]] = field(default_factory=list)  # file, the Chinese names of changed fields
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)  # what was not understood, one line each

    def lines(self) -> list[str]:
        lines = [f"新建 {display_path(p)}" for p in self.created]
        lines += [f"更新 {display_path(p)}：{'、'.join(names)}" for p, names in self.updated]
        lines += self.problems
        lines.append(f"导入完成：新建 {len(self.created)} 个，更新 {len(self.updated)} 个，"
                     f"{self.unchanged} 个没有变化" + (f"，{len(self.problems)} 处未能识别（见上）" if self.problems else "") + "。")
        return lines


FIELD_NAMES = {c.field: c.name for c in (*COLUMNS, *OPTIONAL_COLUMNS)}
_FIELD_ORDER = list(Notice.model_fields)


def import_ledger(content: Content, path: Path, *, region: str | None = None) -> ImportReport:
    ledger = read_ledger(path)
    report = ImportReport()
    report.problems += [f"{item}不是台账的列，已忽略" for item in ledger.ignored]
    report.problems += ledger.skipped
    for required in ("number", "status"):
        if required not in ledger.columns:
            report.problems.append(f"台账没有“{FIELD_NAMES[required]}”列")
    if any(r not in ledger.columns for r in ("number", "status")):
        return report
    for row in ledger.rows:
        try:
            _import_row(content, row, report, region)
        except _RowProblem as problem:
            report.problems.append(f"第 {row.row} 行：{problem}")
    return report


class _RowProblem(Exception):
    pass


def _import_row(content: Content, row: LedgerRow, report: ImportReport, region: str | None) -> None:
    number = _number(row.values.get("number"))
    notice = _match(content, row, number)
    changes = _changes(content, notice, row)
    if notice is None:
        path, text = _new_notice_text(content, row, number, region)
        for key, value in changes:
            text = set_value(text, key, value, _FIELD_ORDER)
        _write_checked(content, path, text, new=True)
        report.created.append(path)
        return
    if not changes:
        report.unchanged += 1
        return
    source = content.source_of(notice)
    text = source.text
    for key, value in changes:
        text = set_value(text, key, value, _FIELD_ORDER)
    _write_checked(content, source.path, text, encoding=source.encoding)
    report.updated.append((source.path, [FIELD_NAMES.get(_field_of(k), ".".join(map(str, k))) for k, _ in changes]))


def _field_of(key: tuple[Any, ...]) -> str:
    return {"finding": "number"}.get(key[0], key[0])


def _number(value: Any) -> int:
    if _text(value) is None:
        raise _RowProblem("没有序号")
    try:
        number = int(str(_text(value)).rstrip(".、").replace("序号", ""))
    except (TypeError, ValueError):
        raise _RowProblem(f"序号“{value}”不是数字") from None
    if not 1 <= number <= 9999:
        raise _RowProblem(f"序号 {number} 超出范围")
    return number


def _match(content: Content, row: LedgerRow, number: int) -> Notice | None:
    notice_id = _text(row.values.get("id"))
    if notice_id:
        return next((n for n in content.notices if n.id == notice_id), None)
    region = _text(row.values.get("region"))
    candidates = [n for n in content.notices if n.finding.number == number and (not region or n.region == region)]
    if len(candidates) > 1:
        raise _RowProblem(f"序号 {number} 对应多个公示（{'、'.join(n.id for n in candidates)}），请加一列“编号”")
    return candidates[0] if candidates else None


def _changes(content: Content, notice: Notice | None, row: LedgerRow) -> list[tuple[tuple[Any, ...], Any]]:
    """(YAML path, new value) for every cell that says something other than the notice already does."""
    changes: list[tuple[tuple[Any, ...], Any]] = []
    values = row.values

    def differs(current: Any, new: Any) -> bool:
        return notice is None or current != new

    if "number" in values and notice is not None and notice.finding.number != _number(values["number"]):
        changes.append((("finding", "number"), _number(values["number"])))
    task = _text(values.get("task"))
    if task and differs(notice and notice.task, task):
        changes.append((("task",), task))
    subjects = _lines(values.get("subjects"))
    if subjects and differs(notice and notice.subjects, subjects):
        changes.append((("subjects",), subjects))
    deadline = values.get("deadline")
    if deadline not in (None, ""):
        try:
            parsed = parse_deadline(deadline.date() if isinstance(deadline, dt.datetime) else deadline)
        except ValueError as exc:
            raise _RowProblem(f"整改时限：{exc}") from None
        if differs(notice and notice.deadline and notice.deadline.text, parsed.text):
            changes.append((("deadline",), parsed.text))
    measures = _items(values.get("measures"))
    if measures and differs(notice and [m.text for m in notice.measures], measures):
        changes += _measure_changes(notice, measures)
    completion = values.get("completion")
    if _text(completion):
        if notice is not None and isinstance(notice.completion, str):
            new: Any = _text(completion)
        else:
            new = _items(completion)
        if differs(notice and notice.completion, new):
            changes.append((("completion",), new))
    status = _text(values.get("status"))
    if status:
        if status not in content.site.status_names():
            raise _RowProblem(f"状态“{status}”不在 site.yaml 的整改状态中（{'、'.join(content.site.status_names())}）")
        if differs(notice and notice.status, status):
            changes.append((("status",), status))
    period = _period(values.get("publicity"))
    if period and differs(notice and notice.publicity and (notice.publicity.start, notice.publicity.end), period):
        changes += [(("publicity", "start"), period[0]), (("publicity", "end"), period[1])]
    published = _date(values.get("published"), "更新时间")
    if published and differs(notice and notice.published, published):
        changes.append((("published",), published))
    return changes


def _measure_changes(notice: Notice | None, measures: list[str]) -> list[tuple[tuple[Any, ...], Any]]:
    """Measures written as {text, deadline} keep their deadline: only their text is replaced."""
    if notice is not None and len(notice.measures) == len(measures):
        changes = []
        for index, (old, new) in enumerate(zip(notice.measures, measures)):
            if old.text != new:
                key = ("measures", index, "text") if old.deadline else ("measures", index)
                changes.append((key, new))
        return changes
    return [(("measures",), measures)]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()  # WPS and old Excel save \r\n
    return text or None


def _lines(value: Any) -> list[str]:
    """One entry per line; a single line may list entries with ；"""
    text = _text(value)
    if not text:
        return []
    parts = text.splitlines() if "\n" in text else re.split(r"[；;]", text)
    return [p.strip() for p in parts if p.strip()]


_MARKER = re.compile(r"^\s*(?:\d{1,3}\s*[.．、]|[（(]\s*\d{1,3}\s*[)）]|[①-⑳])")


def _items(value: Any) -> list[str]:
    """A numbered cell ("1.…\\n2.…") as its items; lines without a marker continue the item before them."""
    text = _text(value)
    if not text:
        return []
    items: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if items and not _MARKER.match(line) and not re.match(r"^\s*\d{1,3}\.\d{4}年", line):
            items[-1] += "\n" + line.strip()
        else:
            items.append(wording.strip_list_marker(line.strip()))
    return items


def _date(value: Any, what: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise _RowProblem(f"{what}：{exc}") from None


def _period(value: Any) -> tuple[dt.date, dt.date] | None:
    text = _text(value)
    if not text:
        return None
    parts = re.split(r"\s*(?:至|到|—+|－|~|～)\s*", text)
    if len(parts) != 2:
        raise _RowProblem(f"公示期“{text}”应写成 2025年1月9日至2025年1月22日")
    start, end = (_date(p, "公示期") for p in parts)
    assert start and end
    return start, end


def _new_notice_text(content: Content, row: LedgerRow, number: int, region: str | None) -> tuple[Path, str]:
    """A new notice as `gazette new` would write it; the row's values are then set on it like an update."""
    from gazette.scaffold import NewNotice, existing_notices, suggest_id
    from gazette.scaffold import render as render_new

    region = _text(row.values.get("region")) or region
    if not region:
        raise _RowProblem("新问题需要地区：请在台账中加一列“地区”，或用 --region 指定")
    notice_id = _text(row.values.get("id")) or suggest_id(content.notices, region, number)
    if not notice_id:
        raise _RowProblem("无法确定新公示的编号：请在台账中加一列“编号”（小写字母、数字和连字符，如 wusu-17）")
    path = content.root / NOTICES_DIR / f"{notice_id}.yaml"
    if path.exists():
        raise _RowProblem(f"{display_path(path)} 已经存在，但编号与台账不符")
    request = NewNotice(number=number, region=region, title=_text(row.values.get("title")), id=notice_id)
    return path, render_new(request, content.site, existing_notices(content.root, content.site), path, content.root)


def _write_checked(content: Content, path: Path, text: str, encoding: str = "utf-8", new: bool = False) -> None:
    """Write, then load the file as `gazette check` would; put the old text back if it no longer loads."""
    from gazette.errors import ContentErrors

    old = None if new else path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as handle:
        handle.write(text)
    try:
        load_notice(path, content.site, content.root)
    except ContentErrors as exc:
        if old is None:
            path.unlink()
        else:
            path.write_bytes(old)
        raise _RowProblem("导入后的内容无法通过校验，未写入：" + "；".join(e.message for e in exc.errors)) from None
