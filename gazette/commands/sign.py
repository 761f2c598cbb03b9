"""`gazette sign`: sign one PDF, or every built PDF under a folder, with a PKCS#12 certificate (PAdES).

The password is read from an environment variable or an interactive prompt, never from the command line,
so it does not end up in shell history, `ps` output or CI logs.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from gazette.commands._common import user_errors
from gazette.errors import display_path
from gazette.sign import SignatureLevel


def make_timestamper(url: str):
    """The RFC 3161 client; a module-level function so tests can swap in pyHanko's DummyTimeStamper."""
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url)


def _parse_box(_ctx, _param, value: str | None):
    if value is None:
        return None
    try:
        x1, y1, x2, y2 = (float(part) for part in value.split(","))
    except ValueError:
        raise click.BadParameter("应为四个数字 x1,y1,x2,y2（单位 pt）（four numbers in PDF points）") from None
    if x2 <= x1 or y2 <= y1:
        raise click.BadParameter("x2 应大于 x1，y2 应大于 y1（box must have positive size）")
    return (x1, y1, x2, y2)


@click.command("sign")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--content", "content_root", type=click.Path(file_okay=False, path_type=Path), default=Path("content"),
              show_default=True, help="内容文件夹：site.yaml 的 signing 部分给出以下各项的缺省值")
@click.option("--p12", "p12_path", type=click.Path(dir_okay=False, path_type=Path),
              help="PKCS#12 证书文件（.p12/.pfx）")
@click.option("--password-env", default=None,
              help="保存证书密码的环境变量名；未设置时交互输入")
@click.option("--level", type=click.Choice([level.value for level in SignatureLevel]), default=None,
              help="PAdES 级别（缺省 B-LTA）")
@click.option("--tsa-url", help="RFC 3161 时间戳服务器地址（B-T 及以上必需）")
@click.option("--trust", "trust_paths", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="根证书（PEM/DER），可重复；缺省用 PKCS#12 中的根证书")
@click.option("--crl", "crl_paths", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="本地 CRL 文件，可重复；B-LT/B-LTA 会嵌入")
@click.option("--offline", is_flag=True, help="不联网获取 CRL/OCSP（只用 --crl 给出的）")
@click.option("--seal", "seal_image", type=click.Path(dir_okay=False, path_type=Path),
              help="印章图片（PNG），作为可见签名外观")
@click.option("--seal-page", type=int, default=-1, show_default=True, help="印章所在页（从 0 起，-1 为最后一页）")
@click.option("--seal-box", callback=_parse_box, help="印章位置 x1,y1,x2,y2（pt，左下角为原点）；缺省为落款处")
@click.option("--reason", help="签名原因，例如“整改情况公示”")
@click.option("--location", help="签名地点")
@click.option("--overwrite", is_flag=True, help="覆盖已存在的 NAME.signed.pdf")
def command(paths, content_root, p12_path, password_env, level, tsa_url, trust_paths, crl_paths, offline, seal_image,
            seal_page, seal_box, reason, location, overwrite) -> None:
    """对 PDF 进行 PAdES 签名，输出 NAME.signed.pdf（不覆盖原文件）。

    PATHS 可以是 PDF 文件，也可以是文件夹（签名其中所有尚未签名的 PDF）；缺省为构建输出 public/。
    """
    from gazette import sign

    sign.quiet_library_logs()
    with user_errors():
        settings, root = _settings(content_root)
        in_content = lambda value: (root / value) if value else None  # noqa: E731 - paths in site.yaml
        p12_path = p12_path or in_content(settings.p12)
        if p12_path is None:
            raise sign.SigningError("没有指定签名证书：--p12，或 site.yaml 中 signing.p12（no certificate given）")
        password_env = password_env or settings.password_env
        level = SignatureLevel(level or settings.level)
        tsa_url = tsa_url or settings.tsa_url
        trust_paths = trust_paths or tuple(root / p for p in settings.trust_roots)
        crl_paths = crl_paths or tuple(root / p for p in settings.crls)
        seal_image = seal_image or in_content(settings.seal)
        reason = reason or settings.reason
        location = location or settings.location
        if level.needs_timestamp and not tsa_url:  # say so before asking for a password
            raise sign.SigningError(f"{level.value} 级别需要时间戳服务器：--tsa-url（or choose --level B-B）")
        pdfs = _pdfs_to_sign(paths or (Path("public"),))
        signer = sign.load_signer(p12_path, _password(password_env))
        timestamper = make_timestamper(tsa_url) if level.needs_timestamp else None
        context = _signing_context(signer, trust_paths, crl_paths, offline) if level.embeds_validation_info else None
        seal = sign.SealPlacement(seal_image, seal_page, seal_box) if seal_image else None
        failures = 0
        for pdf in pdfs:
            dest = sign.signed_output_path(pdf)
            try:
                sign.sign_pdf(pdf, dest, signer, level=level, timestamper=timestamper, validation_context=context,
                              seal=seal, reason=reason, location=location, overwrite=overwrite)
            except sign.SigningError as error:
                failures += 1
                click.echo(f"失败 {display_path(pdf)}：{error}", err=True)
                continue
            click.echo(f"已签名 {display_path(pdf)} → {display_path(dest)}（{level.value}）")
            for problem in sign.pdfa_problems(dest) if _claims_pdfa(pdf) else ():
                click.echo(f"  警告：签名后 PDF/A 结构问题：{problem}", err=True)
    if failures:
        raise SystemExit(1)


def _settings(content_root: Path):
    """The signing section of the content folder's site.yaml (defaults when there is no content folder)."""
    from gazette.loader import SITE_FILE, load_site
    from gazette.model import Signing

    if not (content_root / SITE_FILE).exists():
        return Signing(), content_root
    site, _source = load_site(content_root)
    return site.signing, content_root


def _pdfs_to_sign(paths: tuple[Path, ...]) -> list[Path]:
    from gazette.sign import SigningError, find_unsigned_pdfs, is_signed_output

    pdfs: list[Path] = []
    for path in paths:
        if path.is_dir():
            pdfs.extend(find_unsigned_pdfs(path))
        elif is_signed_output(path):
            raise SigningError(f"{display_path(path)} 已是签名输出，不再签名（already a signed output）")
        else:
            pdfs.append(path)
    if not pdfs:
        raise SigningError("没有找到要签名的 PDF（no PDF to sign）")
    return pdfs


def _password(env_name: str) -> str:
    password = os.environ.get(env_name)
    if password is not None:
        return password
    return click.prompt(f"证书密码（也可设置环境变量 {env_name}）", hide_input=True, err=True)


def _signing_context(signer, trust_paths, crl_paths, offline: bool):
    from gazette import sign

    roots = [cert for path in trust_paths for cert in sign.load_certificates(path)]
    chain = list(signer.cert_registry)
    roots = roots or sign.self_signed_certs(chain)
    if not roots:
        raise sign.SigningError("找不到根证书：PKCS#12 中没有根证书，请用 --trust 指定（no trust root）")
    crls = [sign.load_crl(path) for path in crl_paths]
    return sign.make_validation_context(roots, crls=crls, other_certs=chain, allow_fetching=not offline)


def _claims_pdfa(pdf: Path) -> bool:
    """Only PDF/A inputs are held to PDF/A rules after signing."""
    import pikepdf

    with pikepdf.open(pdf) as document:
        return bool(document.open_metadata().get("pdfaid:part"))
