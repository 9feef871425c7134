"""Design-based survey estimation (numpy/scipy), matching R's ``survey`` package 4.1-1.

No Django here: functions take arrays and return typed results. Start with
:meth:`Design.from_arrays`, adjust weights with :mod:`analysis.weighting`, then estimate.

For a wave: :func:`dataset_from_answers` turns stored answers into a columnar
:class:`Dataset` (cache it with :func:`save_dataset`/:func:`load_dataset`),
:func:`weights_for_wave` weights it, :func:`wave_table` summarises every closed item by
the standard domains. Every table that leaves the package passes through
:func:`suppress` (``wave_table`` already does).
"""

from ._arrays import Factor
from .codebook import (
    STANDARD_DOMAINS,
    Codebook,
    Kind,
    Level,
    Role,
    Variable,
    codebook_from_instrument,
)
from .dataset import (
    Dataset,
    TextColumn,
    check_weights,
    dataset_from_answers,
    load_dataset,
    read_fingerprint,
    save_dataset,
)
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
from .suppression import DEFAULT_K, suppress
from .table import EstimateTable, table_from_domains, table_from_estimate
from .wave_weighting import WaveWeights, WeightDiagnostics, weight_diagnostics, weights_for_wave
from .wavetable import wave_table
from .weighting import base_weights, calibrate, kish_deff, poststratify, rake, trim_weights

__all__ = [
    "DEFAULT_K",
    "LONELY_PSU_OPTIONS",
    "STANDARD_DOMAINS",
    "AnalysisError",
    "Codebook",
    "ConvergenceError",
    "Dataset",
    "Design",
    "DesignError",
    "Difference",
    "DomainEstimate",
    "EmptyDomainError",
    "Estimate",
    "EstimateTable",
    "Factor",
    "GLMResult",
    "Kind",
    "Level",
    "LonelyPSUError",
    "PropCI",
    "Role",
    "TableTest",
    "TextColumn",
    "Variable",
    "WaveWeights",
    "WeightDiagnostics",
    "base_weights",
    "benjamini_hochberg",
    "by",
    "calibrate",
    "check_weights",
    "ciprop",
    "ciprop_by",
    "codebook_from_instrument",
    "compare_domains",
    "compare_independent",
    "dataset_from_answers",
    "interval",
    "kish_deff",
    "load_dataset",
    "mean",
    "model_matrix",
    "poststratify",
    "proportions",
    "rake",
    "ratio",
    "read_fingerprint",
    "save_dataset",
    "suppress",
    "svychisq",
    "svyglm",
    "table_from_domains",
    "table_from_estimate",
    "total",
    "trim_weights",
    "wave_table",
    "weight_diagnostics",
    "weights_for_wave",
]
