"""The shipped standard questionnaire and quick-survey template."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from analysis.grievances.taxonomy import load_taxonomy
from instruments.schema import Instrument, ItemType, validate_instrument
from instruments.standard import QUICK_FILE, STANDARD_FILE, load_quick, load_standard
from instruments.validation import validate_answers, visible_items
from instruments.xlsform import read_xlsform, write_xlsform

SECTIONS = "ABCDEFGHIJK"
GRIEVANCE_CODES = [f"G{n:02d}" for n in range(1, 17)]


@pytest.fixture(scope="module")
def standard() -> Instrument:
    return load_standard()


@pytest.fixture(scope="module")
def quick() -> Instrument:
    return load_quick()


@pytest.mark.parametrize("path", [STANDARD_FILE, QUICK_FILE], ids=["standard", "quick"])
def test_workbook_validates_and_round_trips_unchanged(path: Path) -> None:
    instrument, issues = read_xlsform(path)
    assert issues == [], [str(i) for i in issues]
    assert instrument is not None and validate_instrument(instrument) == []
    back, issues = read_xlsform(write_xlsform(instrument))
    assert issues == [] and back is not None
    assert back.to_dict() == instrument.to_dict()


def test_metadata_and_languages(standard: Instrument) -> None:
    assert standard.title["zh-hans"] == "科技工作者状况调查问卷（标准版）"
    assert standard.languages == ("zh-hans", "en") and standard.default_language == "zh-hans"


def test_sections_a_to_k_with_at_least_60_items_and_stable_codes(standard: Instrument) -> None:
    assert [g.code for g in standard.groups if g.parent is None] == list(SECTIONS)
    assert len(standard.items) >= 60
    for item in standard.items:
        section = standard.ancestors(item.group)[-1].code
        assert re.fullmatch(rf"{section}\d+", item.code), item.code
    for item in standard.items:
        if item.type is ItemType.MATRIX:
            assert [row.code for row in item.rows] == [
                f"{item.code}_r{i}" for i in range(1, len(item.rows) + 1)
            ]


def options(instrument: Instrument, code: str) -> list[str]:
    item = instrument.item(code)
    assert item is not None
    choice_list = instrument.choice_list(item.choices)
    assert choice_list is not None
    return [choice.label["zh-hans"] for choice in choice_list.choices]


def test_background_items(standard: Instrument) -> None:
    assert options(standard, "A4") == ["正高级", "副高级", "中级", "初级", "无职称"]
    assert options(standard, "A8") == ["琅琊区", "南谯区", "天长市", "明光市", "来安县", "全椒县",
                                       "定远县", "凤阳县", "其他"]  # fmt: skip
    birth = standard.item("A2")
    assert birth is not None and birth.type is ItemType.YEAR
    hours = standard.item("B1")
    assert hours is not None and (hours.type, hours.min_value, hours.max_value) == (
        ItemType.INTEGER,
        0,
        120,
    )


def test_evaluation_matrix_and_satisfaction_scale(standard: Instrument) -> None:
    matrix = standard.item("D2")
    assert matrix is not None and matrix.type is ItemType.MATRIX
    assert [row.label["zh-hans"][:3] for row in matrix.rows] == [
        "唯论文",
        "唯帽子",
        "唯职称",
        "唯学历",
        "唯奖项",
    ]
    assert options(standard, "I1") == ["非常满意", "比较满意", "一般", "不太满意", "非常不满意"]
    stress = standard.item("G1")
    assert stress is not None and stress.max_choices == 3 and stress.exclusive == ("99",)


def test_funding_items_only_for_project_holders(standard: Instrument) -> None:
    funding = {"E2", "E3", "E4", "E5", "E6"}
    shown = {item.code for item in visible_items(standard, {"E1": "2"})}
    assert not funding & shown and "E7" in shown
    shown = {item.code for item in visible_items(standard, {"E1": "1"})}
    assert funding <= shown and "E7" not in shown


def test_j_lists_exactly_the_grievances_plus_other(standard: Instrument) -> None:
    j1 = standard.item("J1")
    assert j1 is not None and (j1.type, j1.max_choices, j1.other_choice) == (
        ItemType.MULTIPLE,
        3,
        "G00",
    )
    choice_list = standard.choice_list(j1.choices)
    assert choice_list is not None
    assert list(choice_list.codes) == [*GRIEVANCE_CODES, "G00"]
    assert j1.answer_codes == ("J1", "J1_other")


def test_j_labels_match_the_project_taxonomy(standard: Instrument) -> None:
    # The taxonomy file is the project's copy of the design's code table (DESIGN.md §6,
    # whose labels are Chinese); the questionnaire's J1 options must say the same. The
    # English wording of a few options is phrased for respondents and may differ, and the
    # taxonomy sets the quotation marks typographically (“帽子”) for the briefings' fonts.
    taxonomy = {g.code: g for g in load_taxonomy().grievances}
    j1 = standard.item("J1")
    assert j1 is not None
    choice_list = standard.choice_list(j1.choices)
    assert choice_list is not None
    labels = {c.code: c.label["zh-hans"] for c in choice_list.choices if c.code != "G00"}
    plain = str.maketrans({"“": '"', "”": '"'})
    expected = {code: taxonomy[code].label["zh-hans"].translate(plain) for code in GRIEVANCE_CODES}
    assert labels == expected


def test_open_questions_are_long_text(standard: Instrument) -> None:
    texts = [
        item for item in standard.items if item.code.startswith("K") and item.type is ItemType.TEXT
    ]
    assert texts and all(item.long for item in texts)


def complete_answers(instrument: Instrument) -> dict[str, Any]:
    """A plausible complete response: the first option, or a mid-range number."""
    answers: dict[str, Any] = {}
    for item in instrument.items:
        choice_list = instrument.choice_list(item.choices)
        first = choice_list.codes[0] if choice_list else None
        match item.type:
            case ItemType.SINGLE | ItemType.LIKERT:
                answers[item.code] = first
            case ItemType.MULTIPLE:
                answers[item.code] = [first]
            case ItemType.RANKING:
                answers[item.code] = (
                    list(choice_list.codes[: item.max_choices]) if choice_list else []
                )
            case ItemType.MATRIX:
                answers.update({row.code: first for row in item.rows})
            case ItemType.YEAR:
                answers[item.code] = 1985
            case ItemType.INTEGER | ItemType.DECIMAL:
                plausible = 2 if item.code in ("B3", "B4", "B5") else 40
                answers[item.code] = min(plausible, item.max_value or plausible)
            case ItemType.TEXT:
                answers[item.code] = "希望减少填表和报材料。"
    return answers


def test_a_complete_plausible_response_is_valid(standard: Instrument, quick: Instrument) -> None:
    assert validate_answers(standard, complete_answers(standard)) == {}
    assert validate_answers(quick, complete_answers(quick)) == {}
    too_busy = {**complete_answers(standard), "B3": 30, "B4": 30, "B5": 30}
    assert set(validate_answers(standard, too_busy)) == {"B5"}


def test_quick_survey_reuses_standard_codes(standard: Instrument, quick: Instrument) -> None:
    assert len(quick.items) <= 15
    for item in quick.items:
        if item.type is ItemType.NOTE:
            continue
        original = standard.item(item.code)
        assert original is not None, item.code
        assert {**original.__dict__, "group": None} == {**item.__dict__, "group": None}
        assert quick.choice_list(item.choices) == standard.choice_list(original.choices)
