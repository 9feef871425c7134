"""The synthetic population of S&T workers behind each station.

Every station's host has ``frame_size`` workers. Their sex, age, education, title,
occupation, employer type, years in post and management role follow sector profiles
(rough shapes of the national surveys: hospitals and schools are mostly women, enterprise
staff are young with few titles, county agricultural technicians are older with
vocational education). The covariates of one station depend only on the population seed
and the station's name, never on database ids or on other stations, so the demo's
population margins (``network.py``) and every simulated wave see the same people.

When a wave wants more respondents at a station than its population can give (200,000
answers from a network of 10,000 workers), the station's population is *expanded*: its
people are repeated ``s`` times and each copy answers independently (see answers.py).
Each person then carries the population weight ``1/s``, so population values computed
from the expanded population still describe the real ``frame_size`` workers and the
demographic margins stay exactly those of the real population.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

#: Fixed: the population is a property of the network, not of a wave.
POPULATION_SEED = 20_260_101

SECTORS = (
    "university", "research", "large_enterprise", "sme", "health",
    "school", "park", "county_cast", "agri_extension", "society",
)  # fmt: skip
ENTERPRISE = frozenset({"large_enterprise", "sme", "park"})

#: Age groups as in PopulationMargin (AGE_GROUP_LEVELS) with the ages drawn within each.
AGE_GROUPS = ("lt35", "35-44", "45-54", "55plus")
AGE_BOUNDS = ((23, 34), (35, 44), (45, 54), (55, 62))
#: A4 codes 1..5 → margin levels (the same mapping as analysis/dataset.py).
TITLE_LEVEL = {1: "senior", 2: "associate", 3: "intermediate", 4: "junior", 5: "none"}


@dataclass(frozen=True)
class SectorProfile:
    female: float
    age: tuple[float, float, float, float]  # shares of AGE_GROUPS
    education: tuple[float, float, float, float, float]  # A3 codes 1..5
    title_offset: float  # shifts the seniority score that decides the title
    occupation: Mapping[str, float]  # A5 codes
    employer: Mapping[str, float]  # A6 codes
    tenure_scale: float  # mean years in post per year of working age (A7)
    manager_offset: float


PROFILES: dict[str, SectorProfile] = {
    "university": SectorProfile(
        0.47, (0.30, 0.34, 0.24, 0.12), (0.0, 0.02, 0.16, 0.40, 0.42), 0.25,
        {"2": 0.72, "1": 0.14, "7": 0.11, "3": 0.02, "99": 0.01}, {"2": 1.0}, 0.55, 0.0,
    ),
    "research": SectorProfile(
        0.40, (0.38, 0.30, 0.21, 0.11), (0.0, 0.03, 0.28, 0.42, 0.27), 0.25,
        {"1": 0.74, "3": 0.12, "7": 0.09, "6": 0.03, "99": 0.02}, {"1": 0.9, "10": 0.1},
        0.55, 0.0,
    ),
    "large_enterprise": SectorProfile(
        0.26, (0.40, 0.31, 0.20, 0.09), (0.03, 0.17, 0.55, 0.22, 0.03), -0.35,
        {"3": 0.84, "1": 0.06, "7": 0.08, "99": 0.02}, {"3": 0.6, "4": 0.3, "5": 0.1},
        0.45, -0.2,
    ),
    "sme": SectorProfile(
        0.27, (0.52, 0.29, 0.14, 0.05), (0.05, 0.25, 0.55, 0.14, 0.01), -0.75,
        {"3": 0.85, "1": 0.05, "7": 0.07, "99": 0.03}, {"4": 0.85, "5": 0.1, "3": 0.05},
        0.3, -0.1,
    ),
    "health": SectorProfile(
        0.63, (0.36, 0.31, 0.22, 0.11), (0.02, 0.15, 0.55, 0.23, 0.05), 0.15,
        {"4": 0.9, "1": 0.04, "7": 0.05, "99": 0.01}, {"6": 1.0}, 0.55, -0.1,
    ),
    "school": SectorProfile(
        0.63, (0.28, 0.30, 0.27, 0.15), (0.0, 0.05, 0.75, 0.19, 0.01), 0.35,
        {"5": 0.95, "7": 0.04, "99": 0.01}, {"7": 1.0}, 0.6, -0.2,
    ),
    "park": SectorProfile(
        0.31, (0.45, 0.30, 0.18, 0.07), (0.04, 0.20, 0.53, 0.20, 0.03), -0.55,
        {"3": 0.78, "1": 0.08, "7": 0.10, "6": 0.02, "99": 0.02},
        {"4": 0.6, "3": 0.2, "5": 0.15, "10": 0.05}, 0.35, -0.1,
    ),
    "county_cast": SectorProfile(
        0.42, (0.18, 0.28, 0.32, 0.22), (0.05, 0.25, 0.60, 0.09, 0.01), 0.0,
        {"7": 0.5, "3": 0.15, "6": 0.15, "1": 0.05, "4": 0.05, "5": 0.05, "99": 0.05},
        {"9": 0.7, "10": 0.3}, 0.5, 0.9,
    ),
    "agri_extension": SectorProfile(
        0.30, (0.14, 0.26, 0.34, 0.26), (0.12, 0.35, 0.45, 0.07, 0.01), 0.1,
        {"6": 0.85, "1": 0.05, "3": 0.05, "7": 0.04, "99": 0.01}, {"8": 0.9, "10": 0.1},
        0.65, 0.1,
    ),
    "society": SectorProfile(
        0.40, (0.20, 0.28, 0.30, 0.22), (0.03, 0.12, 0.50, 0.25, 0.10), 0.2,
        {"3": 0.25, "1": 0.2, "2": 0.15, "7": 0.15, "4": 0.1, "5": 0.05, "6": 0.05, "99": 0.05},
        {"10": 0.4, "2": 0.2, "1": 0.2, "6": 0.1, "99": 0.1}, 0.5, 0.3,
    ),
}  # fmt: skip
#: Seniority score cut points: none < junior < intermediate < associate < senior. Chosen
#: so that the demo network comes out near 7/19/36/24/14% (senior … none).
TITLE_CUTS = (-1.5, -0.45, 0.85, 2.2)


@dataclass(frozen=True)
class StationFrame:
    """What the population of one station depends on."""

    key: str  # the station's name: stable across databases
    sector: str
    region: str  # county division code (A8)
    frame_size: int
    station_id: int | None = None


@dataclass(frozen=True, eq=False)
class Population:
    """One row per (possibly repeated) person; covariates as numpy arrays."""

    frames: tuple[StationFrame, ...]
    station: np.ndarray  # index into frames
    copies: np.ndarray  # per frame: how often each real person is repeated (s)
    sex: np.ndarray  # A1: 1 male, 2 female
    age: np.ndarray
    education: np.ndarray  # A3 1..5
    title: np.ndarray  # A4 1..5
    occupation: np.ndarray  # A5 codes (str)
    employer: np.ndarray  # A6 codes (str)
    tenure: np.ndarray  # A7
    manager: np.ndarray  # bool (A9)
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.station.size)

    @property
    def weight(self) -> np.ndarray:
        """Population weight of each row: 1 / copies of its station."""
        return 1.0 / self.copies[self.station]

    @property
    def sector(self) -> np.ndarray:
        sectors = np.array([f.sector for f in self.frames], dtype=object)
        return sectors[self.station]

    def in_sectors(self, names: frozenset[str] | set[str] | Sequence[str]) -> np.ndarray:
        wanted = np.array([f.sector in names for f in self.frames], dtype=bool)
        return wanted[self.station] if self.frames else np.zeros(0, dtype=bool)

    def is_sector(self, name: str) -> np.ndarray:
        return self.in_sectors({name})

    def age_group(self) -> np.ndarray:
        """Index into AGE_GROUPS."""
        return np.searchsorted(np.array([35, 45, 55]), self.age, side="right")


def stable_seed(*parts: object) -> int:
    """A seed from text: the same in every process (unlike ``hash``)."""
    digest = hashlib.blake2b("\x00".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _categorical(rng: np.random.Generator, shares: Mapping[str, float], n: int) -> np.ndarray:
    codes = list(shares)
    p = np.array([shares[c] for c in codes], dtype=float)
    return np.array(codes, dtype=object)[rng.choice(len(codes), size=n, p=p / p.sum())]


def _station_people(frame: StationFrame, seed: int) -> dict[str, np.ndarray]:
    profile = PROFILES.get(frame.sector, PROFILES["society"])
    rng = np.random.default_rng([seed, stable_seed(frame.key)])
    n = frame.frame_size
    group = rng.choice(4, size=n, p=np.array(profile.age) / sum(profile.age))
    low = np.array([b[0] for b in AGE_BOUNDS])[group]
    high = np.array([b[1] for b in AGE_BOUNDS])[group]
    age = low + np.floor(rng.uniform(size=n) * (high - low + 1)).astype(np.int64)
    sex = np.where(rng.uniform(size=n) < profile.female, 2, 1)
    edu_p = np.array(profile.education) / sum(profile.education)
    education = 1 + rng.choice(5, size=n, p=edu_p)
    score = (
        0.085 * (age - 38)
        + 0.45 * (education - 3.3)
        + profile.title_offset
        + rng.normal(0.0, 0.85, n)
    )
    title = 5 - np.searchsorted(np.array(TITLE_CUTS), score)  # 5 none … 1 senior
    occupation = _categorical(rng, profile.occupation, n)
    employer = _categorical(rng, profile.employer, n)
    working = np.maximum(age - 21, 1)
    tenure = np.minimum(
        working, np.round(working * profile.tenure_scale * rng.beta(2.0, 2.0, n) * 2)
    ).astype(np.int64)
    manager_logit = -2.4 + profile.manager_offset + 0.45 * (3 - title) + 0.03 * (age - 40)
    manager = rng.uniform(size=n) < 1 / (1 + np.exp(-manager_logit))
    return {
        "sex": sex,
        "age": age,
        "education": education,
        "title": title,
        "occupation": occupation,
        "employer": employer,
        "tenure": np.minimum(tenure, 60),
        "manager": manager,
    }


def build_population(
    frames: Sequence[StationFrame],
    copies: Mapping[int, int] | None = None,
    seed: int = POPULATION_SEED,
) -> Population:
    """The people of ``frames``; ``copies[i]`` repeats frame ``i``'s people (default 1)."""
    copies = copies or {}
    parts: dict[str, list[np.ndarray]] = {}
    stations: list[np.ndarray] = []
    reps = np.array([max(1, int(copies.get(i, 1))) for i in range(len(frames))], dtype=np.int64)
    for i, frame in enumerate(frames):
        people = _station_people(frame, seed)
        for name, values in people.items():
            parts.setdefault(name, []).append(np.tile(values, reps[i]))
        stations.append(np.full(frame.frame_size * reps[i], i, dtype=np.int64))
    empty = {
        "sex": np.zeros(0, np.int64), "age": np.zeros(0, np.int64),
        "education": np.zeros(0, np.int64), "title": np.zeros(0, np.int64),
        "occupation": np.zeros(0, object), "employer": np.zeros(0, object),
        "tenure": np.zeros(0, np.int64), "manager": np.zeros(0, bool),
    }  # fmt: skip
    arrays = {k: np.concatenate(v) if v else empty[k] for k, v in parts.items()} or empty
    return Population(
        frames=tuple(frames),
        station=np.concatenate(stations) if stations else np.zeros(0, np.int64),
        copies=reps,
        **arrays,
    )


def margin_counts(population: Population) -> dict[str, dict[str, int]]:
    """Population totals by sex, age group and title (margin levels) of the real people:
    each person of an expanded station is counted once, so the totals are exact."""
    k = len(population.frames)

    def total(mask: np.ndarray) -> int:
        per_station = np.bincount(population.station[mask], minlength=k)
        return int((per_station // np.maximum(population.copies, 1)).sum())

    groups = population.age_group()
    return {
        "sex": {"F": total(population.sex == 2), "M": total(population.sex == 1)},
        "age_group": {g: total(groups == i) for i, g in enumerate(AGE_GROUPS)},
        "title": {TITLE_LEVEL[c]: total(population.title == c) for c in sorted(TITLE_LEVEL)},
    }
