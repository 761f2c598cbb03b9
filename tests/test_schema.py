"""The JSON Schema that editors use agrees with the validator: what loads, validates; what the validator
rejects for type or field mistakes, the schema rejects too."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from gazette.loader import parse_yaml
from gazette.model import Limits, Notice
from gazette.schema import notice_schema, site_schema, write_schemas

from conftest import CONTENT, notice_ids, run_gazette


def as_json(value: Any) -> Any:
    """YAML data as an editor's YAML server sees it: dates are text, mapping keys are text."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def load(path: Path) -> dict[str, Any]:
    return as_json(parse_yaml(path, path.read_text(encoding="utf-8"), Limits()))


VALIDATOR = jsonschema.Draft202012Validator(notice_schema())


@pytest.mark.parametrize("notice_id", notice_ids())
def test_every_shipped_notice_validates_against_the_schema(notice_id: str) -> None:
    data = load(CONTENT / "notices" / f"{notice_id}.yaml")
    errors = [e.message for e in VALIDATOR.iter_errors(data)]
    assert errors == []


def test_site_file_validates_against_the_site_schema() -> None:
    data = load(CONTENT / "site.yaml")
    assert list(jsonschema.Draft202012Validator(site_schema()).iter_errors(data)) == []


def wusu() -> dict[str, Any]:
    return load(CONTENT / "notices" / "wusu-16.yaml")


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is _DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


_DELETE = object()

MISTAKES = {
    "unknown top-level key": ("dedline", "2025年12月底"),
    "unknown nested key": ("inspection.rund", 1),
    "finding number as text": ("finding.number", "十六"),
    "round out of range": ("inspection.round", 0),
    "title as a list": ("title", ["a", "b"]),
    "measures as one string": ("measures", "全面开展工作"),
    "missing id": ("id", _DELETE),
    "missing region": ("region", _DELETE),
    "missing finding number": ("finding.number", _DELETE),
    "published not a date": ("published", "六月底"),
    "impossible deadline": ("deadline", "下个月"),
    "bad inspection type": ("inspection.type", "例行检查"),
    "closing phrase as text": ("closing_phrase", "是"),
    "indicator value as words": ("indicators.0.values", {"2022": "很多"}),
    "id with capitals": ("id", "Wusu-16"),
}


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_mistakes_the_validator_rejects_are_rejected_by_the_schema(name: str) -> None:
    path, value = MISTAKES[name]
    data = _set(wusu(), path, value)
    with pytest.raises(ValidationError):
        Notice.model_validate(data)
    assert list(VALIDATOR.iter_errors(data)), f"schema accepted: {name}"


ACCEPTED_FORMS = {
    "deadline as month": ("deadline", "2025年12月底"),
    "deadline staged": ("deadline", "立行立改，长期坚持"),
    "deadline staged with verb": ("deadline", "2024年6月底前完成，长期坚持"),
    "deadline as a list": ("deadline", ["2023年底前", "长期坚持"]),
    "deadline as a YAML date": ("deadline", "2025-12-31"),
    "deadline with a date": ("deadline", "2023年9月30日前"),
    "published in Chinese": ("published", "2025年6月30日"),
    "published with slashes": ("published", "2025/6/30"),
    "measure with its own deadline": ("measures.0", {"text": "全面开展工作", "deadline": "2023年底前"}),
    "completion as prose": ("completion", "已全部完成。"),
}


@pytest.mark.parametrize("name", sorted(ACCEPTED_FORMS))
def test_forms_the_validator_accepts_are_accepted_by_the_schema(name: str) -> None:
    path, value = ACCEPTED_FORMS[name]
    data = _set(wusu(), path, value)
    Notice.model_validate(data)
    assert [e.message for e in VALIDATOR.iter_errors(data)] == []


def _fields(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = list(schema["properties"].items())
    for name, definition in schema["$defs"].items():
        if name in ("DeadlineStage", "Deadline", "Kind", "Fonts", "Status", "Limits", "Site"):
            continue
        found += [(f"{name}.{k}", v) for k, v in definition.get("properties", {}).items()]
    return found


def test_every_notice_field_has_a_chinese_title_description_and_example() -> None:
    missing = [name for name, field in _fields(notice_schema())
               if not (field.get("title") and field.get("description") and field.get("examples"))]
    assert missing == []
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in field["description"]) for _, field in _fields(notice_schema()))


def test_schema_command_writes_files_a_yaml_editor_can_use(tmp_path: Path) -> None:
    result = run_gazette("schema", str(tmp_path))
    assert result.returncode == 0, result.stderr
    written = json.loads((tmp_path / "schema" / "notice.schema.json").read_text(encoding="utf-8"))
    assert written["$schema"].startswith("https://json-schema.org/")
    assert written["properties"]["deadline"]["title"] == "整改时限"
    jsonschema.Draft202012Validator.check_schema(written)
    assert write_schemas(tmp_path)[0].read_text(encoding="utf-8") == json.dumps(written, ensure_ascii=False, indent=2) + "\n"


def test_schema_command_on_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    result = run_gazette("schema", str(tmp_path / "nope" / "deeper"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_modeline_is_added_to_existing_notices_without_changing_them(content_copy: Path) -> None:
    from gazette.loader import load_content

    before = {p.name: p.read_text(encoding="utf-8") for p in (content_copy / "notices").glob("*.yaml")}
    notices = load_content(content_copy).notices
    result = run_gazette("schema", "--modeline", str(content_copy))
    assert result.returncode == 0, result.stderr
    for path in (content_copy / "notices").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert text == "# yaml-language-server: $schema=../schema/notice.schema.json\n" + before[path.name]
    assert load_content(content_copy).notices == notices
    again = run_gazette("schema", "--modeline", str(content_copy))
    assert "第一行" not in again.stdout
