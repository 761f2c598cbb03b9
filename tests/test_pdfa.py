"""PDF/A by default: identification, colour, fonts, no encryption or JavaScript, the YAML source inside."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest

from tests.conftest import CONTENT, notice_ids, run_gazette


def pdf_path(site: Path, notice_id: str) -> Path:
    return site / "notices" / notice_id / f"{notice_id}.pdf"


@pytest.mark.parametrize("notice_id", notice_ids())
def test_pdfa_structure(built_site: Path, notice_id: str) -> None:
    path = pdf_path(built_site, notice_id)
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with pikepdf.open(path) as pdf:
        assert not pdf.is_encrypted
        with pdf.open_metadata() as xmp:
            assert xmp["pdfaid:part"] == "3" and xmp["pdfaid:conformance"] == "B"
            assert xmp["dc:language"] == {"zh-CN"}
            assert "整改" in xmp["dc:title"]
            assert xmp["dc:creator"] and xmp["dc:publisher"]
            assert xmp["xmp:CreateDate"].startswith(("2023", "2025"))
            assert str(pdf.docinfo.get("/Producer")) == xmp["pdf:Producer"], "Info and XMP disagree"
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name("/GTS_PDFA1")
        assert b"sRGB" in intent.DestOutputProfile.read_bytes()[:200] or "sRGB" in str(intent.get("/OutputConditionIdentifier"))
        assert "/JavaScript" not in pdf.Root.get("/Names", {}) and "/OpenAction" not in pdf.Root
        for page in pdf.pages:
            for annotation in page.get("/Annots", []):
                assert int(annotation.get("/F", 0)) & 4, "annotation without the print flag"
        (source,) = [f for f in pdf.Root.AF if f.AFRelationship == pikepdf.Name.Source]
        embedded = source.EF.F.read_bytes()
    assert embedded == (CONTENT / "notices" / f"{notice_id}.yaml").read_bytes()


def test_extract_gives_back_the_yaml_source(built_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "back.yaml"
    result = run_gazette("extract", str(pdf_path(built_site, "wusu-16")), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == (CONTENT / "notices" / "wusu-16.yaml").read_bytes()


def test_pdfa_variant_from_site_config(content_copy: Path, tmp_path: Path) -> None:
    site = content_copy / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "\npdf:\n  variant: pdf/a-2u\n", encoding="utf-8")
    result = run_gazette("build", str(content_copy), "--out", str(tmp_path / "out"), "--format", "pdf")
    assert result.returncode == 0, result.stderr
    with pikepdf.open(pdf_path(tmp_path / "out", "suma-243")) as pdf, pdf.open_metadata() as xmp:
        assert xmp["pdfaid:part"] == "2" and xmp["pdfaid:conformance"] == "U"


def test_pdfa_1b_is_refused_with_a_reason(content_copy: Path) -> None:
    site = content_copy / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "\npdf:\n  variant: pdf/a-1b\n", encoding="utf-8")
    result = run_gazette("check", str(content_copy))
    assert result.returncode == 1
    assert "PDF/A 版本 (pdf.variant)" in result.stderr and "pdf/a-3b" in result.stderr
