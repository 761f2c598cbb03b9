"""`gazette export`: the 整改台账 of all notices as an Excel workbook."""

from __future__ import annotations

from pathlib import Path

import click

from gazette.commands._common import user_errors


@click.command("export")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--content", "-c", type=click.Path(file_okay=False, path_type=Path), default=Path("content"),
              show_default=True, help="内容文件夹（Content folder）")
def command(target: Path, content: Path) -> None:
    """把全部公示导出为整改台账 TARGET（.xlsx）：标题行、冻结表头、自动换行，按 A4 横向打印。"""
    from gazette.errors import GazetteError
    from gazette.ledger import export_ledger
    from gazette.loader import load_content

    with user_errors():
        if target.suffix.lower() != ".xlsx":
            raise GazetteError(f"台账文件名应以 .xlsx 结尾：{target}")
        rows = export_ledger(load_content(content), target)
    click.echo(f"已导出 {rows} 个问题：{target}")
