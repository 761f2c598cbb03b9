"""The PDF path's shortcuts give what the long way gives: WeasyPrint's font subsets (gazette.render.weasyprint_speed),
fontconfig's answers (gazette.fonts._fc_match against `fc-match`), HarfBuzz's character maps against fontTools',
cached chart PNGs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import CONTENT


def _seed(content):
    return next(n for n in content.notices if content.source_of(n).path.name == "wusu-16.yaml")


def test_one_pass_font_subsets_are_weasyprints_two_pass_bytes(tmp_path: Path, monkeypatch) -> None:
    import weasyprint.pdf.fonts as pdf_fonts

    from gazette.loader import load_content
    from gazette.render import weasyprint_speed
    from gazette.render.html import render_notice
    from gazette.render.pdf import render_pdf

    compared: list[tuple[str, bool, bool]] = []

    def both(self, to_unicode, hinting):
        weasyprint_speed._original_subset(self, to_unicode, hinting)  # WeasyPrint's own
        theirs = self.file_content
        weasyprint_speed._harfbuzz_subset(self, to_unicode, hinting)
        compared.append((self.family, self.file_content == theirs, len(theirs) < 4_000_000))

    monkeypatch.setattr(pdf_fonts.Font, "_harfbuzz_subset", both)
    content = load_content(CONTENT)
    for notice in content.notices:
        render_pdf(render_notice(notice, content), content, tmp_path / f"{notice.id}.pdf")
    assert len(compared) >= 4
    assert all(same for _, same, _ in compared), compared
    assert all(subset for _, _, subset in compared), compared  # a subset, not the whole font file


def test_font_data_is_read_only_when_used() -> None:
    import weasyprint.pdf.fonts as pdf_fonts

    from gazette.render import weasyprint_speed

    assert isinstance(pdf_fonts.Font.__dict__["file_content"], weasyprint_speed._LazyFileContent)

    font = pdf_fonts.Font.__new__(pdf_fonts.Font)
    font.file_content = b"OTTO subset"
    assert font.file_content == b"OTTO subset" and font.type == "otf"


def test_in_process_fontconfig_answers_as_fc_match() -> None:
    from gazette import fonts
    from gazette.loader import load_content

    if shutil.which("fc-match") is None or fonts._fontconfig() is None:
        pytest.skip("fontconfig not installed")
    site_fonts = load_content(CONTENT).site.fonts
    families = [f for role in fonts.ROLES for f in getattr(site_fonts, role)] + ["No Such Font 42", "serif"]
    for family in families:
        pattern = f"{family}:weight=regular"
        assert fonts._fc_match(pattern) == fonts._fc_match_command(pattern), family


def test_harfbuzz_character_maps_are_fonttools_maps() -> None:
    from fontTools.ttLib import TTFont

    from gazette import fonts
    from gazette.loader import load_content

    if fonts._harfbuzz() is None:
        pytest.skip("libharfbuzz not loadable")
    site_fonts = load_content(CONTENT).site.fonts
    files = {(font.path, font.index) for role in fonts.ROLES for font in fonts.role_fonts(site_fonts, role)}
    assert len(files) >= 3
    for path, index in files:
        font = TTFont(str(path), fontNumber=index, lazy=True)
        assert fonts._cmap(path, index) == frozenset(font.getBestCmap()), path
        font.close()


def test_cached_chart_png_is_the_drawn_one(tmp_path: Path) -> None:
    from gazette import charts
    from gazette.loader import load_content

    indicator = next(i for i in _seed(load_content(CONTENT)).indicators if i.chart)
    try:
        charts.use_cache(None)
        drawn = charts.indicator_chart_png(indicator)
        charts.use_cache(tmp_path)
        first = charts.indicator_chart_png(indicator)
        (png,) = tmp_path.glob("*.png")
        again = charts.indicator_chart_png(indicator)
    finally:
        charts.use_cache(None)
    assert drawn == first == again == png.read_bytes()
