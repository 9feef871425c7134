"""Structured diff between instrument versions and the comparability verdict."""

from __future__ import annotations

from typing import Any

from instruments.diff import ChangeKind, breaking_changes, diff_instruments
from instruments.schema import Instrument, load_definition
from tests.instruments.test_schema import sample, sample_definition


def changed(mutate: Any) -> list[tuple[ChangeKind, str, bool]]:
    definition = sample_definition()
    mutate(definition)
    new, issues = load_definition(definition)
    assert new is not None, issues
    return [(c.kind, c.code, c.breaks_comparability) for c in diff_instruments(sample(), new)]


def test_identical_versions_have_no_changes() -> None:
    assert diff_instruments(sample(), sample()) == []


def test_item_added_and_removed() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["items"].pop(10)  # C3
        d["items"].append(
            {"code": "C5", "type": "integer", "label": {"zh-hans": "新", "en": "New"}}
        )

    assert changed(mutate) == [
        (ChangeKind.ITEM_REMOVED, "C3", True),
        (ChangeKind.ITEM_ADDED, "C5", False),
    ]


def test_wording_breaks_but_hint_does_not() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["items"][4]["label"]["en"] = "Share of research time"
        d["items"][4]["hint"]["zh-hans"] = "按百分比填写"

    changes = diff_instruments(sample(), _load(mutate))
    assert [(c.kind, c.language, c.breaks_comparability) for c in changes] == [
        (ChangeKind.WORDING_CHANGED, "en", True),
        (ChangeKind.HINT_CHANGED, "zh-hans", False),
    ]
    assert str(changes[0]) == "B2: question wording changed (en)"


def test_type_change_breaks() -> None:
    found = changed(lambda d: d["items"][4].update(type="integer", max_value=100))
    assert (ChangeKind.TYPE_CHANGED, "B2", True) in found
    assert (ChangeKind.SETTING_CHANGED, "B2", False) in found  # the bound moved


def test_choice_changes_are_itemised() -> None:
    def mutate(d: dict[str, Any]) -> None:
        stress = d["choice_lists"][2]["choices"]
        stress[0]["label"]["zh-hans"] = "经济收入"
        stress.insert(1, {"code": "health", "label": {"zh-hans": "健康", "en": "Health"}})
        stress.pop()  # "none"
        d["items"][5]["exclusive"] = []

    found = [
        (c.kind, c.choice) for c in diff_instruments(sample(), _load(mutate)) if c.code == "B3"
    ]
    assert found == [
        (ChangeKind.CHOICE_REMOVED, "none"),
        (ChangeKind.CHOICE_RELABELLED, "money"),
        (ChangeKind.CHOICE_ADDED, "health"),
        (ChangeKind.SETTING_CHANGED, None),
    ]
    assert all(c.breaks_comparability for c in breaking_changes(sample(), _load(mutate)))


def test_reordering_and_renaming_a_list_are_not_breaking() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["choice_lists"][0]["choices"].reverse()
        d["choice_lists"][0]["name"] = "gender"
        d["items"][0]["choices"] = "gender"

    assert changed(mutate) == [(ChangeKind.CHOICES_REORDERED, "A1", False)]


def test_logic_and_required_changes_are_listed_but_not_breaking() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["items"][6]["relevance"] = "${B1} > 50"
        d["items"][4]["required"] = True

    changes = diff_instruments(sample(), _load(mutate))
    assert [(c.kind, c.code, c.breaks_comparability) for c in changes] == [
        (ChangeKind.REQUIRED_CHANGED, "B2", False),
        (ChangeKind.LOGIC_CHANGED, "B4", False),
    ]
    assert str(changes[1]) == "B4: relevance changed from '${B1} > 40' to '${B1} > 50'"


def test_unit_and_selection_limits_break() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["items"][3]["unit"] = {"zh-hans": "分钟", "en": "minutes"}
        d["items"][5]["max_choices"] = 2

    assert changed(mutate) == [
        (ChangeKind.SETTING_CHANGED, "B1", True),
        (ChangeKind.SETTING_CHANGED, "B3", True),
    ]


def test_matrix_rows() -> None:
    def mutate(d: dict[str, Any]) -> None:
        rows = d["items"][7]["rows"]
        rows[0]["label"]["zh-hans"] = "唯论文倾向"
        rows.pop(1)
        rows.append({"code": "B5_r3", "label": {"zh-hans": "唯职称", "en": "Rank only"}})

    assert changed(mutate) == [
        (ChangeKind.ROW_REMOVED, "B5", True),
        (ChangeKind.ROW_RELABELLED, "B5", True),
        (ChangeKind.ROW_ADDED, "B5", False),
    ]


def _load(mutate: Any) -> Instrument:
    definition = sample_definition()
    mutate(definition)
    instrument, issues = load_definition(definition)
    assert instrument is not None, issues
    return instrument
