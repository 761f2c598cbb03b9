"""JSON Schema of the content format, for editors: VS Code (YAML extension) completes fields, shows their
Chinese names and examples, and underlines mistakes while staff type.

The base is pydantic's schema of the content model, so field names, Chinese titles, descriptions and examples
have one source (gazette/model.py). Where the model accepts more than its Python type says — dates typed as
2025年1月9日, deadlines typed as 2025年12月底 or as a list of stages, a measure typed as plain text — the
schema is widened here to accept the same inputs, so that the schema and the validator agree.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from gazette.model import Notice, Site

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = "schema"  # inside the content folder, next to notices/
NOTICE_SCHEMA = "notice.schema.json"
SITE_SCHEMA = "site.schema.json"

# What gazette.model.parse_date accepts: 2025-01-09, 2025/1/9, 2025.1.9, 2025年1月9日.
DATE_PATTERN = r"^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{4}\.\d{1,2}\.\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日)\s*$"

DECIMAL_PATTERN = r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$"

# What gazette.model.parse_deadline_stage accepts, one stage; stages are joined by ，,；;
_STAGE = (
    r"\s*(立行立改|立即整改|长期坚持|持续推进|长期推进"
    r"|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?前?(完成|完成整改)?"
    r"|\d{4}[-/.年]\d{1,2}月?(底|末)?前?(完成|完成整改)?"
    r"|\d{4}年?(底|末)前?(完成|完成整改)?)\s*"
)
DEADLINE_PATTERN = rf"^[，,；;\s]*{_STAGE}([，,；;]+{_STAGE})*[，,；;\s]*$"


def notice_schema() -> dict[str, Any]:
    return _editor_schema(Notice, "整改情况公示文件",
                          "一个整改问题一个文件（content/notices/*.yaml）。字段名为英文，鼠标悬停可看中文说明。")


def site_schema() -> dict[str, Any]:
    return _editor_schema(Site, "站点配置文件", "所有公示共用的设置（content/site.yaml）。")


def write_schemas(content_root: Path) -> list[Path]:
    """Write both schemas into content/schema/ (only when changed, so that editors do not reload needlessly)."""
    folder = content_root / SCHEMA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in ((NOTICE_SCHEMA, notice_schema()), (SITE_SCHEMA, site_schema())):
        path = folder / name
        text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def modeline(yaml_path: Path, content_root: Path) -> str:
    """The first line of a notice file that tells the YAML extension which schema to use (a relative path,
    so it keeps working when the content folder is copied or checked out elsewhere)."""
    schema = (content_root / SCHEMA_DIR / NOTICE_SCHEMA).resolve()
    relative = Path(os.path.relpath(schema, yaml_path.resolve().parent))
    return f"# yaml-language-server: $schema={relative.as_posix()}"


def add_modelines(content_root: Path) -> list[Path]:
    """Put the modeline at the top of every notice that lacks one (a comment: the content is unchanged), so
    that files made before `gazette new` existed get completion too."""
    from gazette.loader import notice_files

    changed = []
    for path in notice_files(content_root):
        raw = path.read_bytes()
        if b"yaml-language-server:" in raw.split(b"\n", 1)[0]:
            continue
        bom = raw.startswith(b"\xef\xbb\xbf")
        line = (modeline(path, content_root) + "\n").encode("utf-8")
        try:
            raw[3 if bom else 0:].decode("utf-8")
        except UnicodeDecodeError:
            continue  # GBK or UTF-16: leave it as the author saved it
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + line + raw[3 if bom else 0:])
        changed.append(path)
    return changed


# --- widening pydantic's schema to what the validators accept ------------------------------------------------

def _editor_schema(model: type[BaseModel], title: str, description: str) -> dict[str, Any]:
    schema = copy.deepcopy(model.model_json_schema())
    definitions = schema.setdefault("$defs", {})
    for name, definition in definitions.items():
        # Class docstrings are notes for programmers, in English: the Chinese text is on the fields.
        definition.pop("description", None)
        if name == "Deadline":
            definitions[name] = _deadline_schema(definition)
    _walk(schema)
    schema = {"$schema": DIALECT, "title": title, "description": description,
              **{k: v for k, v in schema.items() if k not in ("title", "description")}}
    return schema


def _deadline_schema(object_form: dict[str, Any]) -> dict[str, Any]:
    """A deadline is written as text (2025年12月底, 立行立改，长期坚持), a YAML date, a list of stages, or — rarely —
    the parsed form with `stages`."""
    return {
        "anyOf": [
            {"type": "string", "pattern": DEADLINE_PATTERN},
            {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": DEADLINE_PATTERN}},
            object_form,
        ],
    }


def _walk(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("format") == "date" and node.get("type") == "string":
            del node["format"]
            node["pattern"] = DATE_PATTERN
        if node.get("anyOf") == [{"type": "number"}, {"type": "string"}]:
            # pydantic's Decimal: a number, or text that is a number
            node["anyOf"] = [{"type": "number"}, {"type": "string", "pattern": DECIMAL_PATTERN}]
        items = node.get("items")
        if isinstance(items, dict) and items.get("$ref") == "#/$defs/Measure":
            # a measure may be plain text or {text, deadline}
            node["items"] = {"anyOf": [{"type": "string", "minLength": 1}, items]}
        for value in node.values():
            _walk(value)
    elif isinstance(node, list):
        for value in node:
            _walk(value)
