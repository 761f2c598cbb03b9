"""PAdES signing of built PDFs with pyHanko.

The signature is an incremental update, so the PDF/A file WeasyPrint wrote stays byte-for-byte intact in front
of it. What the update adds must not break PDF/A either: the optional seal appearance is an image only (pyHanko's
default text stamp uses a non-embedded font), widgets get the Print flag (pyHanko's default) and the Info
dictionary is kept consistent with the XMP packet (see `_align_info_producer_with_xmp`).

Levels (ETSI EN 319 142-1):
  B-B    signature only;
  B-T    plus an RFC 3161 signature timestamp;
  B-LT   plus certificates and CRLs/OCSP responses in the document security store (DSS), so it verifies offline;
  B-LTA  plus a document timestamp over all of that, which can be renewed before the algorithms age (default).
"""

from __future__ import annotations

import enum
import os
import re
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from gazette.errors import GazetteError

SIGNED_SUFFIX = ".signed.pdf"

# GB/T 9704 geometry in PDF points (1 mm = 72 / 25.4 pt), used for the default seal position.
_MM = 72 / 25.4
_RIGHT_MARGIN = 26 * _MM
_BOTTOM_MARGIN = 35 * _MM
_CHAR = 156 * _MM / 28  # one character cell of the 28-per-line grid
_LINE = 225 * _MM / 22  # one line of the 22-per-page grid
SEAL_DIAMETER = 42 * _MM  # the usual 4.2 cm round 公章


class SignatureLevel(str, enum.Enum):
    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"

    @property
    def needs_timestamp(self) -> bool:
        return self is not SignatureLevel.B_B

    @property
    def embeds_validation_info(self) -> bool:
        return self in (SignatureLevel.B_LT, SignatureLevel.B_LTA)

    @property
    def rank(self) -> int:
        return list(SignatureLevel).index(self)


class SigningError(GazetteError):
    """A problem the user can fix (bad password, missing file, not a PDF); the message is shown as is."""


@dataclass(frozen=True)
class SealPlacement:
    """A visible seal: a PNG drawn as the signature's appearance.

    `page` is a 0-based index, negative counts from the end (-1 = last page). `box` is (x1, y1, x2, y2) in PDF
    points from the lower-left corner; None puts a 4.2 cm seal where the 落款 of a sealed notice goes
    (see `default_seal_box`).
    """

    image: Path
    page: int = -1
    box: tuple[float, float, float, float] | None = None


def default_seal_box(page_width: float, page_height: float = 0.0) -> tuple[float, float, float, float]:
    """Lower right of the text block, centred over a 成文日期 indented 4 字 from the right (GB/T 9704 with seal).

    The real 落款 height depends on where the body ends; this default sits six grid lines above the bottom margin,
    which is where a short last page puts it. Pass an explicit box when the renderer knows better.
    """
    date_width = 9 * _CHAR  # "2025年1月9日" is nine cells wide at most ("2025年12月31日" is ten half/full cells)
    centre_x = page_width - _RIGHT_MARGIN - 4 * _CHAR - date_width / 2
    centre_y = _BOTTOM_MARGIN + 6 * _LINE
    half = SEAL_DIAMETER / 2
    return (centre_x - half, centre_y - half, centre_x + half, centre_y + half)


def signed_output_path(pdf: Path) -> Path:
    """`notice.pdf` -> `notice.signed.pdf`, beside the original."""
    stem = pdf.name[: -len(".pdf")] if pdf.name.lower().endswith(".pdf") else pdf.name
    return pdf.with_name(stem + SIGNED_SUFFIX)


def is_signed_output(pdf: Path) -> bool:
    return pdf.name.lower().endswith(SIGNED_SUFFIX)


def find_unsigned_pdfs(folder: Path) -> list[Path]:
    """Every *.pdf under `folder` that is not itself a signed output, in a stable order."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf" and not is_signed_output(p))


# --- key material and trust -------------------------------------------------------------------------------


def load_signer(p12_path: Path, password: str):
    """Open a PKCS#12 file; the certificates it carries besides the signer's go along as the chain."""
    from pyhanko.sign import signers

    if not p12_path.is_file():
        raise SigningError(f"找不到证书文件：{p12_path}（PKCS#12 file not found）")
    try:
        return signers.SimpleSigner.load_pkcs12_data(p12_path.read_bytes(), [], passphrase=password.encode("utf-8"))
    except ValueError:
        raise SigningError(
            f"无法打开证书文件 {p12_path}：密码错误或不是 PKCS#12 文件（wrong password or not a PKCS#12 file）"
        ) from None


def load_certificates(path: Path) -> list[asn1_x509.Certificate]:
    """All certificates in a PEM (possibly several) or DER file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SigningError(f"无法读取证书 {path}：{error.strerror}（cannot read certificate）") from None
    try:
        if pem.detect(data):
            return [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
        cert = asn1_x509.Certificate.load(data)
        cert.native  # parse now, so a bad file fails here and not deep inside validation
        return [cert]
    except Exception:
        raise SigningError(f"不是有效的证书文件：{path}（not a PEM/DER certificate）") from None


def load_crl(path: Path) -> asn1_crl.CertificateList:
    try:
        data = path.read_bytes()
        if pem.detect(data):
            data = pem.unarmor(data)[2]
        crl = asn1_crl.CertificateList.load(data)
        crl.native
        return crl
    except OSError as error:
        raise SigningError(f"无法读取 CRL {path}：{error.strerror}（cannot read CRL）") from None
    except Exception:
        raise SigningError(f"不是有效的 CRL 文件：{path}（not a PEM/DER CRL）") from None


def make_validation_context(
    trust_roots: list[asn1_x509.Certificate],
    *,
    crls: list[asn1_crl.CertificateList] = (),
    other_certs: list[asn1_x509.Certificate] = (),
    allow_fetching: bool = False,
):
    """Context used while signing to build the chain and collect the revocation data that B-LT embeds.

    Revocation is 'hard-fail': a signer whose CRL cannot be found or who is revoked must not produce a B-LT file
    that only looks long-term valid.
    """
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=list(trust_roots),
        other_certs=list(other_certs),
        crls=list(crls),
        allow_fetching=allow_fetching,
        revocation_mode="hard-fail",
    )


def self_signed_certs(certs) -> list[asn1_x509.Certificate]:
    """The roots among a PKCS#12 file's extra certificates, a sensible default trust anchor for signing."""
    return [c for c in certs if c.self_signed != "no"]  # asn1crypto says "yes", "maybe" or "no"


# --- signing ------------------------------------------------------------------------------------------------


def sign_pdf(
    src: Path,
    dest: Path,
    signer,
    *,
    level: SignatureLevel = SignatureLevel.B_LTA,
    timestamper=None,
    validation_context=None,
    seal: SealPlacement | None = None,
    reason: str | None = None,
    location: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Sign `src` into `dest` (never in place) at the given PAdES level.

    `signer` comes from `load_signer` (any pyHanko Signer works). `timestamper` is any pyHanko TimeStamper
    (HTTPTimeStamper for a real TSA, DummyTimeStamper in tests); B-T and above need one. `validation_context`
    (see `make_validation_context`) is needed for B-LT and B-LTA: it supplies the CRLs that get embedded.
    Raises SigningError for anything the user can fix; an existing `dest` is an error unless `overwrite`.
    """
    level = SignatureLevel(level)
    _check_level_prerequisites(level, timestamper, validation_context)
    if not src.is_file():
        raise SigningError(f"找不到文件：{src}（file not found）")
    if dest.exists() and not overwrite:
        raise SigningError(f"目标文件已存在，不覆盖：{dest}（output exists; use --overwrite）")

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    with src.open("rb") as infile:
        try:
            writer = IncrementalPdfFileWriter(infile, strict=False)
        except (PdfReadError, ValueError, IndexError):
            raise SigningError(f"不是有效的 PDF 文件：{src}（not a readable PDF）") from None
        if writer.prev.encrypted:
            raise SigningError(f"PDF 已加密，不能签名：{src}（encrypted PDF; PDF/A forbids encryption）")
        _align_info_producer_with_xmp(writer)
        field_name = _free_field_name(writer)
        metadata = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.PADES,
            embed_validation_info=level.embeds_validation_info,
            use_pades_lta=level is SignatureLevel.B_LTA,
            validation_context=validation_context if level.embeds_validation_info else None,
            reason=reason,
            location=location,
        )
        pdf_signer = signers.PdfSigner(
            metadata,
            signer=signer,
            timestamper=timestamper if level.needs_timestamp else None,
            stamp_style=_seal_style(seal) if seal else None,
            new_field_spec=_field_spec(writer, field_name, _placed_at_signature(seal, src)),
        )
        _write_signed(pdf_signer, writer, dest, overwrite)
    return dest


def _check_level_prerequisites(level: SignatureLevel, timestamper, validation_context) -> None:
    if level.needs_timestamp and timestamper is None:
        raise SigningError(f"{level.value} 级别需要时间戳服务器（{level.value} needs a timestamp server: --tsa-url）")
    if level.embeds_validation_info and validation_context is None:
        raise SigningError(f"{level.value} 级别需要验证上下文以嵌入吊销信息（{level.value} needs a validation context）")


def _write_signed(pdf_signer, writer, dest: Path, overwrite: bool) -> None:
    """Write to a temporary file first, so a failed signature never leaves a half-written NAME.signed.pdf."""
    from pyhanko.sign.general import SigningError as PyHankoSigningError
    from pyhanko.sign.timestamps import TimestampRequestError
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, RevokedError

    partial = dest.with_name(dest.name + ".partial")
    try:
        with partial.open("wb") as out:
            pdf_signer.sign_pdf(writer, output=out)
        if overwrite:
            os.replace(partial, dest)
        else:
            # link() refuses to replace an existing file, unlike rename(): no clobbering even if dest appeared
            # while we were signing.
            os.link(partial, dest)
    except FileExistsError:
        raise SigningError(f"目标文件已存在，不覆盖：{dest}（output exists）") from None
    except RevokedError:
        raise SigningError("签名证书已被吊销（the signing certificate is revoked）") from None
    except (PathBuildingError, PathValidationError) as error:
        raise SigningError(f"签名证书链无法验证，无法嵌入长期验证信息（certificate chain not valid: {error}）") from None
    except TimestampRequestError as error:
        raise SigningError(f"时间戳服务器请求失败（timestamp request failed: {error}）") from None
    except OSError as error:
        raise SigningError(f"无法写入 {dest}：{error.strerror}（cannot write output）") from None
    except PyHankoSigningError as error:
        if any(isinstance(cause, RevokedError) for cause in _causes(error)):
            raise SigningError("签名证书已被吊销（the signing certificate is revoked）") from None
        raise SigningError(f"签名失败（signing failed: {error}）") from None
    finally:
        partial.unlink(missing_ok=True)


def _causes(error: BaseException):
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


def quiet_library_logs() -> None:
    """pyHanko logs every validation failure with a traceback; a command reports failures itself instead."""
    import logging

    for name in ("pyhanko", "pyhanko_certvalidator"):
        logger = logging.getLogger(name)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False


def _align_info_producer_with_xmp(writer) -> None:
    """Make the Info /Producer equal pyHanko's XMP pdf:Producer before pyHanko touches either.

    PDF/A requires Info entries to match their XMP counterparts. pyHanko sets XMP pdf:Producer to its own name
    but *appends* its name to an existing Info /Producer ("WeasyPrint 70.0; pyHanko 0.38.0"), so the two would
    disagree after signing. With the Info value already equal to pyHanko's name, both end up the same.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.metadata.model import VENDOR

    if "/Metadata" not in writer.root:
        return  # no XMP, nothing to stay consistent with
    info_ref = writer.trailer_view.raw_get("/Info") if "/Info" in writer.trailer_view else None
    if not isinstance(info_ref, generic.IndirectObject):
        return
    info = info_ref.get_object()
    if info.get("/Producer") != VENDOR:
        info["/Producer"] = generic.TextStringObject(VENDOR)
        writer.mark_update(info_ref)


def _free_field_name(writer) -> str:
    existing = set()
    acroform = writer.root.get("/AcroForm")
    if acroform is not None:
        for field in acroform.get_object().get("/Fields", []):
            existing.add(str(field.get_object().get("/T", "")))
    number = 1
    while f"Signature{number}" in existing:
        number += 1
    return f"Signature{number}"


_OFFICIAL_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")


def _placed_at_signature(seal: SealPlacement | None, pdf: Path) -> SealPlacement | None:
    """A seal without an explicit box goes where GB/T 9704 puts it: centred on the 成文日期 of the 落款, which is
    found in the PDF's text (the last line of the page that is a date alone on the right half), with its top one
    line above the 署名 so that 署名 and date sit low in the seal. Without such a date, the default box."""
    if seal is None or seal.box is not None:
        return seal
    found = find_signature_date(pdf, seal.page)
    if found is None:
        return seal
    page_index, (x0, baseline, x1) = found
    half = SEAL_DIAMETER / 2
    centre_x = (x0 + x1) / 2
    top = baseline + 2 * _LINE  # baseline of the date, up past the 署名's line to one line above it
    return SealPlacement(seal.image, page_index, (centre_x - half, top - SEAL_DIAMETER, centre_x + half, top))


def find_signature_date(pdf: Path, page: int = -1) -> tuple[int, tuple[float, float, float]] | None:
    """(page index, (x0, baseline, x1)) of the 成文日期 in PDF points, origin bottom left; None if there is none."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        index = page if page >= 0 else len(document.pages) + page
        if not 0 <= index < len(document.pages):
            return None
        sheet = document.pages[index]
        lines: dict[float, list[dict]] = {}
        for char in sheet.chars:
            lines.setdefault(round(char["matrix"][5], 1), []).append(char)
        for y in sorted(lines):  # bottom of the page first
            chars = sorted(lines[y], key=lambda c: c["x0"])
            text = "".join(c["text"] for c in chars).strip()
            if _OFFICIAL_DATE.match(text) and chars[0]["x0"] > sheet.width / 2:
                return index, (chars[0]["x0"], y, chars[-1]["x1"])
    return None


def _page_count(writer) -> int:
    return int(writer.root["/Pages"].get_object()["/Count"])


def _field_spec(writer, field_name: str, seal: SealPlacement | None):
    from pyhanko.sign.fields import SigFieldSpec

    pages = _page_count(writer)
    if seal is None:
        # Invisible signature (zero-size widget, still flagged Print as PDF/A wants) on the last page.
        return SigFieldSpec(field_name, on_page=pages - 1)
    page_index = seal.page if seal.page >= 0 else pages + seal.page
    if not 0 <= page_index < pages:
        raise SigningError(f"印章页码超出范围：第 {seal.page} 页，文件共 {pages} 页（seal page out of range）")
    box = seal.box or default_seal_box(*_page_size(writer, page_index))
    return SigFieldSpec(field_name, on_page=page_index, box=tuple(float(v) for v in box))


def _page_size(writer, page_index: int) -> tuple[float, float]:
    page = writer.find_page_for_modification(page_index)[0].get_object()
    media_box = _inherited(page, "/MediaBox")
    if media_box is None:
        return (595.28, 841.89)  # A4
    x1, y1, x2, y2 = (float(v) for v in media_box)
    return (x2 - x1, y2 - y1)


def _inherited(page, key):
    while page is not None:
        if key in page:
            return page[key]
        parent = page.get("/Parent")
        page = parent.get_object() if parent is not None else None
    return None


def _seal_style(seal: SealPlacement):
    """An image-only appearance: no text, so no font that PDF/A would require to be embedded."""
    from PIL import Image, UnidentifiedImageError
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.stamp import StaticStampStyle

    try:
        with Image.open(seal.image) as opened:
            # RGBA gives DeviceRGB plus a soft mask: allowed in PDF/A-2/3, and palette or CMYK PNGs would not
            # match the sRGB output intent.
            image = opened.convert("RGBA")
    except FileNotFoundError:
        raise SigningError(f"找不到印章图片：{seal.image}（seal image not found）") from None
    except (UnidentifiedImageError, OSError):
        raise SigningError(f"不是可读的图片：{seal.image}（seal must be a PNG image）") from None
    return StaticStampStyle(
        background=PdfImage(image),
        background_opacity=1.0,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
    )


# --- PDF/A structure after signing ----------------------------------------------------------------------------


def pdfa_problems(path: Path) -> list[str]:
    """Structural PDF/A checks that can be done without veraPDF; an empty list means none found.

    Checks: XMP pdfaid part/conformance, an OutputIntent, Info/XMP Producer agreement, all fonts embedded,
    no encryption, no JavaScript, every annotation printable and not hidden.
    """
    import pikepdf

    problems: list[str] = []
    with pikepdf.open(path) as pdf:
        if pdf.is_encrypted:
            problems.append("文件已加密（encrypted）")
        meta = pdf.open_metadata()
        if not meta.get("pdfaid:part") or not meta.get("pdfaid:conformance"):
            problems.append("XMP 缺少 pdfaid:part/conformance（no PDF/A identification）")
        producer_xmp = meta.get("pdf:Producer")
        info = pdf.trailer.get("/Info")
        if info is not None and "/Producer" in info and str(info.Producer) != (producer_xmp or ""):
            problems.append(f"Info /Producer 与 XMP 不一致（{info.Producer} ≠ {producer_xmp}）")
        if len(pdf.Root.get("/OutputIntents", [])) == 0:
            problems.append("缺少 OutputIntent（no output intent）")
        open_action = pdf.Root.get("/OpenAction")
        if "/JavaScript" in pdf.Root.get("/Names", {}) or (
            isinstance(open_action, pikepdf.Dictionary) and open_action.get("/S") == "/JavaScript"
        ):
            problems.append("含 JavaScript（JavaScript present）")
        for number, page in enumerate(pdf.pages, start=1):
            problems.extend(_page_problems(number, page))
    return problems


def _page_problems(number: int, page) -> list[str]:
    import pikepdf

    problems = []
    for annot in page.obj.get("/Annots", []):
        flags = int(annot.get("/F", 0))
        if annot.get("/Subtype") != "/Popup" and (not flags & 4 or flags & (1 | 2 | 32)):
            problems.append(f"第 {number} 页的注释 {annot.get('/Subtype')} 未设打印标志或被隐藏（annotation flags {flags}）")
        action = annot.get("/A")
        if action is not None and action.get("/S") == "/JavaScript":
            problems.append(f"第 {number} 页的注释含 JavaScript")
    seen: set = set()
    for font in _fonts_in(page.obj.get("/Resources"), seen):
        if not _font_embedded(font):
            problems.append(f"第 {number} 页字体未嵌入：{font.get('/BaseFont')}（font not embedded）")
    for annot in page.obj.get("/Annots", []):
        appearance = annot.get("/AP")
        if isinstance(appearance, pikepdf.Dictionary):
            for stream in appearance.values():
                if isinstance(stream, pikepdf.Stream):
                    for font in _fonts_in(stream.get("/Resources"), seen):
                        if not _font_embedded(font):
                            problems.append(f"第 {number} 页签名外观字体未嵌入：{font.get('/BaseFont')}")
    return problems


def _fonts_in(resources, seen: set):
    """Fonts in a resource dictionary and, recursively, in its form XObjects."""
    if resources is None:
        return
    for font in resources.get("/Font", {}).values():
        key = font.objgen
        if key != (0, 0) and key in seen:
            continue
        seen.add(key)
        yield font
    for xobject in resources.get("/XObject", {}).values():
        key = xobject.objgen
        if key != (0, 0) and key in seen:
            continue
        seen.add(key)
        if xobject.get("/Subtype") == "/Form":
            yield from _fonts_in(xobject.get("/Resources"), seen)


def _font_embedded(font) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs are content streams
    if font.get("/Subtype") == "/Type0":
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
