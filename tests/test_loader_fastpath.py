"""The loader's fast path — a plain file read by libyaml (yaml_spans.plain_document) — against ruamel, the
reference: the same values for pydantic (so the same models), the same text spans for the lint, and for
anything unusual or wrong the fast path declines, so that ruamel gives the same result or error as before.
"Without libyaml" is the loader as it was (and as it runs where PyYAML has no libyaml): ruamel alone."""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gazette import yaml_spans
from gazette.errors import ContentErrors
from gazette.lint import lint_text
from gazette.loader import (SourceFile, _construct_scalar, load_content, load_notice, load_site, parse_yaml,
                            read_plain)
from gazette.model import Limits, Notice, Site
from gazette.yaml_spans import plain_document, text_spans, value_spans

from conftest import CONTENT, ROOT

LIMITS = Limits()
WUSU = CONTENT / "notices" / "wusu-16.yaml"


def fast(text: str) -> Any:
    """The fast path's data, or None when it declines."""
    document = plain_document(text, max_depth=LIMITS.max_depth, max_nodes=LIMITS.max_nodes,
                              max_list_items=LIMITS.max_list_items, construct=_construct_scalar)
    return None if document is None else document.data


def ruamel(text: str) -> Any:
    return parse_yaml(Path("x.yaml"), text, LIMITS)


def ruamel_spans(text: str) -> list[tuple[tuple[Any, ...], int, int]]:
    return [(span.path, span.start, span.end) for span in value_spans(text) if span.is_text]


def typed(value: Any) -> Any:
    """A value with the exact type of every part, to compare: ScalarFloat is not float, OctalInt is not int,
    True is not 1. Containers and text compare by content: ruamel's are CommentedMap, CommentedSeq and, for
    block scalars, str subclasses, which the model's validators treat as dict, list and str (isinstance) and
    pydantic turns into plain str."""
    if isinstance(value, dict):
        return ("map", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [typed(v) for v in value])
    if isinstance(value, str):
        return ("str", str(value))
    if isinstance(value, float) and math.isnan(value):
        return (type(value), "nan")
    return (type(value), value, vars(value) if hasattr(value, "__dict__") else None)


def without_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_spans, "CParser", None)


# --- the corpora: shipped content, the benchmark's notices ----------------------------------------------------

SHIPPED = sorted((CONTENT / "notices").glob("*.yaml"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The shipped notices and 40 of the benchmark's (bench/generate.py: the seed's size, varied wording)."""
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    folder = tmp_path_factory.mktemp("bench") / "content"
    generate.write_content(40, folder)
    return SHIPPED + sorted((folder / "notices").glob("*.yaml"))


def test_libyaml_is_there() -> None:
    """pyproject.toml asks for PyYAML, whose wheels include libyaml: without it everything still works, slowly."""
    assert yaml_spans.CParser is not None


def test_a_notice_takes_the_fast_path_with_ruamels_values_and_spans(corpus: list[Path]) -> None:
    assert len(corpus) == len(SHIPPED) + 40
    texts = {path.name: path.read_text(encoding="utf-8") for path in corpus}
    # as a Windows editor saves them
    texts |= {f"{path.name} (CRLF)": path.read_text(encoding="utf-8").replace("\n", "\r\n") for path in SHIPPED}
    for name, text in texts.items():
        data = fast(text)
        assert data is not None, f"{name}: a plain notice must not need ruamel"
        reference = ruamel(text)
        assert typed(data) == typed(reference), name
        source = SourceFile(Path(name), text)
        notice = read_plain(source, Notice, LIMITS)
        assert notice is not None and notice == Notice.model_validate(dict(reference)), name
        assert text_spans(text) == source.text_spans == ruamel_spans(text), name


def test_the_site_file_takes_the_fast_path_with_ruamels_values() -> None:
    text = (CONTENT / "site.yaml").read_text(encoding="utf-8")
    reference = ruamel(text)
    assert typed(fast(text)) == typed(reference)
    assert read_plain(SourceFile(Path("site.yaml"), text), Site, LIMITS) == Site.model_validate(dict(reference))


# --- scalars whose reading depends on the YAML version, the schema or the reader -----------------------------

TRICKY_SCALARS = [
    # YAML 1.1 booleans, text in 1.2
    "yes", "no", "Yes", "NO", "on", "off", "On", "OFF", "y", "n", "Y", "N",
    # 1.2 booleans and nulls
    "true", "false", "True", "FALSE", "null", "Null", "NULL", "~", "",
    # octal, sexagesimal, other bases, underscores, signs, leading zeros
    "010", "0o10", "0o17", "08", "0", "-0", "+1", "+010", "0x1F", "0x1f", "0b101", "1_000", "1:20", "190:20:30",
    "1:20.5", "12:30:00", "1,000", "١٢",
    # floats
    "1.5", "1.50", ".5", "5.", "1e3", "1E3", "1.0e+3", "6.8523015e+5", "685.230_15e+03", "-1.5", "+.5",
    ".inf", "-.inf", ".Inf", ".nan", ".NaN", "1.", "0.1", "00.5",
    # dates and times, possible and impossible
    "2025-01-09", "2025-1-9", "2025-13-01", "2023-02-30", "2025-01-09T10:00:00Z", "2025-01-09 10:00:00",
    "2025-01-09t10:00:00.5+08:00", "2025-01-09 10:00", "20250109", "2025/01/09",
    # text that only looks special
    "=", "<<", "- a", "a: b", "a #b", "'quoted'", '"double"', "'it''s'", '"a\\tb"', '"\\x41\\u4e2d"', '"\\/"',
    '"\\N\\_"', '"\\x0b"', "|\n  a\n  b", ">\n  a\n  b\n\n  c", "|-\n  a", "|+\n  a\n\n", ">2\n   a", "中文：冒号",
    "a:b", "http://x.cn/a?b=1#c", "[a, b]", "[1, 2.0, yes]", "{a: 1}", "! a", "&a a", "*a", "!!str 1", "!!int 1",
    "%x", "@x", "`x", "1 # comment", "2025年12月底", "（一）", "〔2022〕3号",
]


def _variants(scalar: str) -> list[str]:
    one_line = "\n" not in scalar
    texts = [f"a: {scalar}\n", f"a:\n  - {scalar}\n  - x\n"]
    if one_line:
        texts += [f"a: [{scalar}, x]\n", f"{scalar}: 1\nb: 2\n", f"a:\n  {scalar}: [x]\n"]
    return texts


@pytest.mark.parametrize("scalar", TRICKY_SCALARS)
def test_a_tricky_scalar_reads_as_ruamel_reads_it_or_goes_to_ruamel(scalar: str) -> None:
    for text in _variants(scalar):
        assert_same_as_ruamel(text)


# The fast path must not decline what a real notice holds: these are the only scalars it leaves to ruamel —
# errors (a: b, - a, %x …), tags, anchors, aliases, a merge key, ruamel's "value" tag, escapes that give a tab or
# a character YAML 1.1 reads as a line break, and folded block scalars (see plain_document).
DECLINED = {"<<", "=", "! a", "&a a", "*a", "!!str 1", "!!int 1", '"\\x0b"', '"a\\tb"', '"\\N\\_"', "%x", "@x", "`x",
            "a: b", "- a", ">\n  a\n  b\n\n  c", ">2\n   a"}


def test_the_fast_path_declines_only_what_it_must() -> None:
    declined = {scalar for scalar in TRICKY_SCALARS if fast(f"a: {scalar}\n") is None}
    assert declined == DECLINED


def assert_same_as_ruamel(text: str) -> None:
    """What the fast path reads, ruamel reads the same; what it declines goes to ruamel, as before."""
    data = fast(text)
    if data is not None:
        try:
            reference = ruamel(text)
        except ContentErrors as exc:
            pytest.fail(f"libyaml read {text!r}, which ruamel refuses: {exc.errors[0]}")
        assert typed(data) == typed(reference), text
    spans = plain_document(text)  # the lint's spans (no values built, no limits)
    if spans is not None:
        assert spans.text_spans == ruamel_spans(text), text


# --- generated documents: whatever the fast path reads, ruamel reads the same -------------------------------

_PIECES = st.sampled_from([
    "a", "b", "中文", "0", "1", "2025", "-", " ", "  ", ":", ": ", "#", " #", "'", '"', "[", "]", "{", "}", ",",
    ", ", "?", "|", ">", "!", "&", "*", "%", "@", "\\", "\n", "\n  ", "\n- ", "\r\n", "\t", ".", "e", "_", "+",
    "~", "yes", "null", "0o", "0x", "1:2", "2025-01-09", "\u3000", "\u2028", "\x85", "\ufeff",
])
_PROSE = st.sampled_from(["中文", "x y", "1.5万m³", "2025年12月底", "a-b", "（一）", "http://a.cn/x?y=1", "1、 a", "“引号”"])
_SCALARS = st.one_of(st.sampled_from(TRICKY_SCALARS), st.lists(_PIECES, max_size=6).map("".join), _PROSE,
                     st.lists(st.one_of(_PROSE, _PIECES), max_size=4).map(lambda parts: "'" + "".join(parts) + "'"),
                     st.lists(st.one_of(_PROSE, _PIECES), max_size=4).map(lambda parts: '"' + "".join(parts) + '"'))


@st.composite
def documents(draw: st.DrawFn, depth: int = 0) -> str:
    """Block mappings and lists (flow lists, literal block scalars) with scalars made of YAML's special
    characters."""
    indent = "  " * depth
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        key = draw(st.one_of(st.sampled_from(["a", "b", "c", "2022", "yes", "'q'", "中"]), _SCALARS))
        shape = draw(st.sampled_from(["scalar", "scalar", "list", "flow", "block", "map"])) if depth < 2 else "scalar"
        if shape == "scalar":
            lines.append(f"{indent}{key}: {draw(_SCALARS)}")
        elif shape == "block":
            header = draw(st.sampled_from(["|", "|-", "|+", "|2", "|-1", "| # c", "|#", "|  ", "|\r"]))
            body = draw(st.lists(st.one_of(_PROSE, _SCALARS), max_size=3))
            gap = draw(st.sampled_from(["  ", "    ", " ", ""]))
            lines.append(f"{indent}{key}: {header}" + "".join(f"\n{indent}{gap}{line}" for line in body))
        elif shape == "flow":
            lines.append(f"{indent}{key}: [{', '.join(draw(st.lists(_SCALARS, max_size=3)))}]")
        elif shape == "list":
            lines.append(f"{indent}{key}:")
            lines += [f"{indent}  - {item}" for item in draw(st.lists(_SCALARS, min_size=1, max_size=3))]
        else:
            lines.append(f"{indent}{key}:\n{draw(documents(depth + 1))}")
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n# end\n"]))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_documents_read_as_ruamel_reads_them(text: str) -> None:
    assert_same_as_ruamel(text)


@settings(max_examples=600, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_random_text_reads_as_ruamel_reads_it(text: str) -> None:
    assert_same_as_ruamel(text)


def test_limits_send_a_file_to_ruamel() -> None:
    assert plain_document("a: [[[x]]]\n", max_depth=3) is None
    assert plain_document("a: [[x]]\n", max_depth=3) is not None
    assert plain_document("a: [1, 2, 3]\n", max_list_items=2) is None
    assert plain_document("a: 1\nb: 2\n", max_nodes=4) is None
    assert plain_document("a: 1\nb: 2\n", max_nodes=5) is not None
    assert plain_document("[" * 100_000) is None  # no recursion: libyaml's events, walked with a list


# --- whole notices: the same result or the same errors as ruamel alone gives ------------------------------------

def outcome(path: Path, root: Path) -> Any:
    site, _ = load_site(root)
    try:
        notice, _ = load_notice(path, site, root)
    except ContentErrors as exc:
        return [str(error) for error in exc.errors]
    return notice


@pytest.mark.parametrize("name,old,new", [
    ("wusu-16", "status:", "published: 2025-07-01\nstatus:"),  # a duplicate key
    ("wusu-16", "region: 乌苏市", "region: 乌苏市\nregion: 沙湾市"),
    ("wusu-16", "  number: 16 ", "  number: 016 "),  # 16 in YAML 1.2, 14 as a YAML 1.1 octal
    ("wusu-16", "  number: 16 ", "  number: 0o20 "),
    ("wusu-16", "  number: 16 ", "  number: 0:16 "),  # 16 as a YAML 1.1 sexagesimal, text in 1.2
    ("wusu-16", "  number: 16 ", "  number: 16.0 "),
    ("wusu-16", "  number: 16 ", "  number: 1_6 "),
    ("wusu-16", "chart: true", "chart: on"),  # a YAML 1.1 boolean, text in 1.2
    ("wusu-16", "chart: true", "chart: yes"),
    ("wusu-16", "chart: true", "chart: True"),
    ("wusu-16", "{2022: 786.78,", "{0o3746: 786.78,"),  # a key that is a number
    ("wusu-16", "total: 11544.68", "total: 1.154468e4"),
    ("wusu-16", "total: 11544.68", "total: 11_544.68"),
    ("wusu-16", "published: 2025-06-30", "published: 2025-6-30"),
    ("wusu-16", "published: 2025-06-30", "published: 2025-06-30T08:00:00+08:00"),
    ("wusu-16", "published: 2025-06-30", "published: !!str 2025-06-30"),  # a tag
    ("wusu-16", "region: 乌苏市", "region: &r 乌苏市\nsubjects: *r"),  # an anchor and an alias
    ("wusu-16", "kind: 整改情况公示", "kind: 整改公示"),  # an error found after validation: positions from the tree
    ("wusu-16", "deadline: 2025年12月底", "deadline: 2025-13-01"),
    ("puyang-43", "  days: 10", "  days: 9"),
    ("puyang-43", "status:", "status\t:"),
    ("puyang-43", "region: 濮阳市", "region: \"濮阳\\x0b市\""),
])
def test_a_changed_notice_reads_as_with_ruamel_alone(content_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                                     name: str, old: str, new: str) -> None:
    path = content_copy / "notices" / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with_libyaml = outcome(path, content_copy)
    without_libyaml(monkeypatch)
    assert outcome(path, content_copy) == with_libyaml


def test_a_duplicate_id_names_the_line_as_with_ruamel_alone(content_copy: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """assemble_content's error needs the position of `id` in a file read by the fast path."""
    notices = content_copy / "notices"
    (notices / "zz-copy.yaml").write_text("# a copy\n\n" + WUSU.read_text(encoding="utf-8"), encoding="utf-8")

    def errors() -> list[str]:
        with pytest.raises(ContentErrors) as caught:
            load_content(content_copy)
        return [str(error) for error in caught.value.errors]

    with_libyaml = errors()
    assert "zz-copy.yaml:7:5 编号 (id)" in with_libyaml[0]  # id: is on line 5 of wusu-16.yaml
    without_libyaml(monkeypatch)
    assert errors() == with_libyaml


def test_a_source_parses_its_tree_only_when_asked() -> None:
    source = load_content(CONTENT).sources["wusu-16"]
    assert source.data is None
    assert source.tree().lc.value("status") == (23, 8)  # 0-based: wusu-16.yaml:24:9
    assert source.text_spans == ruamel_spans(source.text)  # for the lint


def test_the_lint_finds_the_same_as_with_ruamel_alone(corpus: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    seed = Path(__file__).parent / "data" / "seed-wusu-16.yaml"
    texts = {path: path.read_text(encoding="utf-8") for path in [seed, *corpus]}
    with_libyaml = {path: lint_text(path, text) for path, text in texts.items()}
    assert with_libyaml[seed]
    without_libyaml(monkeypatch)
    assert {path: lint_text(path, text) for path, text in texts.items()} == with_libyaml


def test_a_date_reads_as_a_date() -> None:
    assert fast("a: 2025-01-09\n") == {"a": dt.date(2025, 1, 9)}
