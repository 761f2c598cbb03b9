"""`gazette extract`: write out the YAML source embedded in a published PDF (its /Source associated file)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gazette.commands._common import user_errors
from gazette.errors import GazetteError, display_path


@click.command("extract")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="输出文件（“-”为标准输出）；缺省为内嵌的文件名，写在当前文件夹")
def command(pdf: Path, output: Path | None) -> None:
    """从 PDF 中取出内嵌的 YAML 源文件（AFRelationship /Source）。"""
    from gazette.archive import embedded_source

    with user_errors():
        found = embedded_source(pdf)
        if found is None:
            raise GazetteError(f"{display_path(pdf)} 中没有内嵌的源文件（no embedded /Source file）")
        name, data = found
        if output is not None and str(output) == "-":
            sys.stdout.buffer.write(data)
            return
        target = output or Path(Path(name.replace("\\", "/")).name or f"{pdf.stem}.yaml")
        try:
            with target.open("xb") as out:  # never overwrite: the file on disk may be newer than the PDF
                out.write(data)
        except FileExistsError:
            raise GazetteError(f"{display_path(target)} 已存在，未覆盖；请用 -o 指定其他文件（file exists）") from None
    click.echo(f"已写出 {display_path(target)}（{len(data)} 字节）")
