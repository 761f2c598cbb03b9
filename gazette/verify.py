"""Verification of PAdES signatures, offline, against roots the user names.

For every signature we report who signed, when, at which PAdES level, whether the signed bytes are intact,
whether the chain reaches a configured root, what the embedded revocation data says, and whether anything was
changed after signing (pyHanko's difference analysis between the signed revision and the end of the file).

Validation time: a signature with an RFC 3161 signature timestamp is validated *at that time* (that is what the
timestamp proves), so a certificate or CRL that has expired since does not fail an archived notice. Revocation
data comes from the document security store (DSS) and from CRLs given by the caller; nothing is fetched. When
revocation data is available, revocation checking is hard-fail: a missing or stale CRL is a failure.

This is pyHanko's classic validation, not the full ETSI EN 319 102-1 long-term algorithm
(pyhanko.sign.validation.ades.ades_lta_validation); document timestamps are validated one by one at their own time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")


@dataclass
class SignatureReport:
    field_name: str
    signer: str = "?"
    signing_time: dt.datetime | None = None
    time_source: str = ""  # "时间戳" (from the TSA) or "签名人声称" (the signer's own clock)
    level: str = "?"
    intact: bool = False
    chain: str = ""
    revocation: str = ""
    modification: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class TimestampReport:
    """A document timestamp (the 'A' in B-LTA)."""

    field_name: str
    time: dt.datetime | None = None
    authority: str = "?"
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class FileReport:
    path: Path
    signatures: list[SignatureReport] = field(default_factory=list)
    timestamps: list[TimestampReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the file as a whole

    @property
    def ok(self) -> bool:
        return (
            not self.problems
            and all(s.ok for s in self.signatures)
            and all(t.ok for t in self.timestamps)
        )


def verify_pdf(
    path: Path,
    trust_roots: list[asn1_x509.Certificate],
    *,
    crls: list[asn1_crl.CertificateList] = (),
    min_level: str | None = None,
) -> FileReport:
    """Verify every signature and document timestamp in `path`. Never raises for a bad or tampered file."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    report = FileReport(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        report.problems.append(f"无法读取文件：{error.strerror}（cannot read file）")
        return report
    if not data.startswith(b"%PDF-"):
        report.problems.append("不是 PDF 文件（not a PDF）")
        return report

    import io

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_regular_signatures)
        timestamps = list(reader.embedded_timestamp_signatures)
    except Exception as error:  # a tampered file can break the parser anywhere; that is a finding, not a crash
        report.problems.append(f"文件结构已损坏，无法读取签名（cannot parse: {error}）")
        return report
    if not signatures:
        report.problems.append("文件中没有签名（no signature found）")
        return report

    dss = _read_dss(reader)
    for sig in signatures:
        report.signatures.append(_verify_signature(sig, dss, timestamps, trust_roots, list(crls), min_level))
    for ts in timestamps:
        report.timestamps.append(_verify_document_timestamp(ts, dss, trust_roots, list(crls)))
    return report


# --- one signature -----------------------------------------------------------------------------------------


def _verify_signature(sig, dss, doc_timestamps, trust_roots, crls, min_level) -> SignatureReport:
    from pyhanko.sign.validation import validate_pdf_signature

    report = SignatureReport(field_name=str(sig.field_name))
    try:
        report.signer = _common_name(sig.signer_cert)
        ts_time = _signature_timestamp_time(sig)
        report.signing_time, report.time_source = (
            (ts_time, "时间戳") if ts_time else (sig.self_reported_timestamp, "签名人声称")
        )
        report.level = _detect_level(sig, ts_time, dss, doc_timestamps)
        has_revinfo = bool(crls) or _dss_has_revinfo(dss)
        context = _validation_context(dss, trust_roots, crls, moment=ts_time, hard_fail=has_revinfo)
        status = validate_pdf_signature(sig, signer_validation_context=context, ts_validation_context=context)
    except Exception as error:  # malformed CMS, broken byte range ...: report it as what it is, a failure
        report.problems.append(f"签名无法验证（signature cannot be processed: {error}）")
        return report

    _judge_integrity(sig, status, report)
    _judge_chain(status, trust_roots, report)
    _judge_revocation(status, has_revinfo, report)
    _judge_modifications(status, report)
    _judge_timestamp(status, ts_time, report)
    if min_level and report.level in LEVELS and LEVELS.index(report.level) < LEVELS.index(min_level):
        report.problems.append(f"级别 {report.level} 低于要求的 {min_level}（level below required）")
    return report


def _judge_integrity(sig, status, report: SignatureReport) -> None:
    padding_clean = _contents_padding_is_clean(sig)
    report.intact = bool(status.intact and status.valid) and padding_clean
    if not status.intact:
        report.problems.append("签名所覆盖的内容已被改动（signed bytes altered）")
    elif not status.valid:
        report.problems.append("签名值无效（signature value invalid）")
    elif not padding_clean:
        report.problems.append("签名值之后的填充区被改动（signature /Contents padding altered）")


def _judge_chain(status, trust_roots, report: SignatureReport) -> None:
    if not report.intact:
        report.chain = "未检查：签名已损坏（not checked: signature broken）"
    elif not trust_roots:
        report.chain = "未检查（no --trust root given）"
        report.problems.append("未指定信任根，无法确认签名人（no trust root given: use --trust ROOT.pem）")
    elif status.trusted:
        path = status.validation_path
        report.chain = f"可信，根：{_common_name(path.trust_anchor.authority.certificate)}" if path else "可信（trusted）"
    elif status.revoked:
        report.chain = "证书已吊销（revoked）"
    else:
        report.chain = f"不可信（untrusted: {_indication(status)}）"
        report.problems.append(f"证书链无法验证到信任根（chain not trusted: {_indication(status)}）")


def _judge_revocation(status, has_revinfo: bool, report: SignatureReport) -> None:
    if status.revoked:
        details = status.revocation_details
        when = f"，吊销时间 {details.revocation_date:%Y-%m-%d %H:%M}" if details else ""
        report.revocation = f"已吊销{when}（revoked）"
        report.problems.append(f"签名证书已被吊销{when}（certificate revoked）")
    elif not has_revinfo:
        report.revocation = "未知：文件中无吊销数据（no embedded revocation data）"
    elif not report.intact:
        report.revocation = "未检查（not checked）"
    elif status.trusted:
        report.revocation = "未吊销（依据内嵌 CRL/OCSP）（not revoked, embedded data）"
    else:
        report.revocation = "无法确认（not established）"


def _judge_modifications(status, report: SignatureReport) -> None:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import SignatureCoverageLevel

    level = status.modification_level
    descriptions = {
        ModificationLevel.NONE: "签名后无改动（none）",
        ModificationLevel.LTA_UPDATES: "仅追加了长期验证数据和时间戳（LTV data only）",
        ModificationLevel.FORM_FILLING: "其后追加了签名或表单填写（later signatures / form filling）",
        ModificationLevel.ANNOTATIONS: "签名后添加了注释（annotations added after signing）",
        ModificationLevel.OTHER: "签名后内容被修改（content changed after signing）",
    }
    report.modification = descriptions.get(level, f"未知（{level}）")
    if level in (ModificationLevel.ANNOTATIONS, ModificationLevel.OTHER):
        report.problems.append(report.modification)
    if status.docmdp_ok is False:
        report.problems.append("改动超出了签名时允许的范围（DocMDP violated）")
    if status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        report.problems.append(f"签名未覆盖其修订版本的全部内容（coverage: {status.coverage}）")


def _judge_timestamp(status, ts_time, report: SignatureReport) -> None:
    ts_status = status.timestamp_validity
    if ts_time is None or ts_status is None:
        return
    if not (ts_status.intact and ts_status.valid):
        report.problems.append("签名时间戳已损坏（signature timestamp invalid）")
    elif not ts_status.trusted:
        report.problems.append("签名时间戳的证书链不可信（timestamp authority not trusted）")


# --- document timestamps --------------------------------------------------------------------------------------


def _verify_document_timestamp(ts, dss, trust_roots, crls) -> TimestampReport:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_timestamp

    report = TimestampReport(field_name=str(ts.field_name))
    try:
        report.authority = _common_name(ts.signer_cert)
        report.time = ts.self_reported_timestamp
        # Soft-fail: the revocation data for the newest timestamp's own TSA only enters the DSS when the archive
        # is renewed with a further timestamp, so its absence is normal.
        context = _validation_context(dss, trust_roots, crls, moment=report.time, hard_fail=False)
        status = validate_pdf_timestamp(ts, validation_context=context)
    except Exception as error:
        report.problems.append(f"文档时间戳无法验证（document timestamp cannot be processed: {error}）")
        return report
    if not (status.intact and status.valid):
        report.problems.append("文档时间戳所覆盖的内容已被改动（document timestamp broken）")
    elif trust_roots and not status.trusted:
        report.problems.append("文档时间戳的证书链不可信（TSA not trusted）")
    if status.modification_level not in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, None):
        report.problems.append("文档时间戳之后内容被修改（content changed after the document timestamp）")
    return report


# --- helpers --------------------------------------------------------------------------------------------------


def _validation_context(dss, trust_roots, crls, *, moment, hard_fail: bool):
    from pyhanko_certvalidator import ValidationContext

    kwargs = dict(
        trust_roots=list(trust_roots),
        crls=list(crls),
        allow_fetching=False,
        revocation_mode="hard-fail" if hard_fail else "soft-fail",
    )
    if moment is not None:
        kwargs["moment"] = moment
    return dss.as_validation_context(kwargs) if dss is not None else ValidationContext(**kwargs)


def _read_dss(reader):
    from pyhanko.sign.validation.errors import NoDSSFoundError
    from pyhanko.sign.validation import DocumentSecurityStore

    try:
        return DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return None


def _dss_has_revinfo(dss) -> bool:
    return dss is not None and bool(list(dss.crls) or list(dss.ocsps))


def _detect_level(sig, ts_time, dss, doc_timestamps) -> str:
    subfilter = sig.sig_object.get("/SubFilter")
    if subfilter != "/ETSI.CAdES.detached":
        return f"非 PAdES（{str(subfilter).lstrip('/')}）"
    if ts_time is None:
        return "B-B"
    if not _dss_has_revinfo(dss):
        return "B-T"
    later_timestamps = [t for t in doc_timestamps if t.signed_revision > sig.signed_revision]
    return "B-LTA" if later_timestamps else "B-LT"


def _signature_timestamp_time(sig) -> dt.datetime | None:
    """genTime of the RFC 3161 token in the signer info's unsigned attributes, if there is one."""
    unsigned = sig.signer_info["unsigned_attrs"]
    if not unsigned.native:
        return None
    for attribute in unsigned:
        if attribute["type"].native == "signature_time_stamp_token":
            token = attribute["values"][0]
            tst_info = token["content"]["encap_content_info"]["content"].parsed
            return tst_info["gen_time"].native
    return None


def _contents_padding_is_clean(sig) -> bool:
    """The /Contents hex string is padded with zeros after the CMS blob; those bytes are outside the ByteRange and
    outside the CMS, so no signature protects them. A byte flipped there is still a change to the file."""
    from asn1crypto.parser import parse

    raw = sig.pkcs7_content
    _, _, _, header, contents, trailer = parse(raw)
    used = len(header) + len(contents) + len(trailer)
    return not any(raw[used:])


def _common_name(cert: asn1_x509.Certificate) -> str:
    subject = cert.subject.native
    return subject.get("common_name") or cert.subject.human_friendly


def _indication(status) -> str:
    indication = getattr(status, "trust_problem_indic", None)
    return str(indication.name if hasattr(indication, "name") else indication or "unknown")
