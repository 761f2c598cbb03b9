"""`gazette status`: counts by status, overdue findings and 公示期 ending soon; exit code 2 when overdue."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from gazette.commands._common import user_errors

EXIT_OVERDUE = 2


@click.command("status")
@click.argument("content", type=click.Path(file_okay=False, path_type=Path), default=Path("content"))
@click.option("--as-of", "as_of", metavar="DATE", help="按这一天统计，缺省为今天，如 2025-01-09（Count as of this date）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON，供其他程序使用（Print the summary as JSON）")
def command(content: Path, as_of: str | None, as_json: bool) -> None:
    """统计 CONTENT（缺省 content/）中各整改状态的数量、超过整改时限仍未完成的问题和一周内结束的公示期。

    有逾期问题时退出码为 2，便于定时任务提醒。
    """
    from rich.console import Console

    from gazette.errors import GazetteError
    from gazette.loader import load_content
    from gazette.model import parse_date
    from gazette.status import status_summary

    with user_errors():
        try:
            day = parse_date(as_of) if as_of else dt.date.today()
        except ValueError as exc:
            raise GazetteError(f"--as-of {exc}") from None
        summary = status_summary(load_content(content), day)
    if as_json:
        import json

        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    else:
        console = Console(highlight=False)
        for table in _tables(summary):
            console.print(table)
    if summary.overdue:
        sys.exit(EXIT_OVERDUE)


def _tables(summary):  # noqa: ANN001, ANN202
    from rich.table import Table

    from gazette.wording import official_date

    yield (f"[bold]整改状态[/bold]：截至{official_date(summary.as_of)}，共 {summary.total} 个问题，"
           f"已完成 {summary.done} 个")
    counts = Table()
    counts.add_column("整改状态")
    counts.add_column("已完成", justify="center")
    counts.add_column("数量", justify="right")
    for row in summary.counts:
        counts.add_row(row.status, "是" if row.done else "", str(row.count))
    yield counts

    if len(summary.regions) > 1:
        regions = Table()
        for name, justify in (("地区", "left"), ("问题", "right"), ("已完成", "right"), ("逾期", "right")):
            regions.add_column(name, justify=justify)
        for row in summary.regions:
            regions.add_row(row.region, str(row.total), str(row.done), str(row.overdue) if row.overdue else "")
        yield regions

    if summary.overdue:
        yield f"[bold red]超过整改时限仍未完成：{len(summary.overdue)} 个[/bold red]"
        overdue = Table()
        for name in ("编号", "地区", "序号", "整改时限", "逾期", "整改状态"):
            overdue.add_column(name)
        for item in summary.overdue:
            overdue.add_row(item.id, item.region, str(item.number), official_date(item.date), f"{item.days} 天",
                            item.status)
        yield overdue
    else:
        yield "没有超过整改时限仍未完成的问题。"

    if summary.publicity_ending:
        yield f"[bold]一周内结束的公示期：{len(summary.publicity_ending)} 个[/bold]"
        ending = Table()
        for name in ("编号", "地区", "序号", "公示结束", "剩余"):
            ending.add_column(name)
        for item in summary.publicity_ending:
            ending.add_row(item.id, item.region, str(item.number), official_date(item.date),
                           "今天结束" if item.days == 0 else f"{item.days} 天")
        yield ending
    else:
        yield "一周内没有结束的公示期。"
