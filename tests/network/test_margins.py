from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from survey_platform.network.models import PopulationMargin, margin_levels


def test_margin_levels(db):
    assert margin_levels("sex") == ["F", "M"]
    assert "341181" in margin_levels("region") and "341100" not in margin_levels("region")
    assert "health" in margin_levels("sector")


def test_margin_with_unknown_level_is_refused(db):
    margin = PopulationMargin(reference_year=2026, dimension="sex", level="X", total=5)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        margin.full_clean()
    assert "不是该维度的取值" in str(err.value)
