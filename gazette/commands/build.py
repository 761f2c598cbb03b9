"""`gazette build`: build the site, DOCX and PDF of every notice, rebuilding only what changed."""

from __future__ import annotations

import sys
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
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="同时渲染的进程数，缺省为 CPU 核数（Worker processes; default: number of cores）")
@click.option("--clean", is_flag=True,
              help="不使用缓存，全部重新生成（Ignore the cache and rebuild everything）")
@click.option("--quiet", "-q", is_flag=True, help="只报告错误（Errors only）")
@click.option("--verbose", "-v", is_flag=True, help="逐个列出生成的文件（A line per rendered file）")
def command(content: Path, out: Path, formats: tuple[str, ...], jobs: int | None, clean: bool, quiet: bool,
            verbose: bool) -> None:
    """构建 CONTENT 文件夹（缺省 content/）中的全部公示，写入 --out 文件夹。

    每个公示生成网页、DOCX 和 PDF；只重新生成有变化的部分（缓存在输出文件夹旁的 .cache/gazette/），
    结果与全部重新生成完全相同。全部成功后才替换输出文件夹，失败时原有文件保持不变。
    """
    from gazette.build import build
    from gazette.progress import reporter_for, summary

    with user_errors(), reporter_for(sys.stderr, quiet=quiet, verbose=verbose) as reporter:
        report = build(content, out, formats=formats or FORMATS, jobs=jobs, clean=clean, reporter=reporter)
    if not quiet:
        click.echo(summary(report, f"{out}/index.html"))
