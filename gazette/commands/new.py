"""`gazette new`: create a notice file from the site defaults, asking for what only a person knows."""

from __future__ import annotations

from pathlib import Path

import click

from gazette.commands._common import user_errors


@click.command("new")
@click.argument("content", type=click.Path(file_okay=False, path_type=Path), default=Path("content"))
@click.option("--number", "-n", type=click.IntRange(1, 9999), help="问题序号，如 16（Finding number）")
@click.option("--region", "-r", help="地区，如 乌苏市（Region）")
@click.option("--title", "-t", help="公示标题（Title）")
@click.option("--id", "notice_id", help="编号，如 wusu-17；缺省沿用同一地区已有公示的前缀（Permanent id）")
@click.option("--kind", "-k", help="公示类型，缺省为 site.yaml 的 default_kind（Kind）")
def command(content: Path, number: int | None, region: str | None, title: str | None, notice_id: str | None,
            kind: str | None) -> None:
    """在 CONTENT/notices/ 中新建一个公示文件（缺省 content/）。

    没有用选项给出的问题序号、地区和标题会逐项询问。新文件立即可以构建，注释说明每个字段的写法，
    “待填写”的地方由 gazette check 列出。
    """
    from gazette.loader import load_site
    from gazette.scaffold import NewNotice, create_notice, existing_notices, suggest_id

    with user_errors():
        site, _ = load_site(content)
        if number is None:
            number = _ask("问题序号（如 16）", "--number", type=click.IntRange(1, 9999))
        if not region:
            region = _ask("地区（如 乌苏市）", "--region").strip()
        if not title:
            title = _ask("公示标题", "--title").strip()
        # wusu-17 after wusu-16: the region's prefix is taken without asking (unless that file exists)
        suggestion = suggest_id(existing_notices(content, site), region, number)
        if suggestion and (content / "notices" / f"{suggestion}.yaml").exists():
            suggestion = None
        notice_id = notice_id or suggestion or _ask(
            "编号（小写字母、数字和连字符，用于网址，如 wusu-17）", "--id").strip()
        path = create_notice(content, NewNotice(number=number, region=region, title=title, id=notice_id, kind=kind))
    click.echo(f"已新建 {path}：请把其中的“待填写”换成实际内容，gazette check 会列出还没填的地方。")


def _ask(question: str, flag: str, **kwargs):  # noqa: ANN003, ANN202 - click.prompt's own arguments
    from gazette.errors import GazetteError

    try:
        return click.prompt(question, **kwargs)
    except click.Abort:  # no one to ask (a script, or Ctrl-D)
        raise GazetteError(f"缺少{question.split('（')[0]}，请用 {flag} 给出") from None
