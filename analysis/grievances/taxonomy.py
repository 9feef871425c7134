"""The grievance taxonomy: a versioned YAML file, validated on load, errors by line.

The packaged file (``data/taxonomy.yaml``) holds, per code G00–G16 (DESIGN.md §6): labels,
descriptions, policy area and suggested action in zh-hans and en; **rules** mapping closed
items of the questionnaire to the grievance; a Chinese **lexicon** (plus optional regular
expressions) for open answers; ``ranked: false`` for codes listed but not ranked (G00).
A deployment may edit it (or pass its own file to :func:`load_taxonomy`).

Validation collects every problem with the line it is on (PyYAML node marks): YAML syntax,
unknown or duplicate codes, missing codes, unknown keys, missing or empty translations, a
rule on an unknown item or option, an unknown operator, a threshold of the wrong type (a
number for a numeric item, choice codes for a choice item), invalid regular expressions,
settings out of range. :func:`load_taxonomy` raises :class:`TaxonomyError` with all of
them; :func:`validate_taxonomy` returns them.

Rules (evaluated by :func:`closed_indicators`): a condition is

* ``{item: J1, chosen: [G01, ...]}`` — a multiple-choice item: one of the options chosen;
* ``{item: D1, op: in|not_in, value: ["4", "5"]}`` — a single-choice, likert or matrix-row
  column (``D2_r1``): the answer is (not) one of these choice codes;
* ``{item: G2, op: "<=", value: 1}`` — ordinal comparison of numeric choice codes;
* ``{item: B1, op: ">=", value: 60}`` — a numeric item (``== != < <= > >=``, or ``in``
  with a list of numbers);
* ``{all: [...]}`` / ``{any: [...]}`` — every / some condition holds (three-valued logic:
  a missing answer is unknown, ``all`` is false as soon as one part is false).

A code's top-level rules are alternative sources: the indicator is 1 when any holds, 0 when
none holds and at least one could be evaluated, and NaN (not determinable) when none could
be — an item skipped by routing does not make the whole code unknown when J1 was answered.
An item absent from the dataset (a quick survey without it) is unknown everywhere and
listed in ``missing_items``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from instruments.messages import Message, gettext_noop
from instruments.schema import Instrument

from ..codebook import Codebook, Kind, codebook_from_instrument
from ..dataset import Dataset
from ..errors import AnalysisError

__all__ = [
    "CODES",
    "LANGUAGES",
    "OPERATORS",
    "Condition",
    "Grievance",
    "Group",
    "RuleIndicators",
    "Settings",
    "Taxonomy",
    "TaxonomyError",
    "TaxonomyIssue",
    "closed_indicators",
    "load_taxonomy",
    "parse_taxonomy",
    "validate_taxonomy",
]

#: The fixed codes (DESIGN.md §6), in display order.
CODES: tuple[str, ...] = (*(f"G{i:02d}" for i in range(1, 17)), "G00")
LANGUAGES: tuple[str, ...] = ("zh-hans", "en")
OPERATORS: tuple[str, ...] = ("in", "not_in", "==", "!=", "<", "<=", ">", ">=")
_ORDINAL = ("<", "<=", ">", ">=")
_TEXT_FIELDS = ("label", "description", "policy_area", "suggested_action")
_CODE_KEYS = frozenset((*_TEXT_FIELDS, "rules", "lexicon", "patterns", "ranked"))
_TOP_KEYS = frozenset(("version", "instrument", "settings", "codes"))
_CODE_RE = re.compile(r"^G\d\d$")

Labels = Mapping[str, str]


# ------------------------------------------------------------------ model ----
@dataclass(frozen=True)
class Condition:
    """One closed-item test; ``op`` is ``chosen`` for a multiple-choice item."""

    item: str
    op: str
    value: tuple[Any, ...]
    line: int = 0


@dataclass(frozen=True)
class Group:
    """``all`` or ``any`` of several rules."""

    mode: str
    parts: tuple[Condition | Group, ...]
    line: int = 0


Rule = Condition | Group


@dataclass(frozen=True)
class Grievance:
    code: str
    label: Labels
    description: Labels
    policy_area: Labels
    suggested_action: Labels
    rules: tuple[Rule, ...] = ()
    lexicon: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    ranked: bool = True
    line: int = 0


@dataclass(frozen=True)
class Settings:
    """Deployment knobs of the grievance analysis (see the packaged file's comments)."""

    breadth_threshold: float = 0.20
    local_top: int = 5
    common_breadth: float = 0.50
    max_codes_per_answer: int = 3
    quotes_per_code: int = 3


_SETTINGS: dict[str, tuple[type, float, float]] = {
    "breadth_threshold": (float, 0.0, 1.0),
    "local_top": (int, 1, 16),
    "common_breadth": (float, 0.0, 1.0),
    "max_codes_per_answer": (int, 1, 16),
    "quotes_per_code": (int, 0, 20),
}


@dataclass(frozen=True)
class Taxonomy:
    version: str
    grievances: tuple[Grievance, ...]
    settings: Settings = field(default_factory=Settings)
    instrument: str = ""
    source: str = ""
    fingerprint: str = ""

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(g.code for g in self.grievances)

    @property
    def ranked_codes(self) -> tuple[str, ...]:
        return tuple(g.code for g in self.grievances if g.ranked)

    def __getitem__(self, code: str) -> Grievance:
        for g in self.grievances:
            if g.code == code:
                return g
        raise AnalysisError(gettext_noop("Unknown grievance code {code}."), code=code)

    def lexicon(self) -> dict[str, tuple[str, ...]]:
        return {g.code: g.lexicon for g in self.grievances if g.lexicon}

    def patterns(self) -> dict[str, tuple[str, ...]]:
        return {g.code: g.patterns for g in self.grievances if g.patterns}


@dataclass(frozen=True)
class TaxonomyIssue:
    """One problem in a taxonomy file, with its 1-based line (0: the file as a whole)."""

    line: int
    message: Message

    def render(self, translate: Any = None) -> str:
        text = self.message.render(translate) if translate else self.message.render()
        return f"line {self.line}: {text}" if self.line else text


class TaxonomyError(AnalysisError):
    """The taxonomy file is invalid; ``issues`` lists every problem with its line."""

    def __init__(self, source: str, issues: Sequence[TaxonomyIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__(
            gettext_noop("The grievance taxonomy {source} is invalid: {details}"),
            source=source,
            details="; ".join(i.render() for i in self.issues),
        )


# ------------------------------------------------------------------ loading ----
DEFAULT_FILE = "taxonomy.yaml"


def default_path() -> Path:
    return Path(str(resources.files("analysis.grievances").joinpath("data", DEFAULT_FILE)))


def load_taxonomy(
    path: str | Path | None = None, *, instrument: Instrument | None = None
) -> Taxonomy:
    """Read and validate a taxonomy file (default: the packaged one, cached).

    Rules are checked against ``instrument`` (default: the standard questionnaire)."""
    if path is None and instrument is None:
        return _default_taxonomy()
    p = Path(path) if path is not None else default_path()
    try:
        text = p.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AnalysisError(
            gettext_noop("Cannot read the grievance taxonomy {path}: {error}"),
            path=str(p),
            error=str(exc),
        ) from None
    return parse_taxonomy(text, source=str(p), instrument=instrument)


@cache
def _default_taxonomy() -> Taxonomy:
    p = default_path()
    return parse_taxonomy(p.read_text("utf-8"), source=str(p))


def parse_taxonomy(
    text: str, *, source: str = "<string>", instrument: Instrument | None = None
) -> Taxonomy:
    """A taxonomy from YAML text; raises :class:`TaxonomyError` listing every issue."""
    tax, issues = _parse(text, source, instrument)
    if issues or tax is None:
        raise TaxonomyError(source, issues)
    return tax


def validate_taxonomy(
    text: str, *, source: str = "<string>", instrument: Instrument | None = None
) -> list[TaxonomyIssue]:
    """Every problem of a taxonomy text (empty: valid)."""
    return _parse(text, source, instrument)[1]


def _parse(
    text: str, source: str, instrument: Instrument | None
) -> tuple[Taxonomy | None, list[TaxonomyIssue]]:
    if instrument is None:
        from instruments.standard import load_standard

        instrument = load_standard()
    reader = _Reader(codebook_from_instrument(instrument))
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            tax = reader.taxonomy(root, loader, source) if root is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        reader.add(line, gettext_noop("YAML syntax error: {problem}"), problem=exc.problem or "")
        return None, reader.issues
    except yaml.YAMLError as exc:
        reader.add(0, gettext_noop("YAML syntax error: {problem}"), problem=str(exc))
        return None, reader.issues
    if root is None:
        reader.add(0, gettext_noop("The file is empty."))
        return None, reader.issues
    if tax is not None:
        digest = hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()
        tax = Taxonomy(tax.version, tax.grievances, tax.settings, tax.instrument, source, digest)
    return (tax if not reader.issues else None), reader.issues


class _Reader:
    """Walks the YAML node tree, building the taxonomy and collecting issues."""

    def __init__(self, book: Codebook) -> None:
        self.book = book
        self.issues: list[TaxonomyIssue] = []
        self.multi: dict[str, tuple[str, ...]] = {}
        for v in book.items():
            if v.kind is Kind.MULTI and v.item and v.option is not None:
                self.multi[v.item] = (*self.multi.get(v.item, ()), v.option)
        self.loader: Any = None

    def add(self, line: int, msgid: str, **params: Any) -> None:
        self.issues.append(TaxonomyIssue(line, Message(msgid, params)))

    @staticmethod
    def line(node: yaml.Node) -> int:
        return node.start_mark.line + 1

    def scalar(self, node: yaml.Node) -> Any:
        return self.loader.construct_object(node, deep=True)

    def mapping(self, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node, int]] | None:
        if not isinstance(node, yaml.MappingNode):
            self.add(self.line(node), gettext_noop("{what} must be a mapping."), what=what)
            return None
        out: list[tuple[str, yaml.Node, int]] = []
        seen: dict[str, int] = {}
        for k, v in node.value:
            key = self.scalar(k) if isinstance(k, yaml.ScalarNode) else None
            if not isinstance(key, str | int):
                self.add(
                    self.line(k), gettext_noop("{what} has a key that is not a name."), what=what
                )
                continue
            key = str(key)
            if key in seen:
                self.add(
                    self.line(k),
                    gettext_noop("{key} appears twice in {what} (first on line {first})."),
                    key=key,
                    what=what,
                    first=seen[key],
                )
                continue
            seen[key] = self.line(k)
            out.append((key, v, self.line(k)))
        return out

    # --------------------------------------------------------------- top level ----
    def taxonomy(self, root: yaml.Node, loader: Any, source: str) -> Taxonomy | None:
        self.loader = loader
        entries = self.mapping(root, "The taxonomy")
        if entries is None:
            return None
        top = {k: (v, ln) for k, v, ln in entries}
        for key, _, ln in entries:
            if key not in _TOP_KEYS:
                self.add(
                    ln,
                    gettext_noop("Unknown key {key} (expected {expected})."),
                    key=key,
                    expected=", ".join(sorted(_TOP_KEYS)),
                )
        version = ""
        if "version" not in top:
            self.add(1, gettext_noop("The taxonomy needs a version."))
        else:
            node, ln = top["version"]
            value = self.scalar(node) if isinstance(node, yaml.ScalarNode) else None
            if isinstance(value, bool) or not isinstance(value, str | int | float) or value == "":
                self.add(ln, gettext_noop("The version must be a number or a short text."))
            else:
                version = str(value)
        instrument = ""
        if "instrument" in top:
            node, ln = top["instrument"]
            value = self.scalar(node) if isinstance(node, yaml.ScalarNode) else None
            if not isinstance(value, str):
                self.add(ln, gettext_noop("instrument must be an instrument id."))
            else:
                instrument = value
        settings = self.settings(top["settings"][0]) if "settings" in top else Settings()
        grievances: list[Grievance] = []
        if "codes" not in top:
            self.add(1, gettext_noop("The taxonomy needs a codes section."))
        else:
            grievances = self.codes(*top["codes"])
        return Taxonomy(version, tuple(grievances), settings, instrument, source)

    def settings(self, node: yaml.Node) -> Settings:
        entries = self.mapping(node, "settings")
        values: dict[str, Any] = {}
        for key, v, ln in entries or ():
            if key not in _SETTINGS:
                self.add(
                    ln,
                    gettext_noop("Unknown setting {key} (expected {expected})."),
                    key=key,
                    expected=", ".join(_SETTINGS),
                )
                continue
            kind, lo, hi = _SETTINGS[key]
            value = self.scalar(v) if isinstance(v, yaml.ScalarNode) else None
            ok = (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and (kind is float or float(value).is_integer())
                and lo <= value <= hi
            )
            if not ok:
                self.add(
                    ln,
                    gettext_noop("Setting {key} must be a {kind} between {lo} and {hi}."),
                    key=key,
                    kind="whole number" if kind is int else "number",
                    lo=lo,
                    hi=hi,
                )
                continue
            values[key] = kind(value)
        return Settings(**values)

    def codes(self, node: yaml.Node, line: int) -> list[Grievance]:
        entries = self.mapping(node, "codes")
        if entries is None:
            return []
        found: dict[str, Grievance] = {}
        for code, v, ln in entries:
            if code not in CODES:
                hint = (
                    gettext_noop("Unknown grievance code {code}: the codes are fixed, G00–G16.")
                    if _CODE_RE.match(code)
                    else gettext_noop("Unknown grievance code {code}: codes look like G01.")
                )
                self.add(ln, hint, code=code)
                continue
            g = self.grievance(code, v, ln)
            if g is not None:
                found[code] = g
        missing = [c for c in CODES if c not in {k for k, _, _ in entries}]
        if missing:
            self.add(
                line,
                gettext_noop("The codes section lacks {codes}: every code G00–G16 is needed."),
                codes=", ".join(missing),
            )
        return [found[c] for c in CODES if c in found]

    # --------------------------------------------------------------- one code ----
    def grievance(self, code: str, node: yaml.Node, line: int) -> Grievance | None:
        entries = self.mapping(node, code)
        if entries is None:
            return None
        fields = {k: (v, ln) for k, v, ln in entries}
        for key, _, ln in entries:
            if key not in _CODE_KEYS:
                self.add(
                    ln,
                    gettext_noop("Unknown key {key} in {code} (expected {expected})."),
                    key=key,
                    code=code,
                    expected=", ".join(sorted(_CODE_KEYS)),
                )
        texts: dict[str, dict[str, str]] = {}
        for name in _TEXT_FIELDS:
            if name not in fields:
                self.add(line, gettext_noop("{code} has no {field}."), code=code, field=name)
                texts[name] = {}
                continue
            texts[name] = self.translations(code, name, *fields[name])
        rules: list[Rule] = []
        if "rules" in fields:
            rnode, rln = fields["rules"]
            if not isinstance(rnode, yaml.SequenceNode):
                self.add(rln, gettext_noop("rules of {code} must be a list."), code=code)
            else:
                for item in rnode.value:
                    rule = self.rule(code, item)
                    if rule is not None:
                        rules.append(rule)
        lexicon = self.words(code, "lexicon", fields.get("lexicon"))
        patterns = self.words(code, "patterns", fields.get("patterns"))
        for pat, pln in patterns:
            try:
                re.compile(pat)
            except re.error as exc:
                self.add(
                    pln,
                    gettext_noop("Invalid regular expression {pattern} in {code}: {error}."),
                    pattern=pat,
                    code=code,
                    error=str(exc),
                )
        ranked = True
        if "ranked" in fields:
            rnode, rln = fields["ranked"]
            value = self.scalar(rnode) if isinstance(rnode, yaml.ScalarNode) else None
            if not isinstance(value, bool):
                self.add(rln, gettext_noop("ranked must be true or false."))
            else:
                ranked = value
        return Grievance(
            code=code,
            label=texts["label"],
            description=texts["description"],
            policy_area=texts["policy_area"],
            suggested_action=texts["suggested_action"],
            rules=tuple(rules),
            lexicon=tuple(w for w, _ in lexicon),
            patterns=tuple(p for p, _ in patterns),
            ranked=ranked,
            line=line,
        )

    def translations(self, code: str, name: str, node: yaml.Node, line: int) -> dict[str, str]:
        entries = self.mapping(node, f"{name} of {code}")
        out: dict[str, str] = {}
        if entries is None:
            return out
        for lang, v, ln in entries:
            value = self.scalar(v) if isinstance(v, yaml.ScalarNode) else None
            if lang not in LANGUAGES:
                self.add(
                    ln,
                    gettext_noop(
                        "Unknown language {language} in {field} of {code} (use {expected})."
                    ),
                    language=lang,
                    field=name,
                    code=code,
                    expected=", ".join(LANGUAGES),
                )
            elif not isinstance(value, str) or not value.strip():
                self.add(
                    ln,
                    gettext_noop("Missing translation: {field} of {code} in {language} is empty."),
                    field=name,
                    code=code,
                    language=lang,
                )
            else:
                out[lang] = value.strip()
        for lang in LANGUAGES:
            if lang not in out and lang not in {k for k, _, _ in entries}:
                self.add(
                    line,
                    gettext_noop("Missing translation: {field} of {code} has no {language}."),
                    field=name,
                    code=code,
                    language=lang,
                )
        return out

    def words(
        self, code: str, name: str, entry: tuple[yaml.Node, int] | None
    ) -> list[tuple[str, int]]:
        if entry is None:
            return []
        node, line = entry
        if not isinstance(node, yaml.SequenceNode):
            self.add(line, gettext_noop("{field} of {code} must be a list."), field=name, code=code)
            return []
        out = []
        for item in node.value:
            value = self.scalar(item) if isinstance(item, yaml.ScalarNode) else None
            if (
                isinstance(value, bool)
                or not isinstance(value, str | int)
                or not str(value).strip()
            ):
                self.add(
                    self.line(item),
                    gettext_noop("Every entry of {field} of {code} must be a non-empty text."),
                    field=name,
                    code=code,
                )
                continue
            out.append((str(value).strip(), self.line(item)))
        return out

    # --------------------------------------------------------------- rules ----
    def rule(self, code: str, node: yaml.Node) -> Rule | None:
        ln = self.line(node)
        entries = self.mapping(node, f"a rule of {code}")
        if entries is None:
            return None
        keys = {k: (v, kl) for k, v, kl in entries}
        if set(keys) in ({"all"}, {"any"}):
            mode = next(iter(keys))
            sub, sln = keys[mode]
            if not isinstance(sub, yaml.SequenceNode) or not sub.value:
                self.add(sln, gettext_noop("{mode} needs a non-empty list of rules."), mode=mode)
                return None
            parts = [self.rule(code, s) for s in sub.value]
            if any(p is None for p in parts):
                return None
            return Group(mode, tuple(p for p in parts if p is not None), ln)
        allowed = ({"item", "chosen"}, {"item", "op", "value"})
        if set(keys) not in allowed:
            self.add(
                ln,
                gettext_noop(
                    "Bad rule in {code}: use {{item, chosen}}, {{item, op, value}}, "
                    "{{all: [...]}} or {{any: [...]}} (found {keys})."
                ),
                code=code,
                keys=", ".join(keys),
            )
            return None
        inode, iln = keys["item"]
        item = self.scalar(inode) if isinstance(inode, yaml.ScalarNode) else None
        if not isinstance(item, str):
            self.add(iln, gettext_noop("Bad rule in {code}: item must be an item code."), code=code)
            return None
        if "chosen" in keys:
            return self.chosen(code, item, iln, *keys["chosen"])
        onode, oln = keys["op"]
        op = self.scalar(onode) if isinstance(onode, yaml.ScalarNode) else None
        if op not in OPERATORS:
            self.add(
                oln,
                gettext_noop("Bad operator {op} in a rule of {code} (use one of {ops})."),
                op=str(op),
                code=code,
                ops=", ".join(OPERATORS),
            )
            return None
        vnode, vln = keys["value"]
        return self.comparison(code, item, iln, str(op), vnode, vln, ln)

    def chosen(
        self, code: str, item: str, iln: int, vnode: yaml.Node, vln: int
    ) -> Condition | None:
        if item not in self.multi:
            var = self.book.get(item)
            if var is None:
                self.add(
                    iln,
                    gettext_noop("Unknown item {item} in a rule of {code}."),
                    item=item,
                    code=code,
                )
            else:
                self.add(
                    iln,
                    gettext_noop("{item} is not a multiple-choice item: use op and value."),
                    item=item,
                )
            return None
        values = self.values(vnode)
        if values is None or not values:
            self.add(vln, gettext_noop("chosen needs a list of option codes."))
            return None
        options = self.multi[item]
        bad = [str(v) for v in values if str(v) not in options]
        if bad:
            self.add(
                vln,
                gettext_noop("Unknown option {options} of {item} (it has {expected})."),
                options=", ".join(bad),
                item=item,
                expected=", ".join(options),
            )
            return None
        return Condition(item, "chosen", tuple(str(v) for v in values), iln)

    def values(self, node: yaml.Node) -> list[Any] | None:
        if isinstance(node, yaml.SequenceNode):
            out = []
            for v in node.value:
                if not isinstance(v, yaml.ScalarNode):
                    return None
                out.append(self.scalar(v))
            return out
        if isinstance(node, yaml.ScalarNode):
            return [self.scalar(node)]
        return None

    def comparison(
        self,
        code: str,
        item: str,
        iln: int,
        op: str,
        vnode: yaml.Node,
        vln: int,
        line: int,
    ) -> Condition | None:
        var = self.book.get(item)
        if var is None or var.kind not in (Kind.CATEGORICAL, Kind.NUMERIC):
            if item in self.multi:
                self.add(
                    iln,
                    gettext_noop("{item} is a multiple-choice item: use chosen: [options]."),
                    item=item,
                )
            elif var is None and self.book.of_item(item):
                rows = ", ".join(v.code for v in self.book.of_item(item))
                self.add(
                    iln,
                    gettext_noop("{item} has several columns: name one of {columns}."),
                    item=item,
                    columns=rows,
                )
            else:
                self.add(
                    iln,
                    gettext_noop("Unknown item {item} in a rule of {code}."),
                    item=item,
                    code=code,
                )
            return None
        values = self.values(vnode)
        listy = isinstance(vnode, yaml.SequenceNode)
        if values is None or not values:
            self.add(vln, gettext_noop("The rule on {item} needs a value."), item=item)
            return None
        if op in ("in", "not_in") and not listy:
            values = values  # a single value is read as a one-element list
        elif op not in ("in", "not_in") and (listy or len(values) != 1):
            self.add(
                vln,
                gettext_noop("Operator {op} compares with one value, not a list."),
                op=op,
            )
            return None
        if var.kind is Kind.NUMERIC:
            if any(isinstance(v, bool) or not isinstance(v, int | float) for v in values):
                self.add(
                    vln,
                    gettext_noop(
                        "Threshold of the wrong type: {item} is a number item, so {value} must "
                        "be a number."
                    ),
                    item=item,
                    value=", ".join(repr(v) for v in values),
                )
                return None
            return Condition(item, op, tuple(float(v) for v in values), line)
        codes = var.level_codes
        if op in _ORDINAL:
            v = values[0]
            numeric = _number(v)
            if numeric is None:
                self.add(
                    vln,
                    gettext_noop(
                        "Threshold of the wrong type: {op} on {item} needs a numeric choice "
                        "code, not {value}."
                    ),
                    op=op,
                    item=item,
                    value=repr(v),
                )
                return None
            if not any(_number(c) is not None for c in codes):
                self.add(
                    iln,
                    gettext_noop("{item} has no numeric choice codes to compare with {op}."),
                    item=item,
                    op=op,
                )
                return None
            return Condition(item, op, (numeric,), line)
        bad = [v for v in values if isinstance(v, bool | float) or str(v) not in codes]
        if bad:
            self.add(
                vln,
                gettext_noop(
                    "Threshold of the wrong type or unknown choice code {value} for {item} "
                    "(its codes are {expected})."
                ),
                value=", ".join(repr(v) for v in bad),
                item=item,
                expected=", ".join(codes),
            )
            return None
        return Condition(item, op, tuple(str(v) for v in values), line)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------------ evaluation ----
@dataclass(frozen=True, eq=False)
class RuleIndicators:
    """Closed-item indicators: ``values`` (respondents x codes) 1/0, NaN = unknown."""

    codes: tuple[str, ...]
    values: np.ndarray
    missing_items: tuple[str, ...]


def closed_indicators(ds: Dataset, taxonomy: Taxonomy) -> RuleIndicators:
    """Evaluate every code's rules on the dataset (see the module doc)."""
    n = ds.n
    out = np.full((n, len(taxonomy.codes)), np.nan)
    missing: set[str] = set()
    for j, g in enumerate(taxonomy.grievances):
        hit = np.zeros(n, dtype=bool)
        known = np.zeros(n, dtype=bool)
        for rule in g.rules:
            t, k = _evaluate(rule, ds, missing)
            hit |= t
            known |= k
        out[:, j] = np.where(hit, 1.0, np.where(known, 0.0, np.nan))
    return RuleIndicators(taxonomy.codes, out, tuple(sorted(missing)))


def _evaluate(rule: Rule, ds: Dataset, missing: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """(true, known) per respondent; true implies known."""
    n = ds.n
    if isinstance(rule, Group):
        parts = [_evaluate(p, ds, missing) for p in rule.parts]
        if rule.mode == "all":
            true = np.logical_and.reduce([t for t, _ in parts])
            false = np.logical_or.reduce([k & ~t for t, k in parts])
        else:
            true = np.logical_or.reduce([t for t, _ in parts])
            false = np.logical_and.reduce([k & ~t for t, k in parts])
        return true, true | false
    book = ds.codebook
    if rule.op == "chosen":
        cols = [f"{rule.item}__{opt}" for opt in rule.value]
        present = [c for c in cols if c in ds.columns]
        if not present:
            missing.add(rule.item)
            return np.zeros(n, bool), np.zeros(n, bool)
        arrs = [ds[c] for c in present]
        known = arrs[0] >= 0
        true = np.logical_or.reduce([a == 1 for a in arrs])
        return true & known, known
    var = book.get(rule.item)
    if var is None or rule.item not in ds.columns:
        missing.add(rule.item)
        return np.zeros(n, bool), np.zeros(n, bool)
    col = ds[rule.item]
    if var.kind is Kind.NUMERIC:
        x = col.astype(np.float64)
        known = ~np.isnan(x)
        with np.errstate(invalid="ignore"):
            true = _compare(np.where(known, x, 0.0), rule.op, rule.value)
        return true & known, known
    codes = col.astype(np.int64)
    known = codes >= 0
    if rule.op in _ORDINAL:
        nums = np.array([_number(c) if _number(c) is not None else np.nan for c in var.level_codes])
        x = np.where(known, nums[np.maximum(codes, 0)] if nums.size else np.nan, np.nan)
        ok = ~np.isnan(x)
        true = np.zeros(n, dtype=bool)
        true[ok] = _compare(x[ok], rule.op, rule.value)
        return true & known, known
    member = np.array([c in rule.value for c in var.level_codes] + [False])
    inside = member[np.where(known, codes, len(var.level_codes))]
    true = inside if rule.op in ("in", "==") else ~inside
    return true & known, known


def _compare(x: np.ndarray, op: str, value: tuple[Any, ...]) -> np.ndarray:
    v = value[0]
    if op in ("in", "not_in"):
        inside = np.isin(x, np.asarray(value, dtype=np.float64))
        return inside if op == "in" else ~inside
    compared: dict[str, np.ndarray] = {
        "==": x == v,
        "!=": x != v,
        "<": x < v,
        "<=": x <= v,
        ">": x > v,
        ">=": x >= v,
    }
    return compared[op]
