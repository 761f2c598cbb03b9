"""`gazette sign` takes its defaults from site.yaml's `signing:` section (certificate, level, seal, reason)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
from click.testing import CliRunner

from gazette.cli import cli
from gazette.verify import verify_pdf
from tests.pki import make_seal_png, pki  # noqa: F401 - fixture


def test_sign_uses_site_yaml_signing_defaults(pki, built_site: Path, content_copy: Path, tmp_path: Path) -> None:  # noqa: F811
    keys = content_copy / "keys"
    keys.mkdir()
    shutil.copy(pki.signer_p12, keys / "signer.p12")
    make_seal_png(content_copy / "seal.png")
    site = content_copy / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "\nsigning:\n  p12: keys/signer.p12\n  level: B-B\n"
                    "  seal: seal.png\n  reason: 整改情况公示\n  password_env: TEST_P12_PASSWORD\n", encoding="utf-8")
    pdf = tmp_path / "puyang-43.pdf"
    shutil.copy(built_site / "notices" / "puyang-43" / "puyang-43.pdf", pdf)
    result = CliRunner().invoke(cli, ["sign", "--content", str(content_copy), str(pdf)],
                                env={"TEST_P12_PASSWORD": pki.password})
    assert result.exit_code == 0, result.output
    signed = tmp_path / "puyang-43.signed.pdf"
    report = verify_pdf(signed, [pki.root_cert], crls=[pki.crl])
    assert report.ok, report.problems
    (signature,) = report.signatures
    assert signature.level == "B-B"
    with pikepdf.open(signed) as document:
        widgets = [a for a in document.pages[-1].obj.Annots if "/AP" in a]
        assert widgets and float(widgets[0].Rect[2]) > float(widgets[0].Rect[0]), "visible seal from site.yaml"


def test_sign_without_any_certificate_is_a_clear_error(content_copy: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    result = CliRunner().invoke(cli, ["sign", "--content", str(content_copy), str(pdf)])
    assert result.exit_code == 1
    assert "signing.p12" in result.output
