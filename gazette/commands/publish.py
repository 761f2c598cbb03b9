"""`gazette publish`: put the built site where the portal serves it, or make a dated zip of it."""

from __future__ import annotations

from pathlib import Path

import click

from gazette.commands._common import user_errors


@click.command("publish")
@click.argument("destination", required=False)
@click.option("--site", "-s", type=click.Path(file_okay=False, exists=True, path_type=Path), default=Path("public"),
              show_default=True, help="构建好的网站文件夹（The built site）")
@click.option("--dry-run", "-n", is_flag=True, help="只列出将新增、更新和删除的文件（List the changes only）")
@click.option("--zip", "make_zip", is_flag=True, help="打包为带日期的 zip 文件（Make a dated zip archive）")
@click.option("--zip-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="zip 文件放在哪个文件夹（Where the zip goes）")
@click.option("--ssh", "ssh_command", default="ssh", show_default=True,
              help="连接服务器的 ssh 命令及参数，如 \"ssh -i ~/.ssh/portal\"（The ssh command, as rsync -e）")
def command(destination: str | None, site: Path, dry_run: bool, make_zip: bool, zip_dir: Path,
            ssh_command: str) -> None:
    """把 --site（缺省 public/）发布到 DESTINATION：本地或挂载的文件夹（/srv/www/zgwtgs），
    或网站服务器（用户@主机:/路径，或 ssh://用户@主机:端口/路径，经 SSH 用 rsync 传输）。

    只传送有变化的文件，删除网站中已不存在的文件。新版本先在旁边完整生成，再一次替换，
    传输失败时服务器上的网站保持原样。--dry-run 先列出变化；--zip 打包为 网站名-年月日.zip。
    """
    from gazette.site import publish
    from gazette.site.builddate import build_date

    if not make_zip and not destination:
        raise click.UsageError("请给出发布位置（DESTINATION），或使用 --zip 打包")
    with user_errors():
        if make_zip:
            archive = publish.make_zip(site, zip_dir, build_date())
            click.echo(f"已打包：{archive}")
        if destination:
            remote = publish.Remote.parse(destination)
            if dry_run:
                plan = (publish.remote_plan(site, remote, ssh_command) if remote
                        else publish.local_plan(site, Path(destination)))
                for line in plan.lines():
                    click.echo(line)
                click.echo(f"将{plan.summary()}（未做任何改动：--dry-run）")
                return
            plan = (publish.publish_remote(site, remote, ssh_command) if remote
                    else publish.publish_local(site, Path(destination)))
            click.echo(f"已发布到 {destination}：{plan.summary()}" if not plan.empty else f"{destination} 已是最新，没有变化")
