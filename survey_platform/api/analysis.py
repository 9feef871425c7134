"""Analysis results of a wave (office only): the wave table and the grievance table.

Both come suppressed from the analysis package (small cells blank, quotes scrubbed and
only from stations with at least k respondents); nothing here computes a figure.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from survey_platform.fieldwork.dataset import wave_dataset, wave_table_for
from survey_platform.fieldwork.grievances import wave_grievance_table

from .base import documented, example, page_example, query_choice
from .permissions import OfficeOnly


def labels() -> serializers.DictField:
    return serializers.DictField(child=serializers.CharField(), help_text="Language → label")


class EstimateOut(serializers.Serializer[Any]):
    item = serializers.CharField()
    variable = serializers.CharField()
    variable_label = serializers.CharField()
    level = serializers.CharField()
    level_label = serializers.CharField()
    statistic = serializers.CharField(help_text="`proportion` or `mean`")
    by = serializers.CharField(help_text="Domain variable; empty for the whole sample")
    domain = serializers.CharField()
    domain_label = serializers.CharField()
    n = serializers.IntegerField(allow_null=True, help_text="Unweighted base")
    count = serializers.IntegerField(allow_null=True)
    estimate = serializers.FloatField(allow_null=True)
    se = serializers.FloatField(allow_null=True)
    ci_l = serializers.FloatField(allow_null=True)
    ci_u = serializers.FloatField(allow_null=True)
    deff = serializers.FloatField(allow_null=True)
    df = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()
    flag = serializers.ChoiceField(choices=["published", "suppressed", "suppressed_complementary"])


class ChangeOut(serializers.Serializer[Any]):
    previous = serializers.FloatField(allow_null=True)
    previous_n = serializers.IntegerField(allow_null=True)
    difference = serializers.FloatField(allow_null=True)
    se = serializers.FloatField(allow_null=True)
    ci_l = serializers.FloatField(allow_null=True)
    ci_u = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)
    p_adjusted = serializers.FloatField(allow_null=True)
    significant = serializers.BooleanField()


class HotspotOut(serializers.Serializer[Any]):
    by = serializers.CharField()
    by_label = labels()
    domain = serializers.CharField()
    domain_label = labels()
    n = serializers.IntegerField()
    prevalence = serializers.FloatField(allow_null=True)
    ci_l = serializers.FloatField(allow_null=True)
    ci_u = serializers.FloatField(allow_null=True)
    rest = serializers.FloatField(allow_null=True)
    difference = serializers.FloatField(allow_null=True)
    diff_ci_l = serializers.FloatField(allow_null=True)
    diff_ci_u = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)
    p_adjusted = serializers.FloatField(allow_null=True)


class OddsRatioOut(serializers.Serializer[Any]):
    variable = serializers.CharField()
    level = serializers.CharField()
    level_label = labels()
    reference = serializers.CharField()
    reference_label = labels()
    n = serializers.IntegerField()
    odds_ratio = serializers.FloatField(allow_null=True)
    ci_l = serializers.FloatField(allow_null=True)
    ci_u = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)
    p_adjusted = serializers.FloatField(allow_null=True)


class ModelOut(serializers.Serializer[Any]):
    n = serializers.IntegerField(allow_null=True)
    terms = OddsRatioOut(many=True)
    error = serializers.CharField(allow_null=True)


class QuoteOut(serializers.Serializer[Any]):
    text = serializers.CharField(help_text="Scrubbed of personal data")
    score = serializers.FloatField(allow_null=True)
    sector = serializers.CharField(allow_null=True)
    sector_label = labels()


class GrievanceRowOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = labels()  # type: ignore[assignment]  # DRF pops fields off the class
    policy_area = labels()
    suggested_action = labels()
    ranked = serializers.BooleanField()
    rank = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    common = serializers.BooleanField()
    suppressed = serializers.BooleanField()
    n = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField(allow_null=True)
    prevalence = serializers.FloatField(allow_null=True)
    se = serializers.FloatField(allow_null=True)
    ci_l = serializers.FloatField(allow_null=True)
    ci_u = serializers.FloatField(allow_null=True)
    df = serializers.IntegerField(allow_null=True)
    intensity = serializers.FloatField(allow_null=True)
    intensity_ci_l = serializers.FloatField(allow_null=True)
    intensity_ci_u = serializers.FloatField(allow_null=True)
    breadth = serializers.FloatField(allow_null=True)
    breadth_stations = serializers.FloatField(allow_null=True)
    breadth_sectors = serializers.FloatField(allow_null=True)
    stations_counted = serializers.IntegerField()
    stations_present = serializers.IntegerField()
    sectors_counted = serializers.IntegerField()
    sectors_present = serializers.IntegerField()
    change = ChangeOut(allow_null=True)
    hotspots = HotspotOut(many=True)
    model = ModelOut(allow_null=True)
    quotes = QuoteOut(many=True)


class ThemeOut(serializers.Serializer[Any]):
    terms = serializers.ListField(child=serializers.CharField())
    size = serializers.IntegerField()
    examples = serializers.ListField(child=serializers.CharField())


class GrievanceTableOut(serializers.Serializer[Any]):
    taxonomy_version = serializers.CharField()
    wave = serializers.CharField()
    previous_wave = serializers.CharField(allow_null=True)
    k = serializers.IntegerField(help_text="Smallest published cell")
    level = serializers.FloatField(help_text="Confidence level")
    n_respondents = serializers.IntegerField()
    n_determinable = serializers.IntegerField()
    n_open_answers = serializers.IntegerField()
    n_unclassified = serializers.IntegerField()
    rows = GrievanceRowOut(many=True)
    themes = ThemeOut(many=True)
    settings = serializers.DictField(child=serializers.FloatField())
    missing_items = serializers.ListField(child=serializers.CharField())
    schema = serializers.IntegerField()


ESTIMATE_EXAMPLE = {
    "item": "D1", "variable": "D1", "variable_label": "Evaluation fits the job", "level": "1",
    "level_label": "Agree", "statistic": "proportion", "by": "sector", "domain": "university",
    "domain_label": "Universities", "n": 412, "count": 170, "estimate": 0.4126,
    "se": 0.021, "ci_l": 0.371, "ci_u": 0.455, "deff": 1.62, "df": 38, "suppressed": False,
    "flag": "published",
}  # fmt: skip
GRIEVANCE_EXAMPLE = {
    "taxonomy_version": "2026.1", "wave": "2026-Q4", "previous_wave": "2026-Q2", "k": 10,
    "level": 0.95, "n_respondents": 2210, "n_determinable": 2150, "n_open_answers": 830,
    "n_unclassified": 95, "themes": [], "missing_items": [], "schema": 1,
    "settings": {"breadth_threshold": 0.2, "local_top": 3, "common_breadth": 0.5,
                 "quotes_per_code": 3},
    "rows": [{
        "code": "G01", "label": {"zh-hans": "科研经费不足、项目申请难", "en": "Lack of funding"},
        "policy_area": {"zh-hans": "科研经费", "en": "Research funding"},
        "suggested_action": {"zh-hans": "……", "en": "…"}, "ranked": True, "rank": 1,
        "score": 0.39, "common": True, "suppressed": False, "n": 2150, "count": 930,
        "prevalence": 0.43, "se": 0.012, "ci_l": 0.406, "ci_u": 0.454, "df": 39,
        "intensity": 0.41, "intensity_ci_l": 0.38, "intensity_ci_u": 0.44, "breadth": 0.82,
        "breadth_stations": 0.8, "breadth_sectors": 0.85, "stations_counted": 38,
        "stations_present": 30, "sectors_counted": 8, "sectors_present": 7, "change": None,
        "hotspots": [], "model": None,
        "quotes": [{"text": "项目申请太难，经费也不够。", "score": 0.92, "sector": "university",
                    "sector_label": {"zh-hans": "高等院校", "en": "Universities"}}],
    }],
}  # fmt: skip


class WaveAnalysisActions:
    """``results`` and ``grievances`` of a wave (mixed into the wave viewset)."""

    @documented(
        summary="Wave table",
        description="Weighted estimates of every closed item for the whole sample and the "
        "standard domains (sector, region, sex, title, age group): unweighted n, count, "
        "estimate, SE, 95% CI, design effect. Cells under the small-cell threshold are "
        "suppressed (blank, `suppressed: true`), with complementary suppression. Filter "
        "by `variable` and `by` (`overall` for the whole sample); labels in `language`. "
        "409 when the wave has no analysable responses.",
        parameters=[
            OpenApiParameter("variable", str, description="Variable code, e.g. D1"),
            OpenApiParameter("by", str, description="Domain variable, or `overall`"),
            OpenApiParameter("language", str, enum=["zh-hans", "en"]),
        ],
        responses={200: EstimateOut(many=True)},
        examples=[example("rows", page_example([ESTIMATE_EXAMPLE]))],
    )
    @action(detail=True, methods=["get"], permission_classes=[OfficeOnly], filter_backends=[])
    def results(self, request: Request, code: str | None = None) -> Response:
        wave = self.get_object()  # type: ignore[attr-defined]
        table = wave_table_for(wave)
        params = request.query_params
        if params.get("variable"):
            table = table.where(variable=params["variable"])
        if params.get("by"):
            table = table.where(by="" if params["by"] == "overall" else params["by"])
        language = _language(query_choice(request, "language", ["zh-hans", "en"]))
        records = table.to_records(wave_dataset(wave).codebook, language)
        page = self.paginate_queryset(records)  # type: ignore[attr-defined]
        return self.get_paginated_response(page)  # type: ignore[attr-defined]

    @documented(
        summary="Grievance table",
        description="The common grievances of the wave (codes G00–G16): prevalence with "
        "CI, intensity, breadth across stations and sectors, rank, change since the "
        "previous wave with a multiplicity-corrected test, hotspots, a design-based model "
        "and scrubbed quotes. Small cells are suppressed. 409 when the wave cannot be "
        "analysed.",
        responses={200: GrievanceTableOut},
        examples=[example("table", GRIEVANCE_EXAMPLE)],
    )
    @action(detail=True, methods=["get"], permission_classes=[OfficeOnly], filter_backends=[],
            pagination_class=None)  # fmt: skip
    def grievances(self, request: Request, code: str | None = None) -> Response:
        wave = self.get_object()  # type: ignore[attr-defined]
        return Response(wave_grievance_table(wave).to_dict())


def _language(requested: Any) -> str:
    if requested in ("zh-hans", "en"):
        return str(requested)
    return "en" if (translation.get_language() or "").startswith("en") else "zh-hans"
