"""Design-based survey estimation (numpy/scipy), matching R's ``survey`` package 4.1-1.

No Django here: functions take arrays and return typed results. Start with
:meth:`Design.from_arrays`, adjust weights with :mod:`analysis.weighting`, then estimate.
"""

from ._arrays import Factor
from .design import LONELY_PSU_OPTIONS, Design
from .domains import DomainEstimate, by
from .errors import (
    AnalysisError,
    ConvergenceError,
    DesignError,
    EmptyDomainError,
    LonelyPSUError,
)
from .estimates import Estimate, interval, mean, proportions, ratio, total
from .hypothesis_tests import (
    Difference,
    TableTest,
    benjamini_hochberg,
    compare_domains,
    compare_independent,
    svychisq,
)
from .models import GLMResult, model_matrix, svyglm
from .propci import PropCI, ciprop, ciprop_by
from .weighting import base_weights, calibrate, kish_deff, poststratify, rake, trim_weights

__all__ = [
    "LONELY_PSU_OPTIONS",
    "AnalysisError",
    "ConvergenceError",
    "Design",
    "DesignError",
    "Difference",
    "DomainEstimate",
    "EmptyDomainError",
    "Estimate",
    "Factor",
    "GLMResult",
    "LonelyPSUError",
    "PropCI",
    "TableTest",
    "base_weights",
    "benjamini_hochberg",
    "by",
    "calibrate",
    "ciprop",
    "ciprop_by",
    "compare_domains",
    "compare_independent",
    "interval",
    "kish_deff",
    "mean",
    "model_matrix",
    "poststratify",
    "proportions",
    "rake",
    "ratio",
    "svychisq",
    "svyglm",
    "total",
    "trim_weights",
]
