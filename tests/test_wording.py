"""Derived wording: computed from data, never typed twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from gazette import wording
from gazette.model import Indicator, parse_deadline


@pytest.mark.parametrize("n, text", [(1, "一"), (10, "十"), (16, "十六"), (20, "二十"), (43, "四十三"),
                                     (100, "一百"), (105, "一百零五"), (110, "一百一十"), (243, "二百四十三"),
                                     (1000, "一千"), (1010, "一千零一十")])
def test_chinese_numerals(n: int, text: str) -> None:
    assert wording.chinese_numeral(n) == text


def test_official_date_has_no_leading_zeros() -> None:
    assert wording.official_date(dt.date(2025, 1, 9)) == "2025年1月9日"


def test_publicity_length_in_working_and_calendar_days() -> None:
    # Puyang: Monday 9 January to Friday 20 January 2023
    assert wording.working_days(dt.date(2023, 1, 9), dt.date(2023, 1, 20)) == 10
    assert wording.calendar_days(dt.date(2023, 1, 9), dt.date(2023, 1, 20)) == 12
    # a holiday is skipped, an adjusted working Saturday counts
    assert wording.working_days(dt.date(2023, 1, 9), dt.date(2023, 1, 20),
                                holidays=frozenset({dt.date(2023, 1, 16)}),
                                workdays=frozenset({dt.date(2023, 1, 14)})) == 10


@pytest.mark.parametrize("style, n, marker", [("一、", 3, "三、"), ("（一）", 2, "（二）"), ("1.", 7, "7."),
                                              ("（1）", 12, "（12）")])
def test_list_markers(style: str, n: int, marker: str) -> None:
    assert wording.list_marker(style, n) == marker


@pytest.mark.parametrize("typed, text", [("(1)调查核实", "调查核实"), ("（2）将农村", "将农村"), ("1、全面", "全面"),
                                         ("1.全面", "全面"), ("1.2022年全面", "2022年全面"),
                                         ("3.5万亩退减", "3.5万亩退减"), ("2022年起", "2022年起")])
def test_typed_list_markers_are_removed(typed: str, text: str) -> None:
    assert wording.strip_list_marker(typed) == text


def test_seed_indicator_total() -> None:
    cut = Indicator(key="cut", name="地下水压减量", unit="万m³",
                    values={"2022": "786.78", "2023": "5090.9", "2024": "5667"})
    assert wording.format_quantity(cut.computed_total) == "11544.68"


def test_stated_total_that_disagrees_is_an_error_naming_both_numbers() -> None:
    with pytest.raises(ValidationError) as info:
        Indicator(key="cut", name="地下水压减量", unit="万m³",
                  values={"2022": "786.78", "2023": "5090.9", "2024": "5667"}, total=Decimal("11544.86"))
    assert "11544.86" in str(info.value) and "11544.68" in str(info.value)


@pytest.mark.parametrize("typed, text, due", [
    ("2025年12月底", "2025年12月底", dt.date(2025, 12, 31)),
    ("2023年9月30日前", "2023年9月30日前", dt.date(2023, 9, 30)),
    ("2023年底前", "2023年底前", dt.date(2023, 12, 31)),
    ("2024-02-09", "2024年2月9日", dt.date(2024, 2, 9)),
    ("立行立改", "立行立改", None),
    ("长期坚持", "长期坚持", None),
    ("立行立改，长期坚持", "立行立改，长期坚持", None),
    ("2024年6月底前完成，长期坚持", "2024年6月底前，长期坚持", dt.date(2024, 6, 30)),
])
def test_deadline_forms(typed: str, text: str, due: dt.date | None) -> None:
    deadline = parse_deadline(typed)
    assert deadline.text == text
    assert deadline.due == due


def test_document_number_brackets() -> None:
    assert wording.fix_document_number_brackets("乌水考﹝2022﹞3号、新发改农价[2015]1724号") == \
        "乌水考〔2022〕3号、新发改农价〔2015〕1724号"
