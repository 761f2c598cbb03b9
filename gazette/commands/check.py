"""`gazette check`: validate every content file and report every error, then the 公文 typography lint
(gazette/lint.py). Writes nothing, unless --fix asks it to apply the lint's safe fixes."""

from __future__ import annotations

from pathlib import Path

import click

from gazette.commands._common import user_errors


@click.command("check")
@click.argument("content", type=click.Path(file_okay=False, path_type=Path), default=Path("content"))
@click.option("--fix", is_flag=True, help="自动修正可安全修正的排版问题，保留注释和格式（Apply safe typography fixes）")
def command(content: Path, fix: bool) -> None:
    """校验 CONTENT 文件夹（缺省 content/）中的全部文件，报告所有错误和排版问题，不写任何文件（--fix 除外）。"""
    from gazette.lint import lint_content
    from gazette.loader import load_content

    with user_errors():
        loaded = load_content(content)
        click.echo(f"{len(loaded.notices)} 个公示，没有发现错误。")
        for line in lint_content(loaded, fix=fix).lines(fix):
            click.echo(line)
