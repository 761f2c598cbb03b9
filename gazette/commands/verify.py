"""`gazette verify`: check every signature in the given PDFs, offline; exit 1 if anything fails."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gazette.commands._common import user_errors
from gazette.errors import display_path
from gazette.verify import LEVELS, FileReport


@click.command("verify")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--trust", "trust_paths", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="信任的根证书（PEM/DER），可重复")
@click.option("--crl", "crl_paths", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="额外的 CRL 文件，可重复（文件内嵌的吊销数据总会使用）")
@click.option("--min-level", type=click.Choice(LEVELS), help="要求的最低 PAdES 级别，低于此级别即失败")
def command(files, trust_paths, crl_paths, min_level) -> None:
    """验证 PDF 中的每个签名：签名人、时间、级别、完整性、信任链、吊销状态、签名后改动。"""
    from gazette import sign
    from gazette.verify import verify_pdf

    sign.quiet_library_logs()
    with user_errors():
        roots = [cert for path in trust_paths for cert in sign.load_certificates(path)]
        crls = [sign.load_crl(path) for path in crl_paths]
    reports = [verify_pdf(path, roots, crls=crls, min_level=min_level) for path in files]
    if sys.stdout.isatty():
        _print_table(reports)
    else:
        _print_lines(reports)
    if not all(report.ok for report in reports):
        raise SystemExit(1)


def _print_lines(reports: list[FileReport]) -> None:
    for report in reports:
        name = display_path(report.path)
        click.echo(f"{name}: {'通过（OK）' if report.ok else '失败（FAILED）'}")
        for problem in report.problems:
            click.echo(f"  问题：{problem}")
        for sig in report.signatures:
            click.echo(f"  签名 {sig.field_name}: {'通过' if sig.ok else '失败'}")
            click.echo(f"    签名人：{sig.signer}")
            click.echo(f"    签名时间：{_time(sig.signing_time)}（{sig.time_source}）")
            click.echo(f"    级别：{sig.level}")
            click.echo(f"    完整性：{'完好（intact）' if sig.intact else '已损坏（NOT intact）'}")
            click.echo(f"    信任链：{sig.chain}")
            click.echo(f"    吊销状态：{sig.revocation}")
            click.echo(f"    签名后改动：{sig.modification}")
            for problem in sig.problems:
                click.echo(f"    问题：{problem}")
        for ts in report.timestamps:
            click.echo(f"  文档时间戳 {ts.field_name}: {'通过' if ts.ok else '失败'}，{_time(ts.time)}，{ts.authority}")
            for problem in ts.problems:
                click.echo(f"    问题：{problem}")


def _print_table(reports: list[FileReport]) -> None:
    """One two-column table per signature: nine columns side by side do not fit a terminal."""
    from rich.console import Console
    from rich.markup import escape as e  # names and messages come from the file: never read them as markup
    from rich.table import Table

    console = Console(highlight=False)
    for report in reports:
        verdict = "[green]通过（OK）[/]" if report.ok else "[red]失败（FAILED）[/]"
        console.print(f"[bold]{e(display_path(report.path))}[/]：{verdict}")
        for problem in report.problems:
            console.print(f"  [red]问题：{e(problem)}[/]")
        for sig in report.signatures:
            table = Table(title=f"签名 {e(sig.field_name)}", title_justify="left", show_header=False)
            table.add_column(style="bold", no_wrap=True)
            table.add_column()
            table.add_row("签名人", e(sig.signer))
            table.add_row("签名时间", f"{_time(sig.signing_time)}（{sig.time_source}）")
            table.add_row("级别", e(sig.level))
            table.add_row("完整性", "[green]完好（intact）[/]" if sig.intact else "[red]已损坏（NOT intact）[/]")
            table.add_row("信任链", e(sig.chain))
            table.add_row("吊销状态", e(sig.revocation))
            table.add_row("签名后改动", e(sig.modification))
            problems = "\n".join(e(problem) for problem in sig.problems)
            table.add_row("问题", f"[red]{problems}[/]" if problems else "[green]无[/]")
            console.print(table)
        for ts in report.timestamps:
            verdict = "[green]通过[/]" if ts.ok else "[red]失败：" + e("；".join(ts.problems)) + "[/]"
            console.print(f"  文档时间戳 {e(ts.field_name)}：{_time(ts.time)}，{e(ts.authority)}，{verdict}")


def _time(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if moment else "未知"
