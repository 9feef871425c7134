"""The content builder: findings with numbers, CIs and n; quotes; recommendations from
the taxonomy; trend comparability; the wording tables of both editions."""

from __future__ import annotations

import string
from dataclasses import replace
from datetime import date

import pytest

from analysis.grievances import load_taxonomy
from reports.content import build_content
from reports.content_sections import short_label
from reports.inputs import briefing_inputs, rule_items, trend_from_tables
from reports.phrases import EN, ZH
from reports.services import parse_recipients
from reports.sparkline import sparkline
from survey_platform.core.errors import ValidationFailed
from survey_platform.fieldwork.grievances import wave_grievance_table

from .helpers import PHONE


def test_both_editions_have_the_same_sentences_and_slots():
    assert set(ZH) == set(EN)
    fields = string.Formatter()
    for key in ZH:
        zh = {f for _t, f, _s, _c in fields.parse(ZH[key]) if f}
        en = {f for _t, f, _s, _c in fields.parse(EN[key]) if f}
        # the English date and group phrases need two more slots (month names, lower case)
        assert {f.split(".")[0] for f in zh} <= {f.split(".")[0] for f in en} | {"label"}, key


def test_short_labels():
    assert short_label("考核评价体系不合理（唯论文、唯帽子）") == "考核评价体系不合理"
    assert short_label("Unreasonable evaluation (papers only)") == "Unreasonable evaluation"


def test_sparkline_skips_gaps():
    line = sparkline([0.2, None, 0.4])
    assert line is not None and line.count == 2 and len(line.points.split()) == 2
    assert sparkline([None, None]) is None
    assert sparkline([0.3]).points.count(",") == 1


def test_recipients_are_checked():
    assert parse_recipients("a@example.cn\nb@example.cn, a@example.cn") == [
        "a@example.cn",
        "b@example.cn",
    ]
    with pytest.raises(ValidationFailed):
        parse_recipients("a@example.cn, nobody")
    with pytest.raises(ValidationFailed):
        parse_recipients("  ")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_content_of_a_wave(wave, language):
    inputs = briefing_inputs(wave)
    c = build_content(
        inputs, number=7, language=language, issued=date(2026, 12, 1), issuer="某市科协"
    )
    table = inputs.table
    assert 3 <= len(c.findings) <= 5
    for f in c.findings:
        assert f.value and f.n, f
        assert ("95%置信区间" if language == "zh-hans" else "95% CI") in f.text, f.text
    top = table.ranked[0]
    assert c.findings[0].code == top.code and c.findings[0].value == f"{100 * top.prevalence:.1f}%"
    assert 3 <= len(c.quotes) <= 6 and all(PHONE not in q.text for q in c.quotes)
    actions = {a.code: a for a in c.actions}
    assert 3 <= len(actions) <= 5
    for code, a in actions.items():
        assert a.action == table.row(code).suggested_action[language]
    assert any(str(table.k) in p for p in c.method)
    assert c.trend is not None and c.trend.waves == [wave.previous.code, wave.code]
    assert c.summary["top"][0]["code"] == top.code
    assert c.words["issue"] == ("第7期" if language == "zh-hans" else "No. 7")


@pytest.mark.django_db
def test_trend_keeps_only_comparable_points(wave):
    tax = load_taxonomy()
    current = wave_grievance_table(wave)
    before = wave_grievance_table(wave.previous)
    code = current.ranked[0].code
    item = sorted(rule_items(tax, code))[0]
    quick = replace(before, wave="QUICK", missing_items=(item,))
    waves, trend = trend_from_tables([before, quick, current], tax)
    assert waves == (before.wave, "QUICK", current.wave)
    shares = [p.share for p in trend[code]]
    assert shares[0] is not None and shares[1] is None and shares[2] == current.ranked[0].prevalence


@pytest.mark.django_db
def test_characters_without_a_glyph_are_dropped_from_quotes():
    from reports.fonts import printable

    assert printable("报销太麻烦了👍 真的😭。") == "报销太麻烦了 真的。"
    assert printable("经费不足，请支持。") == "经费不足，请支持。"
