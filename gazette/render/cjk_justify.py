"""Inter-character justification for WeasyPrint (CSS `text-justify: inter-character`, which it lacks).

WeasyPrint justifies by widening spaces only, and Chinese has none: a line that Pango broke one character
early (no line may start with ，。、；：！？）》” …) stays ragged, and lines mixing half-width digits never reach
the right edge of the 版心. A 公文 set in Word has every full line flush with both edges. This module replaces
WeasyPrint's `justify_line` with one that spreads the missing width over the gaps between all characters of the
line, by giving each text box a little more letter spacing. Spaces count as characters: widening only them
(WeasyPrint's way) would tear "附件：2. 名称" or "自治区 兵团" apart in a Chinese line.

It patches one function of WeasyPrint's layout; pyproject pins WeasyPrint below the next major version, and
tests/test_layout.py measures the result, so a change in WeasyPrint shows up as a failing test, not as a
silently ragged notice.
"""

from __future__ import annotations

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text.line_break import create_layout

_original_justify_line = inline.justify_line


def _text_boxes(box):
    if isinstance(box, boxes.TextBox):
        yield box
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                yield from _text_boxes(child)


def _letter_spacing(style) -> float:
    value = style["letter_spacing"]
    return 0.0 if value == "normal" else float(value)


def justify_line(context, line, extra_width):
    texts = list(_text_boxes(line))
    characters = sum(len(box.text.rstrip()) for box in texts)
    if characters < 2 or extra_width <= 0:
        return _original_justify_line(context, line, extra_width)
    # N characters have N − 1 gaps between the first glyph and the last: spreading the width over them puts the
    # last glyph's edge on the right edge of the line box.
    per_gap = extra_width / (characters - 1)
    _add_letter_spacing(context, line, per_gap, 0.0)


def _add_letter_spacing(context, box, per_gap: float, x_advance: float) -> float:
    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        count = len(box.text.rstrip())
        if count:
            style = box.style.copy()
            style["letter_spacing"] = _letter_spacing(box.style) + per_gap
            box.style = style
            layout = create_layout(box.text, style, context, max_width=None, justification_spacing=0)
            layout.deactivate()
            box.pango_layout = layout
            grow = per_gap * count
            box.width += grow
            x_advance += grow
        return x_advance
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _add_letter_spacing(context, child, per_gap, x_advance)
        box.width += x_advance - before
        return x_advance
    box.translate(x_advance, 0)  # an atomic inline (an image) moves with the text before it
    return x_advance


def install() -> None:
    """Use inter-character justification in every WeasyPrint layout of this process."""
    inline.justify_line = justify_line
