"""The append-only BagIt archive: layout, no-op re-archiving, versions on re-issue, fixity check after tampering."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import bagit
import pytest
from click.testing import CliRunner

from gazette import archive, sign
from gazette.archive import ArchiveError, FixityProblem, add_to_archive, check_archive, collect_notice_files
from gazette.cli import cli
from gazette.sign import SignatureLevel

try:  # tests/ is a plain folder; `python -m pytest` puts the project root on sys.path, plain `pytest` tests/
    from tests.pki import embed_source, pdfa_pdf, pki  # noqa: F401 - fixtures
except ModuleNotFoundError:
    from pki import embed_source, pdfa_pdf, pki  # noqa: F401

ORG = "乌苏市生态环境局"


@pytest.fixture(scope="module")
def signed_pdf(pki, pdfa_pdf, tmp_path_factory) -> Path:
    signer = sign.load_signer(pki.signer_p12, pki.password)
    out = tmp_path_factory.mktemp("signed") / "wusu-16.signed.pdf"
    return sign.sign_pdf(pdfa_pdf, out, signer, level=SignatureLevel.B_B)


@pytest.fixture()
def public(tmp_path, signed_pdf) -> Path:
    """The build's layout: public/notices/wusu-16/ with the signed PDF and the DOCX; the YAML in content/."""
    folder = tmp_path / "public" / "notices" / "wusu-16"
    folder.mkdir(parents=True)
    shutil.copy(signed_pdf, folder / "wusu-16.signed.pdf")
    (folder / "wusu-16.docx").write_bytes(b"PK docx version 1")
    content = tmp_path / "content" / "notices"
    content.mkdir(parents=True)
    (content / "wusu-16.yaml").write_text("id: wusu-16\n整改时限: 2025年1月9日\n", encoding="utf-8")
    return folder


def _add(public: Path, bag: Path):
    [notice] = collect_notice_files([public / "wusu-16.signed.pdf"], [public.parents[2] / "content/notices/wusu-16.yaml"])
    return add_to_archive(bag, notice, organization=ORG)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_first_archive_is_a_valid_bag_with_sha256_and_bag_info(public, tmp_path):
    bag_dir = tmp_path / "archive"
    result = _add(public, bag_dir)
    assert result.version == "v1" and not result.unchanged
    assert result.added == [
        "data/wusu-16/v1/wusu-16.docx",
        "data/wusu-16/v1/wusu-16.signed.pdf",
        "data/wusu-16/v1/wusu-16.yaml",
    ]
    bag = bagit.Bag(str(bag_dir))
    bag.validate()  # the reference implementation agrees the bag is complete and every hash matches
    assert bag.algorithms == ["sha256"]
    assert bag.info["Source-Organization"] == ORG
    assert bag.info["External-Identifier"] == "wusu-16"
    assert bag.info["Bagging-Date"]
    assert bag.info["Payload-Oxum"].endswith(".3")
    assert (bag_dir / "bagit.txt").read_text().startswith("BagIt-Version: 1.0")
    assert check_archive(bag_dir) == []


def test_rearchiving_identical_files_is_a_no_op(public, tmp_path):
    bag_dir = tmp_path / "archive"
    _add(public, bag_dir)
    before = {p: p.read_bytes() for p in bag_dir.rglob("*") if p.is_file()}
    again = _add(public, bag_dir)
    assert again.unchanged and again.version == "v1" and again.added == []
    assert {p: p.read_bytes() for p in bag_dir.rglob("*") if p.is_file()} == before


def test_reissue_adds_a_version_and_leaves_the_old_one_alone(public, tmp_path):
    bag_dir = tmp_path / "archive"
    _add(public, bag_dir)
    v1_docx = bag_dir / "data/wusu-16/v1/wusu-16.docx"
    v1_hash = _sha256(v1_docx)

    (public / "wusu-16.docx").write_bytes(b"PK docx version 2")  # re-issued with a correction
    result = _add(public, bag_dir)
    assert result.version == "v2"
    assert (bag_dir / "data/wusu-16/v2/wusu-16.docx").read_bytes() == b"PK docx version 2"
    assert _sha256(v1_docx) == v1_hash
    manifest = (bag_dir / "manifest-sha256.txt").read_text()
    assert f"{v1_hash}  data/wusu-16/v1/wusu-16.docx" in manifest
    assert manifest.count("data/wusu-16/v2/") == 3
    bagit.Bag(str(bag_dir)).validate()
    assert bagit.Bag(str(bag_dir)).info["Payload-Oxum"].endswith(".6")


def test_second_notice_adds_its_identifier(public, tmp_path, signed_pdf):
    bag_dir = tmp_path / "archive"
    _add(public, bag_dir)
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(signed_pdf, other / "wusu-17.signed.pdf")
    [notice] = collect_notice_files([other])  # a folder: every *.signed.pdf under it
    add_to_archive(bag_dir, notice)  # existing archive: keeps its Source-Organization
    info = bagit.Bag(str(bag_dir)).info
    assert info["External-Identifier"] == ["wusu-16", "wusu-17"]
    assert info["Source-Organization"] == ORG


def test_check_names_every_altered_missing_and_unexpected_file(public, tmp_path):
    bag_dir = tmp_path / "archive"
    _add(public, bag_dir)
    (bag_dir / "data/wusu-16/v1/wusu-16.yaml").write_text("id: wusu-16\n整改时限: 2030年1月1日\n", encoding="utf-8")
    (bag_dir / "data/wusu-16/v1/wusu-16.docx").unlink()
    (bag_dir / "data/wusu-16/v1/extra.pdf").write_bytes(b"%PDF-1.7 forged")
    assert check_archive(bag_dir) == [
        FixityProblem("missing", "data/wusu-16/v1/wusu-16.docx"),
        FixityProblem("altered", "data/wusu-16/v1/wusu-16.yaml"),
        FixityProblem("unexpected", "data/wusu-16/v1/extra.pdf"),
    ]

    result = CliRunner().invoke(cli, ["archive", "--check", str(bag_dir)])
    assert result.exit_code == 1
    for name, label in (("wusu-16.docx", "缺失"), ("wusu-16.yaml", "已被改动"), ("extra.pdf", "未登记")):
        assert any(name in line and label in line for line in result.output.splitlines()), result.output


def test_edited_manifest_is_caught_and_blocks_further_additions(public, tmp_path):
    bag_dir = tmp_path / "archive"
    _add(public, bag_dir)
    manifest = bag_dir / "manifest-sha256.txt"
    manifest.write_text(manifest.read_text().replace("wusu-16.yaml", "wusu-16.yml"))
    problems = {str(p) for p in check_archive(bag_dir)}
    assert any(p.startswith("manifest-sha256.txt") for p in problems)
    (public / "wusu-16.docx").write_bytes(b"PK docx version 2")
    with pytest.raises(ArchiveError, match="标签清单"):
        _add(public, bag_dir)  # rewriting the tag manifest now would launder the edit


def test_cli_archive_and_check(public, tmp_path):
    bag_dir = tmp_path / "archive"
    yaml = public.parents[2] / "content/notices/wusu-16.yaml"
    args = ["archive", str(public / "wusu-16.signed.pdf"), "--source", str(yaml), "--to", str(bag_dir)]
    missing_org = CliRunner().invoke(cli, args)
    assert missing_org.exit_code == 1 and "--organization" in missing_org.output
    first = CliRunner().invoke(cli, args + ["--organization", ORG])
    assert first.exit_code == 0, first.output
    assert "v1" in first.output
    second = CliRunner().invoke(cli, args)
    assert second.exit_code == 0 and "未改动" in second.output
    check = CliRunner().invoke(cli, ["archive", "--check", str(bag_dir)])
    assert check.exit_code == 0 and "完整" in check.output


def test_embedded_yaml_is_archived_when_no_yaml_file_is_found(pdfa_pdf, pki, tmp_path):
    src = shutil.copy(pdfa_pdf, tmp_path / "wusu-18.pdf")
    embed_source(src, "id: wusu-18\n", name="wusu-18.yaml")
    signer = sign.load_signer(pki.signer_p12, pki.password)
    signed = sign.sign_pdf(src, tmp_path / "wusu-18.signed.pdf", signer, level=SignatureLevel.B_B)
    [notice] = collect_notice_files([signed])
    result = add_to_archive(tmp_path / "archive", notice, organization=ORG)
    assert "data/wusu-18/v1/wusu-18.yaml" in result.added
    assert (tmp_path / "archive/data/wusu-18/v1/wusu-18.yaml").read_text() == "id: wusu-18\n"


def test_user_mistakes_are_one_line_errors(pdfa_pdf, public, tmp_path):
    with pytest.raises(ArchiveError, match="没有签名"):
        collect_notice_files([pdfa_pdf])
    with pytest.raises(ArchiveError, match="找不到"):
        collect_notice_files([tmp_path / "nope.signed.pdf"])
    not_a_bag = tmp_path / "photos"
    not_a_bag.mkdir()
    (not_a_bag / "cat.jpg").write_bytes(b"meow")
    with pytest.raises(ArchiveError, match="不是 BagIt"):
        _add(public, not_a_bag)
    assert [p.name for p in not_a_bag.iterdir()] == ["cat.jpg"]  # nothing was moved or added
    with pytest.raises(ArchiveError, match="不是 BagIt"):
        archive.check_archive(not_a_bag)
    result = CliRunner().invoke(cli, ["archive", "--check", str(not_a_bag)])
    assert result.exit_code == 1 and "Traceback" not in result.output
