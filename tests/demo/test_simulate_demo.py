"""The demo's simulated waves: what `make run` shows, and the truths behind them."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def truths():
    from survey_platform.demo.simulate import load_ground_truth
    from survey_platform.fieldwork.models import Wave

    return {w.code: load_ground_truth(w) for w in Wave.objects.all()}


# seed_demo takes a few seconds: the checks share one demo database.


def test_demo_waves_and_fieldwork(demo):
    check_two_closed_waves_and_an_open_one_with_partial_fieldwork(demo)
    check_seed_demo_twice_changes_nothing(demo)


def test_demo_ground_truth(demo):
    check_levels_anchored_on_national_findings()
    check_subgroup_differences()
    check_deliberate_trend_between_the_comprehensive_waves()
    check_margins_are_those_of_the_simulated_population()


def _printed_code(output: str) -> dict[str, str]:
    """The respondent link and short code seed_demo prints."""
    import re

    link = re.search(r"(?P<base>\S*)/a/(?P<token>[A-Za-z0-9_-]+)/", output)
    code = re.search(r"\b[A-Z0-9]{5}-[A-Z0-9]{5}\b", output)
    assert link and code, output
    return {**link.groupdict(), "code": code.group()}


def check_two_closed_waves_and_an_open_one_with_partial_fieldwork(demo):
    from survey_platform.demo.fieldwork import DEMO_HOST_FOR_LINK, DEMO_WAVE, demo_invitation
    from survey_platform.fieldwork.models import Response, StationQuota, Wave

    waves = {w.code: w for w in Wave.objects.all()}
    assert {c: (w.kind, w.status) for c, w in waves.items()} == {
        "2025-Q4": ("comprehensive", "closed"),
        "2026-Q2": ("quick", "closed"),
        DEMO_WAVE: ("comprehensive", "open"),
    }
    assert waves[DEMO_WAVE].previous == waves["2025-Q4"]
    assert waves["2025-Q4"].closes_at < waves["2026-Q2"].opens_at < waves[DEMO_WAVE].opens_at
    for code in ("2025-Q4", "2026-Q2"):
        completes = Response.objects.filter(wave=waves[code], status="complete").count()
        assert 1000 <= completes <= 5000, code
        assert not Response.objects.filter(wave=waves[code], submitted_at__gt=waves[code].closes_at)
    quotas = list(StationQuota.objects.filter(wave=waves[DEMO_WAVE]))
    done = sum(q.completes for q in quotas) / sum(q.target for q in quotas)
    assert 0.3 < done < 0.85
    lagging = [q for q in quotas if q.completes < 0.2 * q.target]
    assert 3 <= len(lagging) <= 15
    for quota in quotas:
        assert (
            quota.completes
            == Response.objects.filter(
                wave=quota.wave, station=quota.station, status="complete"
            ).count()
        )
    flagged = Response.objects.filter(wave=waves["2025-Q4"]).exclude(quality_flags=[]).count()
    assert flagged > 0
    # The printed link and code open the demo station's unanswered printed invitation.
    from survey_platform.fieldwork.codes import invitation_by_short_code, invitation_by_token

    printed = _printed_code(demo)
    invitation = invitation_by_token(printed["token"])
    assert invitation is not None and invitation_by_short_code(printed["code"]) == invitation
    assert invitation.state == "sent" and invitation.channel == "print"
    assert invitation.station.host_institution == DEMO_HOST_FOR_LINK
    # Each call gives that invitation a fresh code, replacing the one printed before.
    code = demo_invitation(waves[DEMO_WAVE])
    assert code.invitation == invitation and code.token != printed["token"]
    assert invitation_by_token(code.token) == invitation
    assert invitation_by_token(printed["token"]) is None
    assert waves[DEMO_WAVE].invitations.filter(state="completed").exists()


def check_seed_demo_twice_changes_nothing(demo):
    from survey_platform.fieldwork.models import Invitation, Response, StationQuota, Wave

    def state():
        return (
            list(Wave.objects.order_by("pk").values_list("pk", "status", "opens_at", "closes_at")),
            Response.objects.count(),
            list(StationQuota.objects.order_by("pk").values_list("target", "completes")),
            Invitation.objects.count(),
        )

    before = state()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert state() == before
    # A working respondent link is printed again: a new code each run.
    first, again = _printed_code(demo), _printed_code(out.getvalue())
    assert again["base"] == first["base"] and again["token"] != first["token"]
    assert "0 waves, 0 briefings created" in out.getvalue()


def check_levels_anchored_on_national_findings():
    truth = truths()["2025-Q4"]
    indicators = {k: v["overall"] for k, v in truth["indicators"].items()}
    assert 46 <= indicators["hours_mean"] <= 50
    assert 30 <= indicators["research_share_mean"] <= 37  # about a third on research
    assert 0.40 <= indicators["evaluation_unfit_share"] <= 0.50
    assert 0.28 <= indicators["money_pressure_share"] <= 0.40
    assert truth["grievance_ranking"][0] == "G01"  # funding: the most frequent complaint
    for spec in ("B1", "D1", "C3", "J1:G01", "J1:G04"):
        assert 0.02 <= truth["icc"][spec] <= 0.10, spec


def check_subgroup_differences():
    truth = truths()["2025-Q4"]
    g = truth["grievances"]
    for code in ("G07", "G09", "G13"):
        young = g[code]["by_age_group"]["lt35"]
        assert young > 1.2 * g[code]["by_age_group"]["45-54"], code
    hours = truth["indicators"]["hours_mean"]["by_sector"]
    assert hours["health"] > max(v for k, v in hours.items() if k != "health")
    for sector in ("large_enterprise", "sme", "park"):
        assert g["G12"]["by_sector"][sector] > 2 * g["G12"]["by_sector"]["university"]
    for code in ("G10", "G15"):
        assert g[code]["by_sector"]["agri_extension"] > 1.8 * g[code]["overall"], code


def check_deliberate_trend_between_the_comprehensive_waves():
    found = truths()
    # In the grievance indicator (J1, closed-item rules, open answers) and in J1 alone.
    for key, clearly in (("grievance_indicators", 0.09), ("grievances", 0.06)):
        before, after = found["2025-Q4"][key], found["2026-Q4"][key]
        change = {code: after[code]["overall"] - before[code]["overall"] for code in before}
        assert change["G06"] < -clearly, (key, change)  # falls clearly
        assert change["G13"] > clearly, (key, change)  # rises clearly
        for code, delta in change.items():
            if code not in ("G06", "G13"):
                assert abs(delta) < 0.02, (key, code, delta)
    before, after = found["2025-Q4"]["grievances"], found["2026-Q4"]["grievances"]
    quick = found["2026-Q2"]["grievances"]
    assert before["G13"]["overall"] < quick["G13"]["overall"] < after["G13"]["overall"]
    assert found["2026-Q2"]["scenario"]["item_shift"] == {"B8": -0.225, "G7": 0.3, "G9": 0.3}


def check_margins_are_those_of_the_simulated_population():
    from survey_platform.network.models import PopulationMargin

    truth = truths()["2025-Q4"]
    for dimension in ("sex", "age_group", "title"):
        stored = dict(
            PopulationMargin.objects.filter(dimension=dimension).values_list("level", "total")
        )
        assert stored == truth["margins"][dimension], dimension
    assert truth["population_size"] == sum(
        PopulationMargin.objects.filter(dimension="sector").values_list("total", flat=True)
    )
