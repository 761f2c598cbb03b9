"""Two speed fixes inside WeasyPrint's PDF writer that leave every output byte as it was.

1. A font used in the PDF (weasyprint.pdf.fonts.Font) copies its whole font file into a Python bytes object
   when it is created — 7 to 26 MB for each CJK font, 60 MB and 40 ms per notice — although with HarfBuzz
   subsetting only the subset is ever read. Here the copy is made only if something reads it (a variable or
   colour font, a font in a form field, or a failed subset): `file_content` becomes a lazy attribute.

2. WeasyPrint subsets each font twice with HarfBuzz: once keeping the used glyph ids (RETAIN_GIDS), then again
   keeping glyphs 0..max to drop what the first pass added after the last used glyph, this time without hinting.
   (Its arrays are also typed "hb_codepoint_t[N]" for each N, and cffi parses each new type: 6 ms a font.)
   The second pass re-reads tens of thousands of (mostly empty) CFF glyphs: 13 ms for a Noto CJK font. Here the
   first pass drops the hinting itself, and the second pass runs only when the first left glyphs after the last
   used one (HarfBuzz's closure sometimes adds some). tests/test_pdf_speed.py checks the result is the same bytes
   as WeasyPrint's own two passes.

Like gazette.render.cjk_justify, this patches WeasyPrint 70 (pyproject pins below the next major version).
"""

from __future__ import annotations

from weasyprint.pdf import fonts as pdf_fonts
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
from weasyprint.text.fonts import get_hb_object_data

_original_subset = pdf_fonts.Font._harfbuzz_subset
_DROP_TABLES = (b'BASE', b'DSIG', b'EBDT', b'EBLC', b'EBSC', b'GPOS', b'GSUB', b'JSTF', b'LTSH', b'PCLT', b'SVG ')


class _FaceData:
    """A face's data, not yet copied out of HarfBuzz. Truthy when the face has data, as the bytes would be."""

    __slots__ = ("hb_face",)

    def __init__(self, hb_face):
        self.hb_face = hb_face  # keeps the face alive until read

    def __bool__(self) -> bool:
        blob = harfbuzz.hb_face_reference_blob(self.hb_face)
        try:
            return harfbuzz.hb_blob_get_length(blob) > 0
        finally:
            harfbuzz.hb_blob_destroy(blob)

    def read(self) -> bytes | None:
        return get_hb_object_data(self.hb_face)


def _deferred_hb_object_data(hb_object, ot_color=None, glyph=None):
    """weasyprint.pdf.fonts' get_hb_object_data: a whole face's data is read when first used."""
    if ot_color is None:
        return _FaceData(hb_object)
    return get_hb_object_data(hb_object, ot_color, glyph)


class _LazyFileContent:
    """Font.file_content as a data descriptor: what is assigned is kept, and a _FaceData is read on first use."""

    def __get__(self, font, owner=None):
        if font is None:
            return self
        value = font.__dict__["_file_content"]
        if isinstance(value, _FaceData):
            value = font.__dict__["_file_content"] = value.read()
        return value

    def __set__(self, font, value) -> None:
        font.__dict__["_file_content"] = value


def _add_range(glyph_set, last: int) -> None:
    try:
        add_range = harfbuzz.hb_set_add_range
    except AttributeError:  # WeasyPrint's cdef lacks it
        ffi.cdef("void hb_set_add_range (hb_set_t *set, hb_codepoint_t first, hb_codepoint_t last);")
        add_range = harfbuzz.hb_set_add_range
    add_range(glyph_set, 0, last)


def _subset_input(flags: int):
    subset_input = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy)
    harfbuzz_subset.hb_subset_input_set_flags(subset_input, flags)
    drop_set = harfbuzz_subset.hb_subset_input_set(subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    tags = tuple(harfbuzz.hb_tag_from_string(name, -1) for name in _DROP_TABLES)
    harfbuzz.hb_set_add_sorted_array(drop_set, ffi.new("hb_codepoint_t[]", tags), len(tags))
    return subset_input


def _harfbuzz_subset(self, to_unicode, hinting):
    """Font._harfbuzz_subset with the same result in one HarfBuzz pass where one is enough (see above)."""
    flags = harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if self.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    # first pass: the used glyphs, at their ids
    subset_input = _subset_input(flags | harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS)
    gids = sorted(to_unicode)
    harfbuzz.hb_set_add_sorted_array(harfbuzz_subset.hb_subset_input_glyph_set(subset_input),
                                     ffi.new("hb_codepoint_t[]", gids), len(gids))
    hb_face = ffi.gc(harfbuzz_subset.hb_subset_or_fail(self.hb_face, subset_input), harfbuzz.hb_face_destroy)
    last = max(to_unicode)
    if hb_face and harfbuzz.hb_face_get_glyph_count(hb_face) > last + 1:
        # second pass: drop the glyphs after the last used one
        subset_input = _subset_input(flags)
        _add_range(harfbuzz_subset.hb_subset_input_glyph_set(subset_input), last)
        hb_face = ffi.gc(harfbuzz_subset.hb_subset_or_fail(hb_face, subset_input), harfbuzz.hb_face_destroy)
    if hb_face:
        file_content = get_hb_object_data(hb_face)
        if file_content:
            self.file_content = file_content
            return
    _original_subset(self, to_unicode, hinting)  # its warning, and whatever it makes of this font


def install() -> None:
    pdf_fonts.get_hb_object_data = _deferred_hb_object_data
    pdf_fonts.Font.file_content = _LazyFileContent()
    pdf_fonts.Font._harfbuzz_subset = _harfbuzz_subset
