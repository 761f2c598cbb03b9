"""`gazette sign --seal` without a box puts the seal where GB/T 9704 does: centred on the notice's 成文日期."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pikepdf

from gazette import sign
from gazette.sign import SealPlacement, SignatureLevel, sign_pdf
from tests.pki import make_seal_png, pki  # noqa: F401 - fixture


def test_seal_is_centred_on_the_signature_date(pki, built_site: Path, tmp_path: Path) -> None:  # noqa: F811
    source = built_site / "notices" / "puyang-43" / "puyang-43.pdf"
    signer = sign.load_signer(pki.signer_p12, pki.password)
    out = sign_pdf(source, tmp_path / "puyang-43.signed.pdf", signer, level=SignatureLevel.B_B,
                   seal=SealPlacement(make_seal_png(tmp_path / "seal.png")))
    with pdfplumber.open(source) as pdf:
        lines: dict[float, list[dict]] = {}
        for char in pdf.pages[-1].chars:
            lines.setdefault(round(char["matrix"][5], 1), []).append(char)
        date_line, chars = next((y, sorted(c, key=lambda c: c["x0"])) for y, c in lines.items()
                                if "".join(ch["text"] for ch in sorted(c, key=lambda c: c["x0"])) == "2023年1月9日")
    date_centre = (chars[0]["x0"] + chars[-1]["x1"]) / 2
    with pikepdf.open(out) as pdf:
        [widget] = [a for a in pdf.pages[-1].obj.Annots if a.get("/FT") == "/Sig" or "/AP" in a]
        x0, y0, x1, y1 = (float(v) for v in widget.Rect)
    assert abs((x0 + x1) / 2 - date_centre) < 1.0
    assert abs((x1 - x0) - 42 / 25.4 * 72) < 1.0
    assert y0 < date_line < y1, "the date sits inside the seal"
