"""`gazette schema`: write the JSON Schema files that let VS Code complete and check the YAML while typing."""

from __future__ import annotations

from pathlib import Path

import click

from gazette.commands._common import user_errors


@click.command("schema")
@click.argument("content", type=click.Path(file_okay=False, path_type=Path), default=Path("content"))
@click.option("--modeline", is_flag=True,
              help="在还没有的公示文件第一行加上指向 schema 的注释（Add the schema modeline to existing notices）")
def command(content: Path, modeline: bool) -> None:
    """把内容格式的 JSON Schema 写入 CONTENT/schema/（缺省 content/schema/），供编辑器补全和检查。

    用 gazette new 新建的公示文件第一行已指向这个文件；VS Code 安装 YAML 扩展（Red Hat）后即可使用。
    已有的公示文件用 --modeline 加上这一行。
    """
    from gazette.errors import GazetteError
    from gazette.schema import add_modelines, write_schemas

    with user_errors():
        if not content.is_dir():
            raise GazetteError(f"找不到内容文件夹 {content}")
        paths = write_schemas(content)
        marked = add_modelines(content) if modeline else []
    for path in paths:
        click.echo(f"已写入 {path}")
    for path in marked:
        click.echo(f"已在 {path} 第一行加上 schema 注释")
