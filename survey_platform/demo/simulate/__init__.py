"""Simulated waves: realistic synthetic responses with a known ground truth.

``simulate_wave(wave, plan, seed=…)`` fills a wave with responses to the standard
questionnaire (or the quick survey) as the respondent form would have stored them, updates
the station quotas, runs the data-quality flags and writes the population values it drew
from to ``ground_truth_path(wave)``. The same seed gives the same data. See the modules:

population   who the S&T workers of each station are (sector profiles)
model        latent attitudes, station effects, calibration of the answer scales
answers      the standard questionnaire, item by item, as columns over the population
sample       who responds and how (partials, speeders, straight-liners, open answers)
open_text    the composer of Chinese open answers (phrase bank in phrases.py)
personal_data  fictional phone numbers, e-mails, ID numbers, names and units
timing       submission times over the fieldwork days, seconds per page
indicators   the population's grievance indicators (the platform's rules, generating codes)
truth        the ground-truth JSON
writer       bulk insert with a progress bar
run          the whole run
"""

from __future__ import annotations

from .model import BASELINE, Scenario
from .run import (
    SimulationError,
    SimulationResult,
    StationPlan,
    allocate,
    is_modelled,
    plan_by_quota,
    simulate_wave,
)
from .sample import SimulationConfig
from .truth import ground_truth_path, load_ground_truth

__all__ = [
    "BASELINE",
    "Scenario",
    "SimulationConfig",
    "SimulationError",
    "SimulationResult",
    "StationPlan",
    "allocate",
    "ground_truth_path",
    "is_modelled",
    "load_ground_truth",
    "plan_by_quota",
    "simulate_wave",
]
