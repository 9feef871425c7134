"""The simulator's parts without a database: population, open answers, personal data."""

from __future__ import annotations

import re

import numpy as np
import pytest

from survey_platform.demo.simulate import open_text, personal_data
from survey_platform.demo.simulate.model import reference_frames
from survey_platform.demo.simulate.population import (
    StationFrame,
    build_population,
    margin_counts,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
#: Mobile segments allocated to operators (MIIT), none of which may ever be produced.
ALLOCATED = re.compile(r"1(3\d|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8\d|9[0-35-9])\d{8}")


def test_population_is_deterministic_and_per_station():
    frames = reference_frames()
    first = build_population(frames)
    again = build_population(frames)
    assert np.array_equal(first.age, again.age) and np.array_equal(first.title, again.title)
    # A station's people depend on its name only, not on the other stations.
    alone = build_population([frames[3]])
    rows = first.station == 3
    assert np.array_equal(alone.age, first.age[rows])
    assert np.array_equal(alone.occupation, first.occupation[rows])


def test_margins_count_every_worker_once_even_when_expanded():
    frames = reference_frames()
    base = margin_counts(build_population(frames))
    total = sum(f.frame_size for f in frames)
    for dimension, levels in base.items():
        assert sum(levels.values()) == total, dimension
    expanded = build_population(frames, copies={0: 7, 5: 3})
    assert margin_counts(expanded) == base
    assert expanded.weight.sum() == pytest.approx(total)


def test_sector_profiles_differ_as_in_the_national_surveys():
    frames = [
        StationFrame("医院", "health", "341102", 3000),
        StationFrame("小企业", "sme", "341102", 3000),
        StationFrame("农技站", "agri_extension", "341102", 3000),
        StationFrame("高校", "university", "341102", 3000),
    ]
    pop = build_population(frames)

    def mean(values, i):
        return float(values[pop.station == i].mean())

    assert mean(pop.sex == 2, 0) > 0.55 > mean(pop.sex == 2, 1)  # hospitals: mostly women
    assert mean(pop.age, 1) < mean(pop.age, 3) < mean(pop.age, 2)  # SMEs young, agri old
    assert mean(pop.education >= 4, 3) > 0.7 > 0.15 > mean(pop.education >= 4, 2)
    assert mean(pop.title == 5, 1) > 3 * mean(pop.title == 5, 3)  # few titles in SMEs
    assert set(pop.occupation[pop.station == 0]) <= {"4", "1", "7", "99"}


def test_phrase_bank_has_several_hundred_sentences():
    sentences = open_text.distinct_sentences()
    assert len(sentences) >= 300
    assert all(CJK.search(s) for s in sentences)


def test_composed_answers_are_varied_chinese_without_personal_data():
    rng = np.random.default_rng(5)
    answers = [
        open_text.compose(
            rng, ["G01", "G13"], sector="health", young=i % 2 == 0, suggestion=i % 3 > 0
        )
        for i in range(4000)
    ]
    texts = [a.text for a in answers]
    assert len(set(texts)) > 1500
    for text in texts:
        assert text.encode("utf-8").decode("utf-8") == text and CJK.search(text)
        assert not personal_data.find_personal_data(text), text
    kinds = {a.kind for a in answers}
    assert kinds == {"substantive", "empty", "off_topic"}
    negations = [a for a in answers if a.negated]
    assert negations and all(set(a.negated).isdisjoint(a.topics) for a in negations)
    assert any(len(a.topics) == 2 for a in answers)
    lengths = [len(t) for t in texts]
    assert min(lengths) <= 2 and max(lengths) >= 60
    on_own = sum(bool(set(a.topics) & {"G01", "G13"}) for a in answers if a.topics)
    assert on_own > 0.8 * sum(bool(a.topics) for a in answers)


def test_negation_says_what_is_fine_and_what_is_not():
    rng = np.random.default_rng(1)
    found = None
    for _ in range(3000):
        answer = open_text.compose(rng, ["G02"], suggestion=False)
        if answer.negated == ("G01",) and answer.topics == ("G02",):
            found = answer.text
            break
    assert found is not None
    assert any(
        found.startswith(fine) for fine in ("经费还算充足", "项目经费基本够用", "经费方面问题不大")
    )


def test_personal_data_is_fictional_and_recognised():
    rng = np.random.default_rng(9)
    for _ in range(3000):
        sentence, kinds = personal_data.personal_sentence(rng)
        found = personal_data.find_personal_data(sentence)
        assert kinds <= set(found), (sentence, kinds, found)
        for phone in found.get("phone", []):
            assert personal_data.is_fictional_phone(phone), sentence
            assert not ALLOCATED.fullmatch(phone)
        for address in found.get("email", []):
            assert personal_data.is_fictional_email(address), sentence
        for number in found.get("id", []):
            assert not personal_data.id_checksum_ok(number), sentence


def test_identifier_generators():
    rng = np.random.default_rng(2)
    for _ in range(2000):
        number = personal_data.id_number(rng)
        assert re.fullmatch(r"\d{17}[\dX]", number)
        assert not personal_data.id_checksum_ok(number)
        assert personal_data.mobile(rng).replace(" ", "").replace("-", "")[-11:].startswith("15400")
        assert personal_data.email(rng).split("@")[1] in (
            "example.com",
            "example.net",
            "example.org",
        )
    # The checksum itself is right: a published sample number (GB 11643 annex) passes.
    assert personal_data.id_checksum_ok("11010519491231002X")
