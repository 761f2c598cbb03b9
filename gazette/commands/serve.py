"""`gazette serve`: preview the site on localhost, rebuilt and reloaded in the browser on every change."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import click

from gazette.commands.build import FORMATS


@click.command("serve")
@click.argument("content", type=click.Path(file_okay=False, exists=True, path_type=Path), default=Path("content"))
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址（Address to listen on）")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="端口，0 表示任选空闲端口（Port; 0 picks a free one）")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="输出文件夹，缺省为临时文件夹（Output folder; default: a temporary one）")
@click.option("--format", "-f", "formats", type=click.Choice(FORMATS), multiple=True,
              help="只生成这些格式，可重复；缺省全部（Only these formats; default all）")
@click.option("--build-date", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="按这一天判断公示期状态，缺省为今天（Build date for 公示中/公示已结束; default today）")
def command(content: Path, host: str, port: int, out: Path | None, formats: tuple[str, ...],
            build_date: dt.datetime | None) -> None:
    """在本机预览网站：先构建 CONTENT（缺省 content/），然后提供网页服务。

    内容、模板或 site.yaml 保存后自动重新构建，浏览器中打开的页面随之刷新。内容有错误时，错误显示在
    终端和浏览器中，网站保持上一次成功构建的样子。按 Ctrl+C 结束。
    """
    from gazette.build import build
    from gazette.site.builddate import CHINA
    from gazette.site.preview import Preview

    if build_date is not None:  # the same switch reproducible builds use, read by the site writer
        os.environ["SOURCE_DATE_EPOCH"] = str(int(build_date.replace(tzinfo=CHINA).timestamp()))
    temporary = None
    if out is None:
        temporary = Path(tempfile.mkdtemp(prefix="gazette-serve-"))
        out = temporary / "site"

    def say(message: str) -> None:
        click.echo(message, err=True)
        click.echo("内容有错误，网站保持上一次成功构建的结果；改正后保存即可。", err=True)

    def builder() -> None:
        report = build(content, out, formats=formats or FORMATS)
        if not report.unchanged:
            click.echo(f"已重新构建（{report.seconds:.1f} 秒）", err=True)

    preview = Preview(content, out, builder, say)
    try:
        url = preview.start(host, port)
    except OSError as exc:
        raise click.ClickException(f"无法在 {host}:{port} 上提供服务：{exc.strerror}（换一个端口：--port）") from None
    click.echo(f"预览地址：{url}index.html（按 Ctrl+C 结束）", err=True)
    try:
        preview.stop.wait()
    except KeyboardInterrupt:
        click.echo("已停止预览", err=True)
    finally:
        preview.close()
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
