"""`gazette status` and the data behind it: counts by status, overdue findings, 公示期 ending within a week."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from gazette.loader import load_content
from gazette.status import status_summary

from conftest import CONTENT, run_gazette


def test_summary_as_data_for_a_site_page() -> None:
    summary = status_summary(load_content(CONTENT), dt.date(2023, 8, 5))
    counts = {c.status: c.count for c in summary.counts}
    assert (summary.total, summary.done) == (3, 2)
    assert counts["已整改完成并通过核查验收"] == 2 and counts["已完成现阶段整改"] == 1
    assert sum(counts.values()) == 3
    assert [(r.region, r.total, r.done, r.overdue) for r in summary.regions] == [
        ("乌苏市", 1, 0, 0), ("宿马园区", 1, 1, 0), ("濮阳市", 1, 1, 0)]
    assert summary.overdue == []  # wusu-16 is due 2025年12月底
    [ending] = summary.publicity_ending
    assert (ending.id, ending.date, ending.days) == ("suma-243", dt.date(2023, 8, 9), 4)
    data = json.loads(json.dumps(summary.as_dict()))
    assert data["as_of"] == "2023-08-05" and data["publicity_ending"][0]["date"] == "2023-08-09"


def test_overdue_is_relative_to_the_day_and_ignores_done_findings() -> None:
    content = load_content(CONTENT)
    assert status_summary(content, dt.date(2025, 12, 31)).overdue == []  # the last day still counts
    [late] = status_summary(content, dt.date(2026, 1, 10)).overdue
    assert (late.id, late.date, late.days) == ("wusu-16", dt.date(2025, 12, 31), 10)
    assert status_summary(content, dt.date(2026, 1, 10)).regions[0].overdue == 1
    # suma-243 was due 2023年9月30日前 but is done (done: true in site.yaml)
    assert "suma-243" not in [i.id for i in status_summary(content, dt.date(2030, 1, 1)).overdue]


def test_publicity_window_is_a_week() -> None:
    content = load_content(CONTENT)
    assert [i.id for i in status_summary(content, dt.date(2023, 8, 2)).publicity_ending] == ["suma-243"]
    assert status_summary(content, dt.date(2023, 8, 1)).publicity_ending == []  # 8 days left
    assert status_summary(content, dt.date(2023, 8, 10)).publicity_ending == []  # over


def test_command_exit_codes_for_scheduled_jobs() -> None:
    quiet = run_gazette("status", str(CONTENT), "--as-of", "2023-08-05")
    assert quiet.returncode == 0, quiet.stderr
    assert "共 3 个问题，已完成 2 个" in quiet.stdout and "suma-243" in quiet.stdout
    assert "没有超过整改时限仍未完成的问题" in quiet.stdout
    late = run_gazette("status", str(CONTENT), "--as-of", "2026年1月10日")
    assert late.returncode == 2
    assert "超过整改时限仍未完成：1 个" in late.stdout and "wusu-16" in late.stdout and "10 天" in late.stdout
    data = json.loads(run_gazette("status", str(CONTENT), "--as-of", "2026-01-10", "--json").stdout)
    assert data["overdue"][0]["id"] == "wusu-16" and data["overdue"][0]["days"] == 10
    bad = run_gazette("status", str(CONTENT), "--as-of", "明天")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_status_on_a_broken_folder_is_one_line_per_error(tmp_path: Path) -> None:
    result = run_gazette("status", str(tmp_path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
