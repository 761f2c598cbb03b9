"""`gazette import`: create and update notice files from a 整改台账 workbook."""

from __future__ import annotations

from pathlib import Path

import click

from gazette.commands._common import user_errors


@click.command("import")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--content", "-c", type=click.Path(file_okay=False, path_type=Path), default=Path("content"),
              show_default=True, help="内容文件夹（Content folder）")
@click.option("--region", "-r", help="台账没有“地区”列时，新问题所属的地区（Region for new rows）")
def command(source: Path, content: Path, region: str | None) -> None:
    """从整改台账 SOURCE（.xlsx）新建或更新公示文件。

    按表头名称识别各列（如“责任单位”即“整改实施主体”，“完成时限”即“整改时限”）；只改动内容有变化的字段，
    文件中的注释和格式保持不变。没能识别的列和行逐条列出。
    """
    from gazette.errors import GazetteError
    from gazette.ledger import import_ledger
    from gazette.loader import load_content

    with user_errors():
        if not source.is_file():
            raise GazetteError(f"找不到台账文件 {source}")
        report = import_ledger(load_content(content), source, region=region)
    for line in report.lines():
        click.echo(line)
