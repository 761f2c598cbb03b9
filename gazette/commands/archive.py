"""`gazette archive`: add signed notices to an append-only BagIt archive, or check its fixity."""

from __future__ import annotations

from pathlib import Path

import click

from gazette.commands._common import user_errors
from gazette.errors import GazetteError, display_path


@click.command("archive")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--to", "archive_dir", type=click.Path(file_okay=False, path_type=Path), help="档案文件夹（BagIt）")
@click.option("--source", "yaml_sources", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="公示的 YAML 源文件，可重复；缺省在 PDF 旁按文件名查找，再找 PDF 内嵌的源文件")
@click.option("--organization", help="来源单位（Source-Organization），新建档案时必需")
@click.option("--check", "check_dir", type=click.Path(file_okay=False, path_type=Path),
              help="校验档案的完整性（fixity），列出每个被改动、缺失或多出的文件")
def command(sources, archive_dir, yaml_sources, organization, check_dir) -> None:
    """把签名 PDF 及其 YAML 源文件和 DOCX 归入档案（只追加，不覆盖）。

    \b
    gazette archive public/notices/wusu-16/wusu-16.signed.pdf --to archive/
    gazette archive --check archive/
    """
    with user_errors():
        if check_dir is not None:
            if sources or archive_dir:
                raise GazetteError("--check 不能与要归档的文件或 --to 同时使用（--check takes only the archive）")
            _check(check_dir)
        else:
            if not sources or archive_dir is None:
                raise GazetteError("用法：gazette archive SRC... --to 档案文件夹，或 gazette archive --check 档案文件夹")
            _add(list(sources), list(yaml_sources), archive_dir, organization)


def _add(sources: list[Path], yaml_sources: list[Path], archive_dir: Path, organization: str | None) -> None:
    from gazette.archive import add_to_archive, collect_notice_files

    for notice in collect_notice_files(sources, yaml_sources):
        result = add_to_archive(archive_dir, notice, organization=organization)
        if result.unchanged:
            click.echo(f"{result.notice_id}: 与档案中的 {result.version} 相同，未改动（identical, nothing added）")
        else:
            click.echo(f"{result.notice_id}: 已归档为 {result.version}（{len(result.added)} 个文件）")
            for path in result.added:
                click.echo(f"  + {path}")


def _check(archive_dir: Path) -> None:
    from gazette.archive import check_archive

    problems = check_archive(archive_dir)
    if not problems:
        click.echo(f"{display_path(archive_dir)}: 完整，所有文件与清单一致（all files match the manifests）")
        return
    for problem in problems:
        click.echo(f"{display_path(archive_dir)}/{problem}")
    click.echo(f"发现 {len(problems)} 处问题（{len(problems)} fixity problems）", err=True)
    raise SystemExit(1)
