"""Fonts by role: what the PDF uses, and a character no font of its role covers is an error, never a box."""

from __future__ import annotations

from pathlib import Path

import pikepdf

from tests.conftest import notice_ids, run_gazette


def test_fonts_command_names_a_file_per_role_and_full_coverage() -> None:
    result = run_gazette("fonts")
    assert result.returncode == 0, result.stderr
    for role in ("标题", "正文", "一级标题", "二级标题", "页码"):
        assert role in result.stdout
    assert "FandolFang" in result.stdout  # the open 仿宋 that `make demo` unpacks


def test_uncovered_character_is_an_error_naming_character_notice_and_field(content_copy: Path, tmp_path: Path) -> None:
    notice = content_copy / "notices" / "suma-243.yaml"
    text = notice.read_text(encoding="utf-8").replace("现场施工裸土未覆盖。", "现场施工裸土未覆盖\ue000。")
    notice.write_text(text, encoding="utf-8")
    result = run_gazette("build", str(content_copy), "--out", str(tmp_path / "out"), "--format", "pdf")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "\ue000" in l)
    assert f"suma-243.yaml:{line}" in result.stderr
    assert "U+E000" in result.stderr and "(task)" in result.stderr
    assert not (tmp_path / "out").exists()


def test_every_font_in_every_pdf_is_embedded(built_site: Path) -> None:
    for notice_id in notice_ids():
        with pikepdf.open(built_site / "notices" / notice_id / f"{notice_id}.pdf") as pdf:
            for page in pdf.pages:
                for _name, font in page.resources.get("/Font", {}).items():
                    descendants = font.get("/DescendantFonts")
                    descriptor = (descendants[0] if descendants else font).get("/FontDescriptor")
                    assert descriptor is not None
                    assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font.get("/BaseFont")


def test_no_cjk_font_at_all_is_a_clear_error(tmp_path: Path) -> None:
    """On a machine without any Chinese font (simulated with an empty fontconfig), say how to install one."""
    import os
    import subprocess
    import sys

    from tests.conftest import CONTENT, ROOT

    config = tmp_path / "fonts.conf"
    config.write_text(f"<?xml version='1.0'?><fontconfig><dir>{tmp_path / 'none'}</dir>"
                      f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>", encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(config)}
    for args in (["fonts", str(CONTENT)], ["build", str(CONTENT), "--out", str(tmp_path / "out"), "--format", "pdf"]):
        result = subprocess.run([sys.executable, "-m", "gazette", *args], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "没有安装任何中文字体" in result.stderr and "make demo" in result.stderr
        assert "Traceback" not in result.stderr
