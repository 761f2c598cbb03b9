"""`gazette summary`: the 整改情况一览表 of an inspection batch as HTML, DOCX and PDF."""

from __future__ import annotations

from pathlib import Path

import click

from gazette.commands._common import user_errors

FORMATS = ("html", "docx", "pdf")


@click.command("summary")
@click.argument("content", type=click.Path(file_okay=False, path_type=Path), default=Path("content"))
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="输出文件夹（Output folder）")
@click.option("--batch", "-b", help="督察批次名称，可只写能区分的一部分，如 第二批；缺省每个批次各一份（Batch）")
@click.option("--format", "-f", "formats", type=click.Choice(FORMATS), multiple=True,
              help="只生成这些格式，可重复；缺省全部（Only these formats）")
def command(content: Path, out: Path, batch: str | None, formats: tuple[str, ...]) -> None:
    """生成督察批次的整改情况一览表（序号、问题、整改措施、责任单位、整改时限、完成情况、状态），A4 横向，
    表头在每页重复。"""
    from gazette.loader import load_content
    from gazette.summary import write_summaries

    with user_errors():
        written = write_summaries(load_content(content), out, batch_name=batch, formats=formats or FORMATS)
    for path in written:
        click.echo(f"已生成 {path}")
