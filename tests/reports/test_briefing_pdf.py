"""The generated briefing: its numbers are the analysis' numbers, its fonts are embedded
CJK fonts, and every character in it has a real glyph in an embedded font."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from django.utils import translation

from analysis.table import PUBLISHED
from reports import services
from reports.models import Briefing, BriefingStatus
from survey_platform.fieldwork.dataset import wave_table_for
from survey_platform.fieldwork.grievances import wave_grievance_table
from survey_platform.jobs.models import JobStatus

from .helpers import PHONE, embedded_fonts, glyph_drawn, pdf_text, pdffonts

pytestmark = pytest.mark.django_db


def generate(wave, office, language, capture):
    with capture(execute=True):
        job = services.briefing_generate(wave=wave, language=language, actor=office)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    return job, Briefing.objects.get(job=job)


def test_chinese_briefing_quotes_the_analysis(
    wave, office, tmp_path, django_capture_on_commit_callbacks
):
    job, briefing = generate(wave, office, "zh-hans", django_capture_on_commit_callbacks)
    data = briefing.pdf.read()
    assert hashlib.sha256(data).hexdigest() == briefing.content_hash == job.result_sha256
    assert briefing.status == BriefingStatus.DRAFT and briefing.version == 1
    assert briefing.number == 1 and briefing.previous_wave_id == wave.previous_id
    assert 6 <= briefing.page_count <= 12
    text = pdf_text(data)
    flat = "".join(text.split())

    table = wave_grievance_table(wave)
    top = table.ranked[0]
    for needle in (
        "科技工作者状况调查简报", "第1期", "内部资料", "核心发现", "共性诉求", "对策建议",
        "调查说明", "目录", f"{100 * top.prevalence:.1f}%",
        f"{100 * top.ci_l:.1f}%～{100 * top.ci_u:.1f}%",
        f"n＝{top.n}", top.label["zh-hans"].split("（")[0], top.suggested_action["zh-hans"][:20],
    ):  # fmt: skip
        assert "".join(needle.split()) in flat, needle
    for row in table.ranked:  # every ranked share is in the annex table
        assert f"{100 * row.prevalence:.1f}%" in flat, row.code
    hours = wave_table_for(wave)
    i = np.flatnonzero((hours.variable == "B1") & (hours.by == "") & (hours.flag == PUBLISHED))[0]
    assert f"{hours.estimate[i]:.1f}小时" in flat
    assert PHONE not in flat

    path = tmp_path / "b.pdf"
    path.write_bytes(data)
    fonts = pdffonts(str(path))
    assert fonts and all(f["emb"] == "yes" and f["uni"] == "yes" for f in fonts), fonts
    names = " ".join(f["name"] for f in fonts)
    assert "Noto-Serif-CJK-SC" in names and "Noto-Sans-CJK-SC" in names

    programs = embedded_fonts(data)
    assert set(programs) >= {f["name"] for f in fonts}
    missing = sorted(
        {ch for ch in text if not ch.isspace()}
        - {ch for ch in set(text) if any(glyph_drawn(f, ch) for f in programs.values())}
    )
    assert not missing, f"characters without a glyph in any embedded font: {missing}"


def test_english_edition(wave, office, django_capture_on_commit_callbacks):
    _job, briefing = generate(wave, office, "en", django_capture_on_commit_callbacks)
    text = pdf_text(briefing.pdf.read())
    flat = " ".join(text.split())
    top = wave_grievance_table(wave).ranked[0]
    for needle in ("Briefing on the Status of S&T Workers", "No. 1", "Key findings",
                   "Recommendations", "About the survey", f"{100 * top.prevalence:.1f}%",
                   f"n = {top.n}", top.policy_area["en"]):  # fmt: skip
        assert needle in flat, needle
    assert "核心发现" not in flat
    # the same issue: its English edition keeps the number
    assert briefing.number == 1 and briefing.language == "en"
    with translation.override("en"):
        assert str(briefing).startswith("Issue 1")
