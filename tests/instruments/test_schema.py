"""Schema model, canonical JSON and definition validation (no Django)."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import pytest

from instruments.schema import (
    Instrument,
    InvalidDefinition,
    ItemType,
    load_definition,
    validate_instrument,
)


def zh_en(zh: str, en: str) -> dict[str, str]:
    return {"zh-hans": zh, "en": en}


def sample_definition() -> dict[str, Any]:
    """A small definition using every item type; other test modules import it."""
    return {
        "id": "sample",
        "version": "2026.1",
        "title": zh_en("样例问卷", "Sample"),
        "languages": ["zh-hans", "en"],
        "default_language": "zh-hans",
        "groups": [
            {"code": "A", "label": zh_en("基本情况", "Background"), "page": True},
            {"code": "B", "label": zh_en("工作", "Work"), "relevance": "${A2} >= 1950"},
        ],
        "items": [
            {"code": "A1", "type": "single", "label": zh_en("性别", "Sex"), "group": "A",
             "required": True, "choices": "sex"},
            {"code": "A2", "type": "year", "label": zh_en("出生年份", "Birth year"), "group": "A",
             "min_value": 1940, "max_value": 2008, "required": True},
            {"code": "A3", "type": "single", "label": zh_en("职称", "Title"), "group": "A",
             "choices": "title", "other_choice": "other", "randomize": True},
            {"code": "B1", "type": "integer", "label": zh_en("每周工作小时", "Weekly hours"),
             "group": "B", "min_value": 0, "max_value": 120, "unit": zh_en("小时", "hours"),
             "constraint": ". >= ${A2} - 2100",
             "constraint_message": zh_en("不合理", "Implausible")},
            {"code": "B2", "type": "decimal", "label": zh_en("科研时间占比", "Research share"),
             "group": "B", "min_value": 0, "max_value": 100.5, "hint": zh_en("百分比", "Percent")},
            {"code": "B3", "type": "multiple", "label": zh_en("压力来源", "Stress"), "group": "B",
             "choices": "stress", "min_choices": 1, "max_choices": 3, "exclusive": ["none"],
             "other_choice": "o"},
            {"code": "B4", "type": "likert", "label": zh_en("满意度", "Satisfaction"),
             "group": "B", "choices": "sat5", "relevance": "${B1} > 40"},
            {"code": "B5", "type": "matrix", "label": zh_en("评价", "Evaluation"), "group": "B",
             "choices": "sat5", "required": True,
             "rows": [{"code": "B5_r1", "label": zh_en("唯论文", "Papers only")},
                      {"code": "B5_r2", "label": zh_en("唯帽子", "Titles only")}]},
            {"code": "C1", "type": "ranking", "label": zh_en("排序", "Rank"), "choices": "stress",
             "max_choices": 2},
            {"code": "C2", "type": "text", "label": zh_en("意见", "Comments"), "long": True,
             "max_length": 2000, "relevance": "selected(${B3}, 'money')"},
            {"code": "C3", "type": "date", "label": zh_en("日期", "Date")},
            {"code": "C4", "type": "note", "label": zh_en("谢谢", "Thanks")},
        ],
        "choice_lists": [
            {"name": "sex", "choices": [{"code": "1", "label": zh_en("男", "Male")},
                                        {"code": "2", "label": zh_en("女", "Female")}]},
            {"name": "title", "choices": [{"code": "senior", "label": zh_en("正高", "Senior")},
                                          {"code": "none", "label": zh_en("无", "None")}]},
            {"name": "stress", "choices": [{"code": "money", "label": zh_en("经济", "Money")},
                                           {"code": "work", "label": zh_en("工作", "Work")},
                                           {"code": "o", "label": zh_en("其他", "Other")},
                                           {"code": "none", "label": zh_en("无", "None")}]},
            {"name": "sat5", "choices": [{"code": str(i), "label": zh_en(f"{i}级", f"Level {i}")}
                                         for i in range(1, 6)]},
        ],
    }  # fmt: skip


def sample() -> Instrument:
    instrument, issues = load_definition(sample_definition())
    assert issues == []
    assert instrument is not None
    return instrument


def issues_of(definition: dict[str, Any]) -> list[tuple[str | None, str]]:
    instrument, issues = load_definition(definition)
    assert instrument is None
    return [(issue.path, issue.kind) for issue in issues]


def test_sample_loads_with_every_item_type() -> None:
    instrument = sample()
    assert {item.type for item in instrument.items} == set(ItemType) - {ItemType.NOTE} | {
        ItemType.NOTE
    }
    assert instrument.item("B5").answer_codes == ("B5_r1", "B5_r2")
    assert instrument.item("B3").answer_codes == ("B3", "B3_other")
    assert instrument.item("C4").answer_codes == ()
    assert instrument.owner_of("B5_r2").code == "B5"
    assert instrument.choice_options(instrument.item("A3")) == ("senior", "none", "other")


def test_to_dict_is_json_and_round_trips() -> None:
    instrument = sample()
    data = instrument.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert Instrument.from_dict(data) == instrument
    assert Instrument.from_dict(data).to_dict() == data


def test_to_dict_key_order_is_stable_and_defaults_omitted() -> None:
    data = sample().to_dict()
    assert list(data) == ["schema", "id", "version", "title", "languages", "default_language",
                          "groups", "items", "choice_lists"]  # fmt: skip
    assert list(data["items"][0]) == ["code", "type", "label", "group", "required", "choices"]
    assert "hint" not in data["items"][0]
    assert data["items"][3]["min_value"] == 0  # a real bound is not a default


def test_checksum_is_sha256_of_canonical_json_and_ignores_key_order() -> None:
    instrument = sample()
    reordered = sample_definition()
    reordered["items"][0] = dict(reversed(list(reordered["items"][0].items())))
    again, _ = load_definition(reordered)
    assert again is not None
    assert len(instrument.checksum()) == 64
    assert again.checksum() == instrument.checksum()
    changed = sample_definition()
    changed["items"][0]["label"]["en"] = "Gender"
    other, _ = load_definition(changed)
    assert other is not None and other.checksum() != instrument.checksum()


def test_integral_float_bounds_are_canonical() -> None:
    definition = sample_definition()
    definition["items"][3]["max_value"] = 120.0
    instrument, _ = load_definition(definition)
    assert instrument is not None
    assert instrument.checksum() == sample().checksum()


def test_texts_are_stripped_and_empty_translations_dropped() -> None:
    definition = sample_definition()
    definition["items"][4]["hint"] = {"zh-hans": "  百分比 ", "en": "Percent"}
    instrument, _ = load_definition(definition)
    assert instrument is not None and instrument.item("B2").hint["zh-hans"] == "百分比"


def test_from_dict_raises_with_issues_on_structural_errors() -> None:
    definition = sample_definition()
    definition["items"][0]["type"] = "dropdown"
    with pytest.raises(InvalidDefinition) as caught:
        Instrument.from_dict(definition)
    assert caught.value.issues[0].path == "items[0].type"


def test_pages_group_page_items_and_split_the_rest() -> None:
    pages = sample().pages()
    assert [page.code for page in pages][:3] == ["A", "B1", "B2"]
    assert [item.code for item in pages[0].items] == ["A1", "A2", "A3"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["items"][1].update(code="A1"), ("items[1].code", "duplicate_code")),
        (lambda d: d["items"][1].update(code="1bad"), ("items[1].code", "bad_code")),
        (lambda d: d["items"][0].update(choices="nope"), ("items[0].choices", "unknown_list")),
        (lambda d: d["items"][0]["label"].pop("en"), ("items[0].label.en", "translation")),
        (lambda d: d["items"][4]["hint"].pop("zh-hans"), ("items[4].hint.zh-hans", "translation")),
        (lambda d: d["choice_lists"][0]["choices"][1]["label"].pop("zh-hans"),
         ("choice_lists[0].choices[1].label.zh-hans", "translation")),
        (lambda d: d["items"][7]["rows"][1]["label"].pop("en"),
         ("items[7].rows[1].label.en", "translation")),
        (lambda d: d["title"].pop("en"), ("title.en", "translation")),
        (lambda d: d["items"][1].update(min_value=2010), ("items[1].min_value", "min_max")),
        (lambda d: d["items"][5].update(min_choices=4), ("items[5].min_choices", "min_max")),
        (lambda d: d["items"][5].update(exclusive=["zzz"]), ("items[5].exclusive[0]", "invalid")),
        (lambda d: d["items"][5].update(other_choice="zzz"), ("items[5].other_choice", "invalid")),
        (lambda d: d["items"][5].update(max_choices=9), ("items[5].max_choices", "invalid")),
        (lambda d: d["items"][3].update(choices="sex"), ("items[3].choices", "invalid")),
        (lambda d: d["items"][6].update(randomize=True), ("items[6].randomize", "invalid")),
        (lambda d: d["items"][11].update(required=True), ("items[11].required", "invalid")),
        (lambda d: d["items"][1].update(group="Z"), ("items[1].group", "invalid")),
        (lambda d: d["items"][5].update(group="A"), ("items[3].group", "invalid")),
        (lambda d: d["items"][3].update(other_choice="x"), ("items[3].other_choice", "invalid")),
        (lambda d: d["items"][9].update(code="B3_other"),
         ("items[5].other_choice", "duplicate_code")),
        (lambda d: d["items"][7].update(rows=[]), ("items[7].rows", "invalid")),
        (lambda d: d.update(default_language="fr"), ("default_language", "invalid")),
        (lambda d: d.update(languages=["zh-hans", "en", "en"]), ("languages[2]", "invalid")),
        (lambda d: d["items"][0].update(colour="red"), ("items[0].colour", "structure")),
        (lambda d: d["items"][0].update(required="yes"), ("items[0].required", "structure")),
        (lambda d: d["items"][0]["label"].update(fr="Sexe"), ("items[0].label.fr", "translation")),
        (lambda d: d["items"][0]["label"].update(en="Sex\x07"), ("items[0].label.en", "invalid")),
        (lambda d: d["groups"].append({"code": "Z"}), ("groups[2].code", "empty_group")),
        (lambda d: d["groups"][1].update(parent="B"), ("groups[1].parent", "invalid")),
    ],
)  # fmt: skip
def test_each_definition_error_is_reported_with_its_path(
    mutate: Any, expected: tuple[str, str]
) -> None:
    definition = sample_definition()
    mutate(definition)
    assert expected in issues_of(definition)


def test_all_errors_are_reported_together() -> None:
    definition = sample_definition()
    definition["items"][1]["code"] = "A1"
    definition["items"][0]["choices"] = "nope"
    definition["items"][9]["relevance"] = "${ZZ} = 1"
    found = issues_of(definition)
    assert ("items[1].code", "duplicate_code") in found
    assert ("items[0].choices", "unknown_list") in found
    assert ("items[9].relevance", "unknown_reference") in found


def test_paths_index_the_input_even_when_an_item_is_skipped() -> None:
    definition = sample_definition()
    del definition["items"][0]["code"]  # item 0 cannot be built at all
    definition["items"][2]["choices"] = "nope"
    found = issues_of(definition)
    assert ("items[0].code", "structure") in found
    assert ("items[2].choices", "unknown_list") in found


def test_programmatic_instrument_can_be_validated() -> None:
    instrument = sample()
    broken = replace(instrument, languages=("zh-hans", "en", "fr"))
    kinds = {issue.kind for issue in validate_instrument(broken)}
    assert kinds == {"translation"}


def test_rendered_issue_names_its_location() -> None:
    definition = copy.deepcopy(sample_definition())
    definition["items"][1]["code"] = "A1"
    _, issues = load_definition(definition)
    assert (
        str(issues[0])
        == "items[1].code: The code 'A1' is already used earlier in the questionnaire"
    )
