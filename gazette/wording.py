"""Derived wording: the parts of a notice that are computed from data, never typed twice.

Chinese numerals (16 → 十六), dates in official form (2025年1月9日), the length of a 公示期 in calendar or
working days, list markers in the standard forms (一、 （一） 1. （1）) and sums of quantities. These are pure
functions; the Jinja templates call them as filters, so the wording around them stays in the templates.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """16 → 十六, 43 → 四十三, 105 → 一百零五, 10 → 十 (the forms used in 公文 ordinals)."""
    if n < 0:
        raise ValueError(f"negative number {n}")
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n - 10] if n > 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return _DIGITS[tens] + "十" + (_DIGITS[ones] if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        if rest == 0:
            return _DIGITS[hundreds] + "百"
        if rest < 10:
            return _DIGITS[hundreds] + "百零" + _DIGITS[rest]
        # 110 is 一百一十, not 一百十
        tail = chinese_numeral(rest)
        return _DIGITS[hundreds] + "百" + ("一" + tail if rest < 20 else tail)
    if n < 10000:
        thousands, rest = divmod(n, 1000)
        if rest == 0:
            return _DIGITS[thousands] + "千"
        zero = "零" if rest < 100 else ""
        tail = chinese_numeral(rest)
        return _DIGITS[thousands] + "千" + zero + ("一" + tail if 10 <= rest < 20 else tail)
    return str(n)


def official_date(value: dt.date) -> str:
    """2025-01-09 → 2025年1月9日 (Arabic numerals, full year, no leading zeros, as GB/T 9704 asks)."""
    return f"{value.year}年{value.month}月{value.day}日"


def official_month(year: int, month: int) -> str:
    return f"{year}年{month}月"


def working_days(start: dt.date, end: dt.date, holidays: frozenset[dt.date] = frozenset(),
                 workdays: frozenset[dt.date] = frozenset()) -> int:
    """Working days from start to end inclusive: weekends and listed holidays skipped, and listed
    adjusted working days (调休上班, a Saturday or Sunday that is worked) counted."""
    days = 0
    current = start
    while current <= end:
        weekday = current.weekday() < 5
        if (weekday and current not in holidays) or current in workdays:
            days += 1
        current += dt.timedelta(days=1)
    return days


def calendar_days(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1


# The four levels of numbering in a 公文 body: 一、 （一） 1. （1）
NUMBERING_STYLES = ("一、", "（一）", "1.", "（1）")


def list_marker(style: str, n: int) -> str:
    """The marker of item n (1-based) in one of the standard numbering styles."""
    if style == "一、":
        return chinese_numeral(n) + "、"
    if style == "（一）":
        return "（" + chinese_numeral(n) + "）"
    if style == "1.":
        return f"{n}."
    if style == "（1）":
        return f"（{n}）"
    raise ValueError(f"unknown numbering style {style!r}")


# Markers that staff type at the start of list items, in standard or non-standard forms:
# 1.  1、 1． (1) （1） 一、 （一） (一) ①. They are removed on loading because the output numbers items itself.
_LEADING_MARKER = re.compile(
    r"^\s*(?:[（(]\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*[)）]|(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*[.．、]"
    r"|[①②③④⑤⑥⑦⑧⑨⑩])\s*"
)


def strip_list_marker(text: str) -> str:
    """'(1)调查核实…' → '调查核实…'; '1.全面开展…' → '全面开展…'. Text without a marker is unchanged.

    A number followed by a unit or date ('2022年…', '3.5万亩') is not a marker: only '.', '．' or '、' directly
    after one to three digits count, and not when a digit follows the dot (a decimal number) unless a year
    follows ('1.2022年全面开展…', as in the seed).
    """
    match = _LEADING_MARKER.match(text)
    if not match:
        return text
    rest = text[match.end():]
    if match.group(0).rstrip().endswith((".", "．")) and rest[:1].isdigit() and not re.match(r"\d{4}年", rest):
        return text  # "3.5万亩" is a number, not item 3; but "1.2022年…" is item 1
    return rest


def format_quantity(value: Decimal) -> str:
    """Decimal → the shortest plain form: 11544.68, 5667, 0.5 (no exponent, no trailing zeros)."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fix_document_number_brackets(text: str) -> str:
    """乌水考﹝2022﹞3号 / 乌水考[2022]3号 → 乌水考〔2022〕3号: a 发文字号 year goes in 六角括号."""
    return re.sub(r"[﹝\[［〔(（](\d{4})[﹞\]］〕)）](?=\s*\d+\s*号)", r"〔\1〕", text)
