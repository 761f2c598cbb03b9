"""`gazette build`: build the site, DOCX and PDF of every notice."""

from __future__ import annotations

from pathlib import Path

import click

from gazette.commands._common import user_errors

FORMATS = ("html", "docx", "pdf")


@click.command("build")
@click.argument("content", type=click.Path(file_okay=False, path_type=Path), default=Path("content"))
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("public"),
              show_default=True, help="输出文件夹（Output folder）")
@click.option("--format", "-f", "formats", type=click.Choice(FORMATS), multiple=True,
              help="只生成这些格式，可重复；缺省全部（Only these formats; default all）")
@click.option("--quiet", "-q", is_flag=True, help="只报告错误（Errors only）")
def command(content: Path, out: Path, formats: tuple[str, ...], quiet: bool) -> None:
    """构建 CONTENT 文件夹（缺省 content/）中的全部公示，写入 --out 文件夹。

    每个公示生成网页、DOCX 和 PDF；全部成功后才替换输出文件夹，失败时原有文件保持不变。
    """
    from gazette.build import build

    with user_errors():
        report = build(content, out, formats=formats or FORMATS)
    if not quiet:
        written = "，".join(f"{fmt.upper()} {count} 个" for fmt, count in report.files.items())
        click.echo(f"已构建 {report.notices} 个公示（{written}），用时 {report.seconds:.1f} 秒：{out}/index.html")
