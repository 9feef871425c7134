"""The response model: latent factors, station effects, calibrated answer scales.

Every person has nine latent attitudes (``FACTORS``), each the sum of

* a covariate mean — who the person is (sector, age, title, sex, role);
* a station effect — persistent (seeded by the station's name, so the same station is
  "hotter" than the others in every wave) plus a small wave-specific drift; this is what
  makes answers cluster by station (intra-station correlation 0.02–0.10 on key items);
* a scenario shift — how the wave differs from the baseline (trends between waves);
* individual noise N(0, 1).

A scenario can also move single items without touching the factors: the utility of a J1
code (``grievance_shift``) or the latent score of an ordinal item (``item_shift``). A
factor feeds many items, and through the taxonomy's rules several grievances (``burden``
drives G02, G06 and G16); a trend meant to move one grievance shifts its J1 utility and
the items its rules read, and nothing else.

Items are built from the factors: an ordinal item cuts a latent score at thresholds, a
multi-select picks the top k options by random utility (a rank-ordered logit), numbers
are scaled latent scores. The thresholds, the option constants and the numeric levels
are *calibrated* once, on the demo network under the baseline scenario with a fixed seed,
so that the baseline reproduces the target levels (``answers.py``) anchored on national
findings; scenarios and other networks then move away from them through the factors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from .population import ENTERPRISE, POPULATION_SEED, Population, StationFrame, stable_seed

FACTORS = ("work", "money", "eval", "burden", "life", "career", "climate", "funding", "general")
#: Station effects on the latent scales: persistent and per-wave standard deviations.
STATION_SD = 0.25
STATION_WAVE_SD = 0.05
#: Utility scale of station effects on each option of a multi-select item.
OPTION_STATION_SD = 0.22
CALIBRATION_SEED = 7_919


@dataclass(frozen=True)
class Scenario:
    """How one wave differs from the baseline: shifts of factor means (in SD units), of
    grievance utilities (J1 codes, in log-odds units) and of the latent scores of ordinal
    items (item codes such as ``B8`` or ``D2_r1``, in the units of the latent score, whose
    individual noise has SD 1; positive moves the answers towards the "worse" end)."""

    factor_shift: Mapping[str, float] = field(default_factory=dict)
    grievance_shift: Mapping[str, float] = field(default_factory=dict)
    note: str = ""
    item_shift: Mapping[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "factor_shift": dict(self.factor_shift),
            "grievance_shift": dict(self.grievance_shift),
            "item_shift": dict(self.item_shift),
            "note": self.note,
        }

    def scaled(self, factor: float, note: str = "") -> Scenario:
        """Every shift multiplied by ``factor`` (e.g. half-way along a trend)."""
        return Scenario(
            factor_shift={k: v * factor for k, v in self.factor_shift.items()},
            grievance_shift={k: v * factor for k, v in self.grievance_shift.items()},
            note=note or self.note,
            item_shift={k: v * factor for k, v in self.item_shift.items()},
        )


BASELINE = Scenario(note="baseline")


@dataclass
class Calibration:
    thresholds: dict[str, np.ndarray] = field(default_factory=dict)
    shifts: dict[str, float] = field(default_factory=dict)
    alphas: dict[str, np.ndarray] = field(default_factory=dict)


class Masks:
    """Boolean covariate masks used by many items."""

    def __init__(self, pop: Population) -> None:
        self.young = pop.age < 35
        self.mid = (pop.age >= 35) & (pop.age < 45)
        self.old = pop.age >= 55
        self.female = pop.sex == 2
        self.senior = pop.title == 1
        self.associate = pop.title == 2
        self.low_title = pop.title >= 4
        self.manager = pop.manager
        self.enterprise = pop.in_sectors(ENTERPRISE)
        self.academic = pop.in_sectors({"university", "research"})
        sectors = {f.sector for f in pop.frames}
        self.sector = {name: pop.is_sector(name) for name in sectors}

    def of(self, name: str) -> np.ndarray:
        found = self.sector.get(name)
        return found if found is not None else np.zeros_like(self.young)


def factor_means(m: Masks) -> dict[str, np.ndarray]:
    s = m.of
    f = {
        "work": 0.55 * s("health") + 0.25 * s("sme") + 0.15 * s("large_enterprise")
        + 0.15 * s("park") + 0.2 * s("school") - 0.35 * s("county_cast")
        - 0.25 * s("agri_extension") - 0.2 * s("society") + 0.15 * m.young + 0.2 * m.manager,
        "money": 0.3 * m.young + 0.2 * m.low_title - 0.35 * m.senior - 0.1 * m.associate
        + 0.45 * s("agri_extension") + 0.2 * s("school") + 0.15 * s("county_cast")
        - 0.15 * s("large_enterprise") - 0.1 * s("university") + 0.1 * s("sme"),
        "eval": 0.3 * s("university") + 0.3 * s("research") + 0.2 * s("health")
        + 0.1 * s("school") - 0.3 * m.enterprise - 0.1 * s("agri_extension")
        - 0.15 * s("county_cast") - 0.15 * m.senior,
        "burden": 0.4 * s("university") + 0.4 * s("research") + 0.3 * s("health")
        + 0.45 * s("school") + 0.25 * s("county_cast") - 0.5 * m.enterprise + 0.15 * m.manager,
        "life": 0.35 * m.young + 0.45 * m.mid - 0.4 * m.old + 0.1 * m.female,
        "career": 0.5 * m.young - 0.6 * m.old - 0.6 * m.senior - 0.2 * m.associate
        + 0.35 * s("agri_extension") + 0.3 * s("county_cast") + 0.1 * s("school")
        + 0.15 * s("sme"),
        "climate": 0.2 * m.academic + 0.1 * s("health") - 0.2 * m.enterprise,
        "funding": 0.5 * s("research") + 0.4 * s("university") + 0.45 * s("agri_extension")
        + 0.25 * s("county_cast") + 0.1 * s("health") - 0.5 * m.enterprise - 0.5 * s("school"),
        "general": np.zeros(m.young.shape),
    }  # fmt: skip
    return {k: np.asarray(v, dtype=np.float64) for k, v in f.items()}


class Draw:
    """One generation run: a population, a random stream, factor values, calibration.

    With ``calibration=None`` the run *is* the calibration: ordinal thresholds, numeric
    shifts and option constants are fitted to the targets and recorded.
    """

    def __init__(
        self,
        pop: Population,
        rng: np.random.Generator,
        scenario: Scenario = BASELINE,
        calibration: Calibration | None = None,
    ) -> None:
        self.pop = pop
        self.rng = rng
        self.n = pop.size
        self.scenario = scenario
        self.calibrating = calibration is None
        self.cal = calibration or Calibration()
        self.m = Masks(pop)
        means = factor_means(self.m)
        self.f: dict[str, np.ndarray] = {}
        for name in FACTORS:
            effect = self.station_effect(f"factor:{name}", STATION_SD, STATION_WAVE_SD)
            shift = float(scenario.factor_shift.get(name, 0.0))
            self.f[name] = means[name] + effect + shift + rng.normal(0.0, 1.0, self.n)

    # --- building blocks -------------------------------------------------------------

    def station_effect(self, name: str, sd: float, wave_sd: float) -> np.ndarray:
        """Per person: persistent effect of their station (by name) plus a wave drift."""
        frames: Sequence[StationFrame] = self.pop.frames
        persistent = np.array(
            [
                np.random.default_rng([POPULATION_SEED, stable_seed(fr.key, name)]).normal(0, sd)
                for fr in frames
            ]
        )
        drift = self.rng.normal(0.0, wave_sd, len(frames))
        return (persistent + drift)[self.pop.station] if frames else np.zeros(0)

    def latent(
        self, loads: Mapping[str, float], extra: object = 0.0, noise: float = 1.0
    ) -> np.ndarray:
        value = np.zeros(self.n) + np.asarray(extra, dtype=np.float64)
        for name, weight in loads.items():
            value = value + weight * self.f[name]
        return value + self.rng.normal(0.0, noise, self.n)

    def ordinal(
        self, code: str, latent: np.ndarray, probs: Sequence[float], worse_low: bool
    ) -> np.ndarray:
        """0-based option index. ``probs`` are the baseline shares in code order; a high
        latent is the "worse" end (code 1 when ``worse_low``, the last code otherwise)."""
        k = len(probs)
        ordered = np.asarray(probs[::-1] if worse_low else probs, dtype=np.float64)
        latent = latent + float(self.scenario.item_shift.get(code, 0.0))
        if self.calibrating:
            cum = np.cumsum(ordered / ordered.sum())[:-1]
            self.cal.thresholds[code] = np.quantile(latent, cum)
        j = np.searchsorted(self.cal.thresholds[code], latent)
        return (k - 1 - j) if worse_low else j

    def level(self, code: str, values: np.ndarray, target_mean: float) -> np.ndarray:
        """Shift ``values`` so that the baseline mean is ``target_mean``."""
        if self.calibrating:
            self.cal.shifts[code] = target_mean - float(values.mean())
        return values + self.cal.shifts[code]

    def pick(self, logits: np.ndarray) -> np.ndarray:
        """One option per row from (n, k) or (k,) log-probabilities (Gumbel-max)."""
        logits = np.broadcast_to(np.asarray(logits, dtype=np.float64), (self.n, logits.shape[-1]))
        return np.argmax(logits + self.rng.gumbel(size=logits.shape), axis=1)

    def topk(
        self,
        code: str,
        utility: np.ndarray,
        targets: Sequence[float],
        counts: Sequence[float],
    ) -> np.ndarray:
        """(n, k) booleans: each row chooses ``c`` options, ``c`` drawn from ``counts``
        (shares of choosing 1, 2, …), the ``c`` of highest utility + Gumbel noise. The
        option constants are fitted so the baseline prevalences approach ``targets``."""
        n: int  # (numpy's shapes are Any; an int size makes choice() return an array)
        k: int
        n, k = utility.shape
        station = np.stack(
            [
                self.station_effect(f"{code}:{j}", OPTION_STATION_SD, STATION_WAVE_SD)
                for j in range(k)
            ],
            axis=1,
        )
        noisy = utility + station + self.rng.gumbel(size=(n, k))
        c = 1 + self.rng.choice(len(counts), size=n, p=np.asarray(counts) / sum(counts))
        target = np.asarray(targets, dtype=np.float64)
        if self.calibrating:
            alpha = np.log(target / target.mean())
            for _ in range(40):
                chosen = _top(noisy + alpha, c)
                alpha += 0.7 * np.log(target / np.maximum(chosen.mean(axis=0), 1e-4))
            self.cal.alphas[code] = alpha
        return _top(noisy + self.cal.alphas[code], c)

    def poisson(self, mean: np.ndarray) -> np.ndarray:
        return self.rng.poisson(np.maximum(mean, 0.0))


def _top(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Boolean (n, k): the ``counts[i]`` largest entries of each row."""
    order = np.argsort(-values, axis=1)
    rank = np.empty_like(order)
    rows = np.arange(values.shape[0])[:, None]
    rank[rows, order] = np.arange(values.shape[1])[None, :]
    return rank < counts[:, None]


def reference_frames() -> list[StationFrame]:
    """The demo network's stations: the population the levels are calibrated on."""
    from survey_platform.demo.network import STATIONS, station_name

    return [StationFrame(station_name(h), sec, reg, n) for h, reg, sec, _lvl, n in STATIONS]


@cache
def calibration(generate: Callable[[Draw], object]) -> Calibration:
    """Fit the baseline once per process (about a tenth of a second)."""
    from .population import build_population

    pop = build_population(reference_frames())
    draw = Draw(pop, np.random.default_rng(CALIBRATION_SEED), BASELINE, None)
    generate(draw)
    return draw.cal
