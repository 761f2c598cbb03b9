"""`gazette check`: validate every content file and report every error, writing nothing."""

from __future__ import annotations

from pathlib import Path

import click

from gazette.commands._common import user_errors


@click.command("check")
@click.argument("content", type=click.Path(file_okay=False, path_type=Path), default=Path("content"))
def command(content: Path) -> None:
    """校验 CONTENT 文件夹（缺省 content/）中的全部文件，报告所有错误，不写任何文件。"""
    from gazette.loader import load_content

    with user_errors():
        loaded = load_content(content)
    click.echo(f"{len(loaded.notices)} 个公示，没有发现错误。")
