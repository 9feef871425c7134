"""Canonical JSON form of an :class:`Instrument`, and the tolerant reader behind it.

Canonical means: fixed key order, defaults omitted, texts stripped with empty translations
dropped, integral floats written as integers. Omitting defaults matters for checksums: a new
optional field added to the schema later leaves the checksum of every stored definition
unchanged. ``build`` never raises on bad input; it records a :class:`ValidationIssue` per
structural problem and skips what it cannot build, so one pass reports everything.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any

from instruments.messages import Message, gettext_noop

from .issues import InvalidDefinition, ValidationIssue
from .model import Choice, ChoiceList, Group, Instrument, Item, ItemType, MatrixRow

SCHEMA_VERSION = 1

NOT_AN_OBJECT = gettext_noop("Expected an object")
NOT_A_LIST = gettext_noop("Expected a list")
NOT_TEXT = gettext_noop("Expected a text")
NOT_BOOL = gettext_noop("Expected true or false")
NOT_COUNT = gettext_noop("Expected a whole number of at least 0")
NOT_NUMBER = gettext_noop("Expected a number")
NOT_TRANSLATIONS = gettext_noop("Expected texts per language, e.g. {example}")
MISSING_KEY = gettext_noop("'{key}' is missing")
UNKNOWN_KEY = gettext_noop("Unknown key '{key}'")
UNKNOWN_TYPE = gettext_noop("Unknown item type '{value}'; use one of: {allowed}")
BAD_SCHEMA = gettext_noop(
    "Unsupported definition format {value}; this version reads format {expected}"
)

# Field kinds drive both directions, so to_dict and build cannot drift apart.
_ITEM_KINDS: dict[str, str] = {
    "code": "str", "type": "type", "label": "text", "hint": "text", "group": "str",
    "required": "bool", "relevance": "str", "constraint": "str",
    "constraint_message": "text", "choices": "str", "choice_filter": "str",
    "other_choice": "str", "randomize": "bool", "exclusive": "codes",
    "min_choices": "count", "max_choices": "count", "min_value": "number",
    "max_value": "number", "unit": "text", "long": "bool", "max_length": "count",
    "rows": "rows",
}  # fmt: skip
_GROUP_KINDS = {
    "code": "str", "label": "text", "hint": "text", "relevance": "str", "page": "bool",
    "parent": "str",
}  # fmt: skip
_REQUIRED = ("code", "type")


# ---------------------------------------------------------------- writing


def to_dict(instrument: Instrument) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "id": instrument.id,
        "version": instrument.version,
        "title": _text_out(instrument.title),
        "languages": list(instrument.languages),
        "default_language": instrument.default_language,
        "groups": [_object_out(group, _GROUP_KINDS) for group in instrument.groups],
        "items": [_object_out(item, _ITEM_KINDS) for item in instrument.items],
        "choice_lists": [_list_out(choice_list) for choice_list in instrument.choice_lists],
    }


def canonical_json(instrument: Instrument) -> str:
    return json.dumps(
        to_dict(instrument), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def checksum(instrument: Instrument) -> str:
    return hashlib.sha256(canonical_json(instrument).encode("utf-8")).hexdigest()


def _object_out(obj: Item | Group, kinds: Mapping[str, str]) -> dict[str, Any]:
    defaults = {f.name: _default_of(f) for f in fields(obj)}
    always = ("code", "type", "label") if isinstance(obj, Item) else ("code",)
    out: dict[str, Any] = {}
    for name, kind in kinds.items():
        value = getattr(obj, name)
        if name not in always and _is_default(value, defaults[name]):
            continue
        out[name] = _value_out(value, kind)
    return out


def _default_of(f: Any) -> Any:
    return f.default_factory() if callable(f.default_factory) else f.default


def _is_default(value: Any, default: Any) -> bool:
    return value is None if default is None else bool(value == default)


def _value_out(value: Any, kind: str) -> Any:
    if kind == "text":
        return _text_out(value)
    if kind == "codes":
        return list(value)
    if kind == "rows":
        return [{"code": row.code, "label": _text_out(row.label)} for row in value]
    if kind == "type":
        return str(value)
    return value


def _text_out(text: Mapping[str, str]) -> dict[str, str]:
    return {lang: text[lang] for lang in sorted(text)}


def _list_out(choice_list: ChoiceList) -> dict[str, Any]:
    choices = []
    for choice in choice_list.choices:
        entry: dict[str, Any] = {"code": choice.code, "label": _text_out(choice.label)}
        if choice.attributes:
            entry["attributes"] = {k: choice.attributes[k] for k in sorted(choice.attributes)}
        choices.append(entry)
    return {"name": choice_list.name, "choices": choices}


# ---------------------------------------------------------------- reading


def from_dict(data: Mapping[str, Any]) -> Instrument:
    """Build from a stored definition; raises :class:`InvalidDefinition` if it cannot."""
    instrument, issues = build(data)
    if instrument is None or issues:
        raise InvalidDefinition(issues)
    return instrument


def build(data: Any) -> tuple[Instrument | None, list[ValidationIssue]]:
    """Read ``data`` into an Instrument, skipping (and reporting) malformed parts."""
    instrument, issues, _maps = build_with_index(data)
    return instrument, issues


def build_with_index(
    data: Any,
) -> tuple[Instrument | None, list[ValidationIssue], dict[str, list[int]]]:
    """Like :func:`build`, plus the input index of each built list element (see remap_path)."""
    reader = _Reader()
    instrument = reader.instrument(data)
    return instrument, reader.issues, reader.index_maps


_INDEXED = re.compile(r"([A-Za-z_]+)\[(\d+)\]")


def remap_path(path: str, index_maps: Mapping[str, list[int]]) -> str:
    """Turn indices into the built Instrument back into indices into the input."""
    out: list[str] = []
    position = 0
    for match in _INDEXED.finditer(path):
        out.append(path[position : match.start()])
        name, index = match.group(1), int(match.group(2))
        kept = index_maps.get("".join(out) + name)
        raw = kept[index] if kept is not None and index < len(kept) else index
        out.append(f"{name}[{raw}]")
        position = match.end()
    out.append(path[position:])
    return "".join(out)


class _Reader:
    def __init__(self) -> None:
        self.issues: list[ValidationIssue] = []
        # Raw index of each built element per list path ("items", "choice_lists[2].choices"):
        # skipped elements shift later indices, and issues must name the input's index.
        self.index_maps: dict[str, list[int]] = {}

    def error(self, path: str, msgid: str, kind: str = "structure", **params: Any) -> None:
        self.issues.append(ValidationIssue(Message(msgid, params), kind=kind, path=path))

    def instrument(self, data: Any) -> Instrument | None:
        if not isinstance(data, Mapping):
            self.error("", NOT_AN_OBJECT)
            return None
        known = {"schema", "id", "version", "title", "languages", "default_language",
                 "groups", "items", "choice_lists"}  # fmt: skip
        self._unknown_keys(data, known, "")
        if data.get("schema", SCHEMA_VERSION) != SCHEMA_VERSION:
            self.error("schema", BAD_SCHEMA, value=data.get("schema"), expected=SCHEMA_VERSION)
        return Instrument(
            id=self.string(data.get("id"), "id") or "",
            version=self.string(data.get("version", ""), "version") or "",
            title=self.text(data.get("title", {}), "title"),
            languages=self.codes(data.get("languages", []), "languages"),
            default_language=self.string(data.get("default_language"), "default_language") or "",
            groups=tuple(self.objects(data, "groups", self.group)),
            items=tuple(self.objects(data, "items", self.item)),
            choice_lists=tuple(self.objects(data, "choice_lists", self.choice_list)),
        )

    def objects(self, data: Mapping[str, Any], key: str, read: Any) -> list[Any]:
        values = data.get(key, [])
        if not isinstance(values, list):
            self.error(key, NOT_A_LIST)
            return []
        return self._collect(key, values, read)

    def _collect(self, path: str, values: list[Any], read: Any) -> list[Any]:
        built: list[Any] = []
        kept: list[int] = []
        for index, value in enumerate(values):
            obj = read(value, f"{path}[{index}]")
            if obj is not None:
                built.append(obj)
                kept.append(index)
        self.index_maps[path] = kept
        return built

    def _unknown_keys(self, data: Mapping[str, Any], known: set[str], path: str) -> None:
        for key in data:
            if key not in known:
                self.error(_join(path, str(key)), UNKNOWN_KEY, key=key)

    def _fields(self, data: Any, kinds: Mapping[str, str], path: str) -> dict[str, Any] | None:
        if not isinstance(data, Mapping):
            self.error(path, NOT_AN_OBJECT)
            return None
        self._unknown_keys(data, set(kinds), path)
        values: dict[str, Any] = {}
        for name, kind in kinds.items():
            if name in data:
                value = self.value(data[name], kind, _join(path, name))
                if value is not None:
                    values[name] = value
        return values

    def item(self, data: Any, path: str) -> Item | None:
        values = self._fields(data, _ITEM_KINDS, path)
        if values is None:
            return None
        for key in _REQUIRED:
            if key not in values and not (isinstance(data, Mapping) and key in data):
                self.error(_join(path, key), MISSING_KEY, key=key)
        if "code" not in values or "type" not in values:
            return None
        values.setdefault("label", {})
        return Item(**values)

    def group(self, data: Any, path: str) -> Group | None:
        values = self._fields(data, _GROUP_KINDS, path)
        if values is None:
            return None
        if "code" not in values:
            self.error(_join(path, "code"), MISSING_KEY, key="code")
            return None
        return Group(**values)

    def choice_list(self, data: Any, path: str) -> ChoiceList | None:
        values = self._fields(data, {"name": "str", "choices": "raw"}, path)
        if values is None:
            return None
        name = values.get("name")
        if name is None:
            self.error(_join(path, "name"), MISSING_KEY, key="name")
            return None
        raw = values.get("choices", [])
        if not isinstance(raw, list):
            self.error(_join(path, "choices"), NOT_A_LIST)
            raw = []
        return ChoiceList(name, tuple(self._collect(f"{path}.choices", raw, self.choice)))

    def choice(self, data: Any, path: str) -> Choice | None:
        values = self._fields(data, {"code": "str", "label": "text", "attributes": "raw"}, path)
        if values is None or "code" not in values:
            if values is not None:
                self.error(_join(path, "code"), MISSING_KEY, key="code")
            return None
        attributes = self.text(values.get("attributes", {}), _join(path, "attributes"))
        return Choice(values["code"], values.get("label", {}), attributes)

    def value(self, value: Any, kind: str, path: str) -> Any:
        readers: dict[str, Callable[[Any, str], Any]] = {
            "str": self.string, "text": self.text, "bool": self.boolean, "count": self.count,
            "number": self.number, "codes": self.codes, "type": self.item_type,
            "rows": self.rows, "raw": lambda v, p: v,
        }  # fmt: skip
        return readers[kind](value, path)

    def string(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(path, NOT_TEXT)
            return None
        return value.strip() or None

    def text(self, value: Any, path: str) -> dict[str, str]:
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            self.error(path, NOT_TRANSLATIONS, example='{"zh-hans": "…", "en": "…"}')
            return {}
        # Line ends are unified because .xlsx (XML) cannot keep a bare "\r" anyway.
        cleaned = {k: _newlines(v).strip() for k, v in value.items()}
        return {k: cleaned[k] for k in sorted(cleaned) if cleaned[k]}

    def boolean(self, value: Any, path: str) -> bool | None:
        if not isinstance(value, bool):
            self.error(path, NOT_BOOL)
            return None
        return value

    def count(self, value: Any, path: str) -> int | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.error(path, NOT_COUNT)
            return None
        return value

    def number(self, value: Any, path: str) -> int | float | None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.error(path, NOT_NUMBER)
            return None
        return canonical_number(value)

    def codes(self, value: Any, path: str) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            self.error(path, NOT_A_LIST)
            return ()
        strings = [self.string(code, f"{path}[{i}]") for i, code in enumerate(value)]
        return tuple(code for code in strings if code)

    def item_type(self, value: Any, path: str) -> ItemType | None:
        try:
            return ItemType(value)
        except ValueError:
            allowed = ", ".join(t.value for t in ItemType)
            self.error(path, UNKNOWN_TYPE, kind="unknown_type", value=value, allowed=allowed)
            return None

    def rows(self, value: Any, path: str) -> tuple[MatrixRow, ...]:
        if not isinstance(value, list):
            self.error(path, NOT_A_LIST)
            return ()
        return tuple(self._collect(path, value, self.row))

    def row(self, data: Any, path: str) -> MatrixRow | None:
        values = self._fields(data, {"code": "str", "label": "text"}, path)
        if values is not None and "code" not in values:
            self.error(_join(path, "code"), MISSING_KEY, key="code")
        if values is None or "code" not in values:
            return None
        return MatrixRow(values["code"], values.get("label", {}))


def canonical_number(value: int | float) -> int | float:
    """Integral floats become ints, so 0 and 0.0 serialise (and checksum) identically."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
