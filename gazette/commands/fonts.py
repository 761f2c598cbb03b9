"""`gazette fonts`: for each font role, the font file the PDF will use and whether it covers the content."""

from __future__ import annotations

from pathlib import Path

import click

from gazette.commands._common import user_errors


@click.command("fonts")
@click.argument("content", type=click.Path(file_okay=False, path_type=Path), default=Path("content"))
def command(content: Path) -> None:
    """列出每个字体角色（标题、正文、一级标题、二级标题、页码）在 PDF 中实际使用的字体文件，
    以及它们是否包含 CONTENT 中用到的每一个字符。有缺字时退出码为 1。"""
    from rich.console import Console
    from rich.table import Table

    from gazette import fonts
    from gazette.loader import load_content
    from gazette.render.html import render_notice

    with user_errors():
        loaded = load_content(content)
        site_fonts = loaded.site.fonts
        texts = {role: "" for role in fonts.ROLES}
        for notice in loaded.notices:
            for role, text in fonts.text_by_role(render_notice(notice, loaded).html).items():
                texts[role] += text
        table = Table(title="字体（Fonts by role）")
        for column in ("角色", "site.yaml 中的顺序", "PDF 使用的字体文件", "缺字"):
            table.add_column(column)
        missing_any = False
        for role in fonts.ROLES:
            installed = fonts.role_fonts(site_fonts, role)
            if not installed:
                fonts.primary_font(site_fonts, role)  # raises with the install hint
            missing = fonts.uncovered(texts[role], installed)
            missing_any |= bool(missing)
            used = "\n".join(f"{f.family}: {f.path}" + (f" #{f.index}" if f.index else "") for f in installed)
            table.add_row(fonts.ROLE_NAMES[role], "、".join(getattr(site_fonts, role)), used,
                          "无" if not missing else " ".join(f"{c}(U+{ord(c):04X})" for c in missing))
        Console(width=160).print(table)
    if missing_any:
        raise SystemExit(1)
