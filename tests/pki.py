"""A throw-away PKI for the signing tests: root CA, signer, timestamp authority, a revoked signer and a CRL.

Everything is made with `cryptography` at test time, so no key material is committed and no network is
needed. The certificates carry a CRL distribution point (an `.invalid` URL that is never fetched) so that
revocation checking is *declared*: pyHanko then looks for a CRL, finds the one we hand to the validation
context, and embeds it at B-LT/B-LTA.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CRL_URL = "http://crl.gazette-test.invalid/root.crl"
P12_PASSWORD = "测试-password-1"


@dataclass
class LocalPKI:
    """Paths and parsed objects of the test PKI (asn1crypto objects are what pyHanko wants)."""

    root_cert: asn1_x509.Certificate
    tsa_cert: asn1_x509.Certificate
    tsa_key: asn1_keys.PrivateKeyInfo
    signer_cert: asn1_x509.Certificate
    crl: asn1_crl.CertificateList
    root_pem: Path
    crl_der: Path
    signer_p12: Path
    revoked_p12: Path
    other_root_pem: Path  # a root that signed nothing here: trusting only it must fail the chain
    password: str = P12_PASSWORD

    def timestamper(self):
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        return DummyTimeStamper(tsa_cert=self.tsa_cert, tsa_key=self.tsa_key, certs_to_embed=[self.root_cert])


def _key() -> rsa.RSAPrivateKey:
    # RSA because pyHanko's DummyTimeStamper is RSA-only; 2048 bits keeps key generation fast.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Gazette Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _cert(
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: rsa.RSAPrivateKey,
    *,
    ca: bool = False,
    eku: list | None = None,
    serial: int | None = None,
) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    issuer_name = issuer.subject if issuer is not None else _name(subject)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650 if ca else 730))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if ca:
        usage = dict(digital_signature=False, key_cert_sign=True, crl_sign=True, content_commitment=False)
    else:
        usage = dict(digital_signature=True, key_cert_sign=False, crl_sign=False, content_commitment=True)
    builder = builder.add_extension(
        x509.KeyUsage(
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            encipher_only=False,
            decipher_only=False,
            **usage,
        ),
        critical=True,
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        ).add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(CRL_URL)], None, None, None)]
            ),
            critical=False,
        )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _crl(root: x509.Certificate, root_key: rsa.RSAPrivateKey, revoked_serials: list[int]) -> x509.CertificateRevocationList:
    now = dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + dt.timedelta(days=30))
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .add_extension(x509.CRLNumber(1), critical=False)
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(now - dt.timedelta(minutes=10))
            .build()
        )
    return builder.sign(root_key, hashes.SHA256())


def _to_asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _write_p12(path: Path, name: str, key, cert, cas: list[x509.Certificate], password: str) -> None:
    encryption = serialization.BestAvailableEncryption(password.encode("utf-8"))
    path.write_bytes(pkcs12.serialize_key_and_certificates(name.encode(), key, cert, cas, encryption))


def make_test_pki(folder: Path) -> LocalPKI:
    folder.mkdir(parents=True, exist_ok=True)
    root_key, tsa_key, signer_key, revoked_key, other_key = (_key() for _ in range(5))
    root = _cert("Gazette Test Root CA", root_key, None, root_key, ca=True)
    other_root = _cert("Unrelated Root CA", other_key, None, other_key, ca=True)
    tsa = _cert("Gazette Test TSA", tsa_key, root, root_key, eku=[ExtendedKeyUsageOID.TIME_STAMPING])
    signer = _cert("乌苏市生态环境局", signer_key, root, root_key)
    revoked = _cert("已吊销的签名人", revoked_key, root, root_key)
    crl = _crl(root, root_key, [revoked.serial_number])

    root_pem = folder / "root.pem"
    root_pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    other_root_pem = folder / "other-root.pem"
    other_root_pem.write_bytes(other_root.public_bytes(serialization.Encoding.PEM))
    crl_der = folder / "root.crl"
    crl_der.write_bytes(crl.public_bytes(serialization.Encoding.DER))
    signer_p12 = folder / "signer.p12"
    _write_p12(signer_p12, "signer", signer_key, signer, [root], P12_PASSWORD)
    revoked_p12 = folder / "revoked.p12"
    _write_p12(revoked_p12, "revoked", revoked_key, revoked, [root], P12_PASSWORD)

    tsa_key_der = tsa_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return LocalPKI(
        root_cert=_to_asn1_cert(root),
        tsa_cert=_to_asn1_cert(tsa),
        tsa_key=asn1_keys.PrivateKeyInfo.load(tsa_key_der),
        signer_cert=_to_asn1_cert(signer),
        crl=asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER)),
        root_pem=root_pem,
        crl_der=crl_der,
        signer_p12=signer_p12,
        revoked_p12=revoked_p12,
        other_root_pem=other_root_pem,
    )


# --- shared fixtures for test_sign.py and test_archive.py (no conftest.py: that file belongs to the core) ----

import pytest  # noqa: E402

PDFA_HTML = (
    '<html lang="zh-CN"><head><meta name="dcterms.created" content="2025-01-09T00:00:00Z"><title>t</title></head>'
    '<body><p style="font-family:Noto Serif CJK SC">整改情况公示</p></body></html>'
)


def make_pdfa(path: Path) -> Path:
    """A one-page PDF/A-3b with an embedded CJK font, as the build writes them."""
    import weasyprint

    weasyprint.HTML(string=PDFA_HTML).write_pdf(path, pdf_variant="pdf/a-3b")
    return path


def make_seal_png(path: Path) -> Path:
    """A red ring on a transparent background, like a scanned 公章."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((8, 8, 232, 232), outline=(220, 0, 0, 255), width=10)
    image.save(path)
    return path


def embed_source(pdf: Path, yaml_text: str, *, in_af: bool = True, name: str = "wusu-16.yaml") -> None:
    """Attach a YAML file as a PDF/A-3 associated file with /AFRelationship /Source (what the build will do)."""
    import pikepdf

    with pikepdf.open(pdf, allow_overwriting_input=True) as document:
        attached = pikepdf.AttachedFileSpec(
            document, yaml_text.encode("utf-8"), filename=name, mime_type="application/yaml",
            relationship=pikepdf.Name.Source,
        )
        document.attachments[name] = attached  # the EmbeddedFiles name tree
        if in_af:
            document.Root.AF = pikepdf.Array([attached.obj])
        document.save(pdf)


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> LocalPKI:
    return make_test_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def pdfa_pdf(tmp_path_factory) -> Path:
    return make_pdfa(tmp_path_factory.mktemp("input") / "notice.pdf")


@pytest.fixture(scope="session")
def seal_png(tmp_path_factory) -> Path:
    return make_seal_png(tmp_path_factory.mktemp("seal") / "seal.png")
