from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from reports.models import Briefing

pytestmark = pytest.mark.django_db


def test_make_briefing_writes_the_pdf(wave, tmp_path, capsys):
    out = tmp_path / "briefing.pdf"
    call_command("make_briefing", wave=wave.code, lang="en", out=str(out))
    briefing = Briefing.objects.get()
    assert out.read_bytes() == briefing.pdf.read() and out.read_bytes().startswith(b"%PDF")
    assert briefing.language == "en" and briefing.created_by is None
    assert f"sha256 {briefing.content_hash}" in capsys.readouterr().out


def test_make_briefing_refusals(wave, settings):
    with pytest.raises(CommandError, match="No wave"):
        call_command("make_briefing", wave="NOPE")
    settings.BRIEFING_MIN_RESPONSES = 10_000
    with pytest.raises(CommandError, match="10000"):
        call_command("make_briefing", wave=wave.code)
    assert not Briefing.objects.exists()
