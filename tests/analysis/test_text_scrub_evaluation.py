"""The scrubber's evaluator, and the scrubber's figures on the frozen evaluation set.

The set (``analysis/text/data/personal_data_eval.tsv``) was written and frozen before the
scrubber's rules were tuned; all its personal data is synthetic.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from analysis.text.scrub import ScrubResult, Span
from analysis.text.scrub_evaluation import EvalAnswer, evaluate, read_eval_set


def _mask_first(text: str, units: Iterable[str] = ()) -> ScrubResult:
    """A toy scrubber: replaces the first four characters."""
    return ScrubResult("#" + text[4:], ("name",), (Span(0, min(4, len(text)), "name"),))


def test_the_evaluator_counts_caught_strings_and_removed_characters() -> None:
    rows = [
        EvalAnswer("王建军说了算，王建军", (("name", "王建军"),)),  # 2nd place unmasked
        EvalAnswer("李红说不行", (("name", "李红"),)),  # caught, 2 extra characters masked
        EvalAnswer("没有问题", ()),  # 4 non-personal characters masked
    ]
    result = evaluate(rows, _mask_first)
    assert result.strings == {"name": 2} and result.caught == {"name": 1}
    assert result.recall == result.name_recall == 0.5
    assert result.kind_recall("phone") == 1.0
    # outside the labels: 说了算， (4) + 说不行 (3) + 没有问题 (4); masked: 1 + 2 + 4
    assert (result.nonpersonal_chars, result.nonpersonal_removed_chars) == (11, 7)
    assert [m.value for m in result.misses] == ["王建军"]
    assert [m.value for m in result.over_masked] == ["说", "说不", "没有问题"]
    assert result.answers == 3 and result.clean_answers == 1
    assert "recall 50.0 %" in result.report()


def test_reading_rejects_a_span_not_in_its_text(tmp_path: Path) -> None:
    path = tmp_path / "set.tsv"
    path.write_text("# comment\ntext\tspans\n联系王主任\tname=王主任\n", "utf-8")
    assert read_eval_set(path) == [EvalAnswer("联系王主任", (("name", "王主任"),), 3)]
    path.write_text("text\tspans\n联系王主任\tname=李主任\n", "utf-8")
    with pytest.raises(ValueError, match="line 2"):
        read_eval_set(path)


def test_the_frozen_set_is_as_large_as_promised() -> None:
    rows = read_eval_set()
    with_data = [r for r in rows if r.spans]
    assert len(with_data) >= 300 and len(rows) - len(with_data) >= 80
    assert sum(len(r.spans) for r in rows) >= 300
    assert all(20 <= len(r.text) <= 150 for r in rows)


def test_the_scrubber_meets_its_goals_on_the_frozen_set() -> None:
    """At least 98% of the personal-data strings and 95% of the person names wholly
    masked, at most 2% of the other characters removed."""
    result = evaluate()
    print("\n" + result.report())
    misses = [(m.kind, m.value) for m in result.misses]
    assert result.recall >= 0.98, misses
    assert result.name_recall >= 0.95, misses
    assert result.nonpersonal_removed <= 0.02, [m.value for m in result.over_masked]
