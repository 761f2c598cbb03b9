"""The `gazette` command line.

Each command lives in its own module under gazette/commands/ (as in MkDocs) and is imported only when it is
run, so `gazette --help` and `gazette check` never import WeasyPrint or python-docx.
"""

from __future__ import annotations

import importlib
import sys

import click

# command name -> (module, one-line help). The help is repeated here so that `gazette --help` can list
# commands without importing them.
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("gazette.commands.build", "把内容构建为网站、DOCX 和 PDF（Build the site, DOCX and PDF）"),
    "check": ("gazette.commands.check", "校验内容并检查公文排版，--fix 自动修正（Validate and lint; --fix）"),
    "fonts": ("gazette.commands.fonts", "列出各字体角色使用的字体文件及覆盖情况（Fonts per role and coverage）"),
    "sign": ("gazette.commands.sign", "对 PDF 进行 PAdES 签名（Sign PDFs, PAdES B-B … B-LTA）"),
    "verify": ("gazette.commands.verify", "验证 PDF 签名（Verify signatures offline）"),
    "archive": ("gazette.commands.archive", "归档签名公示并校验档案（Append to / check the BagIt archive）"),
    "extract": ("gazette.commands.extract", "取出 PDF 内嵌的 YAML 源文件（Extract the embedded YAML source）"),
    "serve": ("gazette.commands.serve", "在本机预览网站，保存即刷新（Preview the site with live reload）"),
    "publish": ("gazette.commands.publish", "把网站发布到文件夹或服务器，或打包（Publish the site: folder, SSH, zip）"),
    "new": ("gazette.commands.new", "新建一个公示文件（Create a notice file from the site defaults）"),
    "schema": ("gazette.commands.schema", "写出内容格式的 JSON Schema，供编辑器补全（JSON Schema for editors）"),
    "export": ("gazette.commands.export", "导出整改台账 Excel（Export the ledger as .xlsx）"),
    "import": ("gazette.commands.import_", "从整改台账 Excel 新建或更新公示（Import a ledger .xlsx）"),
    "status": ("gazette.commands.status", "统计整改状态、逾期和公示期（Status counts, overdue, publicity ending）"),
    "summary": ("gazette.commands.summary", "生成整改情况一览表（Summary table: DOCX, PDF, HTML）"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[name][0])
        return module.command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gazette")
def cli() -> None:
    """gazette：生态环境保护督察整改情况公示的排版与发布工具。

    每个整改问题一个 YAML 文件，生成 GB/T 9704 版式的 DOCX、PDF/A 和静态网站。
    """


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        click.echo("已中断", err=True)
        sys.exit(130)
