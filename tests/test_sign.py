"""PAdES signing and verification against a throw-away local PKI: every level, PDF/A structure, tampering."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from gazette import sign
from gazette.cli import cli
from gazette.sign import SealPlacement, SignatureLevel, SigningError, sign_pdf
from gazette.verify import verify_pdf

try:  # tests/ is a plain folder; `python -m pytest` puts the project root on sys.path, plain `pytest` tests/
    from tests.pki import embed_source, pdfa_pdf, pki, seal_png  # noqa: F401 - fixtures
except ModuleNotFoundError:
    from pki import embed_source, pdfa_pdf, pki, seal_png  # noqa: F401

LEVELS = list(SignatureLevel)


def _sign(pki, src: Path, dest: Path, level=SignatureLevel.B_LTA, *, p12=None, seal=None) -> Path:
    signer = sign.load_signer(p12 or pki.signer_p12, pki.password)
    context = sign.make_validation_context([pki.root_cert], crls=[pki.crl])
    return sign_pdf(src, dest, signer, level=level, timestamper=pki.timestamper(), validation_context=context, seal=seal)


@pytest.fixture(scope="module")
def signed(pki, pdfa_pdf, seal_png, tmp_path_factory) -> dict[SignatureLevel, Path]:
    """One signed copy per level, each with a visible seal on the last page."""
    folder = tmp_path_factory.mktemp("signed")
    return {
        level: _sign(pki, pdfa_pdf, folder / f"{level.value}.signed.pdf", level, seal=SealPlacement(seal_png))
        for level in LEVELS
    }


def _roots(pki):
    return sign.load_certificates(pki.root_pem)


def _flip_byte(src: Path, dest: Path, offset: int | None = None) -> Path:
    data = bytearray(src.read_bytes())
    offset = len(data) // 2 if offset is None else offset
    data[offset] ^= 0x01
    dest.write_bytes(bytes(data))
    return dest


def _append_page_content_update(src: Path, dest: Path) -> Path:
    """An incremental update after the signature that draws a line over page 1 (a forged 'correction')."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    with src.open("rb") as infile:
        writer = IncrementalPdfFileWriter(infile)
        page_ref, _ = writer.find_page_for_modification(0)
        page = page_ref.get_object()
        extra = writer.add_object(generic.StreamObject(stream_data=b"q 1 0 0 RG 4 w 72 72 m 500 700 l S Q"))
        contents = page["/Contents"]
        existing = list(contents) if isinstance(contents, generic.ArrayObject) else [page.raw_get("/Contents")]
        page["/Contents"] = generic.ArrayObject(existing + [extra])
        writer.update_container(page)
        with dest.open("wb") as out:
            writer.write(out)
    return dest


# --- signing and verifying at every level ----------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS, ids=[level.value for level in LEVELS])
def test_each_level_verifies_offline_and_is_detected(signed, pki, level):
    report = verify_pdf(signed[level], _roots(pki))
    assert report.ok, report
    [signature] = report.signatures
    assert signature.level == level.value
    assert signature.signer == "乌苏市生态环境局"
    assert signature.intact
    assert signature.signing_time is not None
    assert signature.time_source == ("签名人声称" if level is SignatureLevel.B_B else "时间戳")
    if level.embeds_validation_info:
        assert "未吊销" in signature.revocation  # decided from the CRL inside the file, nothing fetched
    assert len(report.timestamps) == (1 if level is SignatureLevel.B_LTA else 0)


@pytest.mark.parametrize("level", LEVELS, ids=[level.value for level in LEVELS])
def test_signed_output_keeps_pdfa_structure(signed, level):
    path = signed[level]
    assert sign.pdfa_problems(path) == []
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "B")
        assert len(pdf.Root.OutputIntents) == 1
        assert not pdf.is_encrypted
        widgets = [a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.get("/FT") == "/Sig"]
        assert widgets and all(int(w.F) & 4 for w in widgets)  # Print flag
        assert str(pdf.trailer.Info.Producer) == meta["pdf:Producer"]  # Info and XMP agree
        seal = next(w for w in widgets if float(w.Rect[2]) > float(w.Rect[0]))
        assert "/Font" not in seal.AP.N.get("/Resources", {})  # image-only appearance, no font to embed


def test_seal_goes_on_the_last_page_at_the_given_box(pki, tmp_path, seal_png):
    two_pages = tmp_path / "two.pdf"
    import weasyprint

    weasyprint.HTML(string='<p>一</p><p style="break-before:page">二</p>').write_pdf(two_pages, pdf_variant="pdf/a-3b")
    out = _sign(pki, two_pages, tmp_path / "two.signed.pdf", SignatureLevel.B_B,
                seal=SealPlacement(seal_png, box=(300, 150, 420, 270)))
    with pikepdf.open(out) as pdf:
        assert "/Annots" not in pdf.pages[0].obj
        [widget] = pdf.pages[1].obj.Annots
        assert [float(v) for v in widget.Rect] == [300, 150, 420, 270]


def test_higher_levels_need_a_timestamper(pki, pdfa_pdf, tmp_path):
    signer = sign.load_signer(pki.signer_p12, pki.password)
    with pytest.raises(SigningError, match="时间戳"):
        sign_pdf(pdfa_pdf, tmp_path / "x.pdf", signer, level=SignatureLevel.B_T)


def test_existing_output_is_not_overwritten(pki, pdfa_pdf, tmp_path):
    dest = tmp_path / "exists.signed.pdf"
    dest.write_bytes(b"keep me")
    with pytest.raises(SigningError, match="已存在"):
        _sign(pki, pdfa_pdf, dest, SignatureLevel.B_B)
    assert dest.read_bytes() == b"keep me"


def test_revoked_signer_cannot_make_long_term_signature(pki, pdfa_pdf, tmp_path):
    with pytest.raises(SigningError, match="吊销"):
        _sign(pki, pdfa_pdf, tmp_path / "revoked.pdf", SignatureLevel.B_LT, p12=pki.revoked_p12)
    assert not (tmp_path / "revoked.pdf").exists()


def test_revoked_signer_fails_verification_given_the_crl(pki, pdfa_pdf, tmp_path):
    out = _sign(pki, pdfa_pdf, tmp_path / "revoked.pdf", SignatureLevel.B_B, p12=pki.revoked_p12)
    report = verify_pdf(out, _roots(pki), crls=[pki.crl])
    assert not report.ok
    assert "已吊销" in report.signatures[0].revocation


# --- trust ------------------------------------------------------------------------------------------------


def test_wrong_root_fails(signed, pki):
    report = verify_pdf(signed[SignatureLevel.B_LTA], sign.load_certificates(pki.other_root_pem))
    assert not report.ok
    assert "不可信" in report.signatures[0].chain


def test_no_trust_root_is_a_failure_not_a_pass(signed):
    report = verify_pdf(signed[SignatureLevel.B_B], [])
    assert not report.ok
    assert report.signatures[0].intact  # integrity is still checked and reported


def test_min_level(signed, pki):
    assert not verify_pdf(signed[SignatureLevel.B_T], _roots(pki), min_level="B-LTA").ok
    assert verify_pdf(signed[SignatureLevel.B_LTA], _roots(pki), min_level="B-LTA").ok


# --- tampering -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [SignatureLevel.B_B, SignatureLevel.B_LTA], ids=["B-B", "B-LTA"])
def test_one_flipped_byte_in_the_middle_is_caught(signed, pki, tmp_path, level):
    tampered = _flip_byte(signed[level], tmp_path / "flipped.pdf")
    report = verify_pdf(tampered, _roots(pki))
    assert not report.ok


def test_flipped_byte_in_signature_padding_is_caught(signed, pki, tmp_path):
    """/Contents padding is outside both the ByteRange and the CMS blob; a change there must still show."""
    original = signed[SignatureLevel.B_B]
    data = original.read_bytes()
    offset = data.rindex(b"0000000000>")  # trailing zeros of the hex-encoded signature
    tampered = tmp_path / "padding.pdf"
    data = bytearray(data)
    data[offset] = ord("1")
    tampered.write_bytes(bytes(data))
    report = verify_pdf(tampered, _roots(pki))
    assert not report.ok
    assert not report.signatures[0].intact


@pytest.mark.parametrize("level", [SignatureLevel.B_B, SignatureLevel.B_LTA], ids=["B-B", "B-LTA"])
def test_incremental_update_changing_page_content_is_caught(signed, pki, tmp_path, level):
    tampered = _append_page_content_update(signed[level], tmp_path / "updated.pdf")
    report = verify_pdf(tampered, _roots(pki))
    assert not report.ok
    signature = report.signatures[0]
    assert signature.intact  # the signed revision itself is untouched ...
    assert "内容被修改" in signature.modification  # ... but the diff analysis sees the change after it


def test_unsigned_and_non_pdf_files_fail_cleanly(pdfa_pdf, pki, tmp_path):
    assert "没有签名" in verify_pdf(pdfa_pdf, _roots(pki)).problems[0]
    text = tmp_path / "notes.pdf"
    text.write_text("not a pdf")
    assert "不是 PDF" in verify_pdf(text, _roots(pki)).problems[0]
    assert not verify_pdf(tmp_path / "missing.pdf", _roots(pki)).ok


# --- command line ---------------------------------------------------------------------------------------------


@pytest.fixture()
def dummy_tsa(monkeypatch, pki):
    import gazette.commands.sign as sign_command

    monkeypatch.setattr(sign_command, "make_timestamper", lambda url: pki.timestamper())


def test_cli_signs_a_folder_skipping_signed_outputs(pki, pdfa_pdf, tmp_path, dummy_tsa):
    public = tmp_path / "public" / "notices" / "wusu-16"
    public.mkdir(parents=True)
    shutil.copy(pdfa_pdf, public / "wusu-16.pdf")
    shutil.copy(pdfa_pdf, public / "old.signed.pdf")
    args = ["sign", str(tmp_path / "public"), "--p12", str(pki.signer_p12), "--tsa-url", "http://tsa.invalid",
            "--crl", str(pki.crl_der), "--offline"]
    env = {"GAZETTE_P12_PASSWORD": pki.password}
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    assert (public / "wusu-16.signed.pdf").is_file()
    assert not (public / "old.signed.signed.pdf").exists()
    assert pki.password not in result.output

    again = CliRunner().invoke(cli, args, env=env)  # second run: output exists, reported, not replaced
    assert again.exit_code == 1
    assert "已存在" in again.output

    verified = CliRunner().invoke(cli, ["verify", str(public / "wusu-16.signed.pdf"), "--trust", str(pki.root_pem)])
    assert verified.exit_code == 0, verified.output
    assert "B-LTA" in verified.output and "乌苏市生态环境局" in verified.output


def test_cli_password_prompt_and_bad_password(pki, pdfa_pdf, tmp_path):
    src = shutil.copy(pdfa_pdf, tmp_path / "n.pdf")
    base = ["sign", str(src), "--p12", str(pki.signer_p12), "--level", "B-B", "--password-env", "NO_SUCH_VAR_X"]
    wrong = CliRunner().invoke(cli, base, input="wrong\n")
    assert wrong.exit_code == 1
    assert "密码错误" in wrong.output and "Traceback" not in wrong.output
    assert not (tmp_path / "n.signed.pdf").exists()

    right = CliRunner().invoke(cli, base, input=pki.password + "\n")
    assert right.exit_code == 0, right.output
    assert pki.password not in right.output  # hidden input is not echoed
    assert (tmp_path / "n.signed.pdf").is_file()


def test_cli_verify_fails_on_tampering_and_missing_trust(signed, pki, tmp_path):
    tampered = _flip_byte(signed[SignatureLevel.B_LTA], tmp_path / "t.pdf")
    result = CliRunner().invoke(cli, ["verify", str(signed[SignatureLevel.B_B]), str(tampered),
                                      "--trust", str(pki.root_pem)])
    assert result.exit_code == 1
    assert "通过（OK）" in result.output and "失败（FAILED）" in result.output
    untrusted = CliRunner().invoke(cli, ["verify", str(signed[SignatureLevel.B_B])])
    assert untrusted.exit_code == 1
    missing = CliRunner().invoke(cli, ["verify", str(tmp_path / "nope.pdf"), "--trust", str(pki.root_pem)])
    assert missing.exit_code == 1 and "Traceback" not in missing.output


# --- extract -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("in_af", [True, False], ids=["AF", "EmbeddedFiles-only"])
def test_extract_writes_the_embedded_yaml(pdfa_pdf, tmp_path, in_af):
    pdf = shutil.copy(pdfa_pdf, tmp_path / "wusu-16.pdf")
    embed_source(pdf, "id: wusu-16\n标题: 整改情况公示\n", in_af=in_af)
    out = tmp_path / "out.yaml"
    result = CliRunner().invoke(cli, ["extract", str(pdf), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == "id: wusu-16\n标题: 整改情况公示\n"
    again = CliRunner().invoke(cli, ["extract", str(pdf), "-o", str(out)])
    assert again.exit_code == 1 and "已存在" in again.output


def test_extract_without_embedded_source(pdfa_pdf):
    result = CliRunner().invoke(cli, ["extract", str(pdfa_pdf)])
    assert result.exit_code == 1 and "没有内嵌" in result.output
