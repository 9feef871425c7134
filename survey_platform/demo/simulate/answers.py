"""Answers of every person to the standard questionnaire (and so to the quick survey,
which reuses its codes), as columns over the population.

Levels are anchored on the national surveys (DESIGN.md §1): a work week of about 48 h,
about a third of the time on research itself, about 45% find the evaluation of their
work unfit (D1 4–5), lack of funding is the most frequent grievance (J1 G01), money is
a main source of pressure for about a third (G1 option 1). Subgroup differences come from
the factor means (model.py) and from direct effects below: young researchers name G07,
G09 and G13 more often; hospital staff work longer hours; enterprise staff name G12;
county agricultural technicians G10 and G15.

Skip logic is that of the standard questionnaire: E2–E6 only for project holders (E1=1),
E7 only for those without (E1=2), F6/F7 only for those thinking of moving (F5 1–2), G7
only with a mortgage (G6=2), G9 only with children at school (G8=1), I3 unless I2=4.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .columns import CODE, FLOAT, INT, MULTI, RANK, Column
from .model import Draw

AGREE = ("1", "2", "3", "4", "5")
GRIEVANCES = (*(f"G{i:02d}" for i in range(1, 17)), "G00")
#: Baseline prevalence of each J1 code on the demo network (funding first).
GRIEVANCE_TARGETS = {
    "G01": 0.40, "G02": 0.15, "G03": 0.21, "G04": 0.36, "G05": 0.25, "G06": 0.24,
    "G07": 0.19, "G08": 0.07, "G09": 0.13, "G10": 0.09, "G11": 0.03, "G12": 0.06,
    "G13": 0.18, "G14": 0.05, "G15": 0.06, "G16": 0.08, "G00": 0.02,
}  # fmt: skip
#: Shares choosing 1, 2 or 3 difficulties (most use all three places).
J1_COUNTS = (0.12, 0.22, 0.66)
#: Sector → share with a research project (E1).
PROJECT_SHARE = {
    "university": 0.8, "research": 0.88, "large_enterprise": 0.45, "sme": 0.3, "health": 0.45,
    "school": 0.18, "park": 0.35, "county_cast": 0.2, "agri_extension": 0.4, "society": 0.4,
}  # fmt: skip
#: Sector → shift of the weekly hours (h) on top of the workload factor.
HOURS_SHIFT = {
    "health": 3.5, "sme": 1.5, "large_enterprise": 1.0, "park": 1.0, "school": 0.5,
    "county_cast": -2.0, "agri_extension": -1.5, "society": -1.5, "university": -0.5,
}  # fmt: skip
#: Sector → shift of the share of time on research (percentage points).
RESEARCH_SHIFT = {
    "research": 12, "university": 4, "health": -6, "school": -9, "large_enterprise": 2,
    "park": -2, "county_cast": -12, "agri_extension": -5, "society": -4,
}  # fmt: skip
NO_PAPERS = {
    "university": 0.05, "research": 0.08, "health": 0.25, "school": 0.55,
    "large_enterprise": 0.6, "sme": 0.7, "park": 0.65, "county_cast": 0.6,
    "agri_extension": 0.5, "society": 0.4,
}  # fmt: skip


def _by_sector(d: Draw, table: Mapping[str, float], default: float = 0.0) -> np.ndarray:
    per_frame = np.array([table.get(f.sector, default) for f in d.pop.frames], dtype=float)
    return per_frame[d.pop.station] if d.pop.frames else np.zeros(0)


def _code(values: np.ndarray, options: tuple[str, ...], shown: np.ndarray | None = None) -> Column:
    return Column(CODE, np.asarray(values, dtype=np.int16), options, shown)


def generate_standard(d: Draw, year: int = 2026) -> dict[str, Column]:
    cols: dict[str, Column] = {}
    _section_a(d, cols, year)
    _section_b(d, cols)
    _section_c(d, cols)
    _section_d(d, cols)
    _section_e(d, cols)
    _section_f(d, cols)
    _section_g(d, cols)
    _section_h_i(d, cols)
    _section_j(d, cols)
    return cols


def _section_a(d: Draw, cols: dict[str, Column], year: int) -> None:
    p = d.pop
    cols["A1"] = _code(p.sex - 1, ("1", "2"))
    cols["A2"] = Column(INT, (year - p.age).astype(np.int64))
    cols["A3"] = _code(p.education - 1, ("1", "2", "3", "4", "5"))
    cols["A4"] = _code(p.title - 1, ("1", "2", "3", "4", "5"))
    occupations = ("1", "2", "3", "4", "5", "6", "7", "99")
    cols["A5"] = _code(_index(p.occupation, occupations), occupations)
    employers = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "99")
    cols["A6"] = _code(_index(p.employer, employers), employers)
    cols["A7"] = Column(INT, p.tenure.astype(np.int64))
    regions: tuple[str, ...] = ("341102", "341103", "341181", "341182", "341122", "341124")
    regions += ("341125", "341126", "999999")
    region = np.array([_find(regions, f.region) for f in p.frames], dtype=np.int16)
    cols["A8"] = _code(region[p.station] if p.frames else np.zeros(0), regions)
    cols["A9"] = _code(np.where(p.manager, 0, 1), ("1", "2"))


def _index(values: np.ndarray, options: tuple[str, ...]) -> np.ndarray:
    lookup = {code: i for i, code in enumerate(options)}
    return np.array([lookup.get(v, len(options) - 1) for v in values.tolist()], dtype=np.int16)


def _find(options: tuple[str, ...], code: str) -> int:
    return options.index(code) if code in options else len(options) - 1


def _section_b(d: Draw, cols: dict[str, Column]) -> None:
    m = d.m
    hours = 2.6 * d.f["work"] + _by_sector(d, HOURS_SHIFT) + 1.0 * m.young
    hours = d.level("B1", hours + d.rng.normal(0, 8.5, d.n), 48.0)
    heaped = d.rng.uniform(size=d.n) < 0.45  # many answer in round numbers
    hours = np.where(heaped, np.round(hours / 5) * 5, np.round(hours))
    b1 = np.clip(hours, 20, 96).astype(np.int64)
    cols["B1"] = Column(INT, b1)
    share = -3.5 * d.f["burden"] + _by_sector(d, RESEARCH_SHIFT) + d.rng.normal(0, 14, d.n)
    share = d.level("B2", share, 33.0)
    cols["B2"] = Column(INT, np.clip(np.round(share / 5) * 5, 0, 100).astype(np.int64))
    forms = np.exp(np.log(3.6) + 0.35 * d.f["burden"] + d.rng.normal(0, 0.55, d.n))
    meetings = np.exp(
        np.log(2.6) + 0.3 * d.f["burden"] + 0.3 * m.manager + d.rng.normal(0, 0.5, d.n)
    )
    checks = np.exp(np.log(1.3) + 0.4 * d.f["burden"] + d.rng.normal(0, 0.7, d.n))
    b3, b4, b5 = (np.round(x).astype(np.int64) for x in (forms, meetings, checks))
    over = b3 + b4 + b5 > b1  # the questionnaire's constraint B3 + B4 + B5 <= B1
    scale = np.where(over, b1 / np.maximum(b3 + b4 + b5, 1) * 0.5, 1.0)
    b3, b4, b5 = (np.floor(x * scale).astype(np.int64) for x in (b3, b4, b5))
    cols["B3"], cols["B4"], cols["B5"] = (Column(INT, x) for x in (b3, b4, b5))
    work = d.latent({"work": 0.9, "general": 0.2}) + 0.04 * (b1 - 48)
    cols["B6"] = _code(d.ordinal("B6", work, (0.16, 0.44, 0.36, 0.03, 0.01), True), AGREE)
    night = d.latent({"work": 0.8}) + 0.05 * (b1 - 48)
    cols["B7"] = _code(d.ordinal("B7", night, (0.36, 0.40, 0.18, 0.06), True), AGREE[:4])
    crowd = d.latent({"burden": 0.9, "general": 0.2}) + 0.05 * (b3 + b4 + b5 - 8)
    cols["B8"] = _code(d.ordinal("B8", crowd, (0.24, 0.34, 0.26, 0.12, 0.04), True), AGREE)


def _section_c(d: Draw, cols: dict[str, Column]) -> None:
    p, m = d.pop, d.m
    base = np.array([0.0, 22.0, 16.0, 12.0, 8.5, 7.0])[p.title]
    sector = _by_sector(
        d,
        {"university": 1.15, "research": 1.1, "large_enterprise": 1.15, "health": 1.2,
         "school": 0.95, "park": 1.05, "county_cast": 0.85, "agri_extension": 0.75,
         "society": 0.9},
        1.0,
    )  # fmt: skip
    log_income = np.log(base * sector) - 0.12 * d.f["money"] + d.rng.normal(0, 0.3, d.n)
    income = np.round(np.exp(log_income) * 2) / 2
    cols["C1"] = Column(FLOAT, np.clip(income, 1.0, 300.0))
    money = d.latent({"money": 1.0, "general": 0.3}) - 0.3 * (log_income - np.log(12))
    cols["C2"] = _code(d.ordinal("C2", money, (0.03, 0.10, 0.45, 0.28, 0.14), False), AGREE)
    cols["C3"] = _code(d.ordinal("C3", money, (0.05, 0.25, 0.38, 0.22, 0.10), False), AGREE)
    # Income rose for most, while satisfaction did not follow.
    change = d.latent({"money": 0.4}, noise=1.2)
    cols["C4"] = _code(d.ordinal("C4", change, (0.07, 0.38, 0.35, 0.14, 0.06), False), AGREE)
    insured = np.log(np.array([0.86, 0.09, 0.05])) + np.outer(
        m.of("sme") * 1.0 + m.of("park") * 0.5, [0, 1, 0.3]
    )
    cols["C5"] = _code(d.pick(insured), ("1", "2", "3"))
    fair = d.latent({"money": 0.5, "climate": 0.5, "general": 0.3})
    cols["C6"] = _code(d.ordinal("C6", fair, (0.08, 0.27, 0.35, 0.20, 0.10), False), AGREE)


def _section_d(d: Draw, cols: dict[str, Column]) -> None:
    m = d.m
    unfit = d.latent({"eval": 1.0, "general": 0.3})
    cols["D1"] = _code(d.ordinal("D1", unfit, (0.07, 0.22, 0.26, 0.30, 0.15), False), AGREE)
    rows = {
        "D2_r1": (0.25, 0.33, 0.25, 0.12, 0.05),
        "D2_r2": (0.20, 0.28, 0.30, 0.15, 0.07),
        "D2_r3": (0.18, 0.30, 0.30, 0.16, 0.06),
        "D2_r4": (0.12, 0.24, 0.34, 0.21, 0.09),
        "D2_r5": (0.08, 0.20, 0.36, 0.24, 0.12),
    }
    for code, probs in rows.items():
        latent = d.latent({"eval": 0.8, "general": 0.2}, noise=1.6)
        cols[code] = _code(d.ordinal(code, latent, probs, True), AGREE)
    none = d.rng.uniform(size=d.n) < _by_sector(d, NO_PAPERS, 0.4)
    purpose = np.log(np.array([0.66, 0.16, 0.07, 0.08, 0.03])) + np.outer(
        m.senior, [-1.2, 0, 0.3, 1.4, 0.5]
    )
    chosen = d.pick(purpose)
    cols["D3"] = _code(np.where(none, 5, chosen), ("1", "2", "3", "4", "5", "8"))
    util = np.stack(
        [
            0.3 * m.manager - 0.2 * d.f["money"],
            0.9 * m.enterprise + 0.3 * m.academic,
            0.2 * m.senior,
            0.3 * m.young,
            0.2 * m.of("health"),
        ],
        axis=1,
    )
    got = d.topk("D4", util, (0.40, 0.06, 0.14, 0.11, 0.22), (0.55, 0.3, 0.15))
    nothing = d.latent({"money": 0.5, "career": 0.4}) > 0.9
    cols["D4"] = Column(MULTI, _with_exclusive(got, nothing), ("1", "2", "3", "4", "5", "9"))
    transfer = d.latent({"climate": 0.5, "eval": 0.3, "general": 0.3})
    cols["D5"] = _code(d.ordinal("D5", transfer, (0.06, 0.22, 0.40, 0.22, 0.10), False), AGREE)
    criteria = np.log(np.array([0.30, 0.22, 0.14, 0.10, 0.12, 0.12]))
    criteria = criteria + np.outer(m.enterprise, [0, 0, 0.4, -0.3, 0.8, -0.3])
    criteria = criteria + np.outer(m.of("university"), [0, 0.2, -0.2, 0.2, -0.2, 0.7])
    noisy = criteria + d.rng.gumbel(size=(d.n, 6))
    cols["D6"] = Column(RANK, np.argsort(-noisy, axis=1)[:, :3], ("1", "2", "3", "4", "5", "6"))


def _with_exclusive(chosen: np.ndarray, none: np.ndarray) -> np.ndarray:
    """Append the exclusive "none of these" column: set alone where ``none``."""
    out = np.concatenate([chosen & ~none[:, None], none[:, None]], axis=1)
    return out


def _section_e(d: Draw, cols: dict[str, Column]) -> None:
    p, m = d.pop, d.m
    share = _by_sector(d, PROJECT_SHARE, 0.4)
    logit = np.log(share / (1 - share)) + 0.4 * (p.education >= 4) + 0.3 * (p.title <= 2)
    logit = logit - 0.4 * (p.title == 5)
    project = d.rng.uniform(size=d.n) < 1 / (1 + np.exp(-logit))
    cols["E1"] = _code(np.where(project, 0, 1), ("1", "2"))
    level = np.log(np.array([0.08, 0.22, 0.30, 0.20, 0.20])) + np.outer(
        m.senior * 1.0 + m.academic * 0.6, [1.2, 0.6, 0, -0.4, 0]
    )
    level = level + np.outer(m.enterprise, [-1.5, -0.5, 0, 0, 1.5])
    e2 = d.pick(level)
    cols["E2"] = _code(e2, ("1", "2", "3", "4", "5"), project)
    funds = np.exp(np.log(np.array([80.0, 30.0, 10.0, 3.0, 20.0])[e2]) + d.rng.normal(0, 0.8, d.n))
    cols["E3"] = Column(FLOAT, np.clip(np.round(funds, 1), 0.1, 9000.0), shown=project)
    short = d.latent({"funding": 1.0, "general": 0.3})
    cols["E4"] = _code(
        d.ordinal("E4", short, (0.03, 0.12, 0.35, 0.33, 0.17), False), AGREE, project
    )
    util = np.stack(
        [0.5 * d.f["burden"], 0.3 * d.f["burden"], 0.3 * d.f["funding"], 0.2 * d.f["burden"],
         0.1 * d.f["funding"], 0.4 * d.f["burden"]],
        axis=1,
    )  # fmt: skip
    problems = d.topk("E5", util, (0.55, 0.30, 0.28, 0.25, 0.15, 0.18), (0.3, 0.35, 0.35))
    calm = d.latent({"burden": -0.8, "general": -0.3}) > 1.2
    options = ("1", "2", "3", "4", "5", "6", "9")
    cols["E5"] = Column(MULTI, _with_exclusive(problems, calm), options, project)
    hours = np.exp(np.log(5.0) + 0.35 * d.f["burden"] + d.rng.normal(0, 0.6, d.n))
    cols["E6"] = Column(INT, np.clip(np.round(hours), 0, 120).astype(np.int64), shown=project)
    reason = np.log(np.array([0.30, 0.20, 0.15, 0.15, 0.17, 0.03])) + np.outer(
        m.enterprise, [0.8, -0.5, 0, 0, 0, 0]
    )
    reason = reason + np.outer(m.young, [-0.5, 0.3, 0.3, 0.3, 0, 0])
    cols["E7"] = _code(d.pick(reason), ("1", "2", "3", "4", "5", "99"), ~project)
    reform = d.latent({"burden": 0.5, "funding": 0.3, "general": 0.4})
    cols["E8"] = _code(d.ordinal("E8", reform, (0.05, 0.25, 0.42, 0.20, 0.08), False), AGREE)


def _section_f(d: Draw, cols: dict[str, Column]) -> None:
    m = d.m
    status = np.log(np.array([0.18, 0.22, 0.14, 0.36, 0.10])) + np.outer(
        d.f["career"], [-0.3, 0, 0.5, 0.2, -0.3]
    )
    status = status + np.outer(m.young, [0, 0, -0.3, 0.9, -3])
    f1 = np.where(m.senior, np.where(d.rng.uniform(size=d.n) < 0.85, 4, 0), d.pick(status))
    cols["F1"] = _code(f1, AGREE)
    confidence = d.latent({"career": 0.9, "general": 0.4})
    cols["F2"] = _code(d.ordinal("F2", confidence, (0.10, 0.32, 0.36, 0.16, 0.06), False), AGREE)
    rate = 2.4 + 1.0 * m.of("health") - 1.0 * m.of("agri_extension") - 0.9 * m.of("county_cast")
    cols["F3"] = Column(INT, np.minimum(d.poisson(rate - 0.2 * d.f["career"]), 50))
    util = np.stack(
        [1.2 * m.academic - 0.6 * m.enterprise, 0.8 * m.academic + 0.5 * m.of("health"),
         0.4 * m.academic, 0.2 * m.young, 0.3 * m.of("school")],
        axis=1,
    )  # fmt: skip
    attended = d.topk("F4", util, (0.08, 0.35, 0.22, 0.12, 0.45), (0.5, 0.3, 0.2))
    isolated = (
        d.latent({"career": 0.5}, extra=0.9 * m.of("agri_extension") + 0.6 * m.of("county_cast"))
        > 1.3
    )
    cols["F4"] = Column(MULTI, _with_exclusive(attended, isolated), ("1", "2", "3", "4", "5", "9"))
    move = d.latent({"career": 0.6, "money": 0.5, "general": 0.3}, extra=0.3 * m.young)
    f5 = d.ordinal("F5", move, (0.07, 0.21, 0.72), True)
    # The latent orders 1 (clear plan) … 3 (no plan); "can't say" (4) comes from "no".
    f5 = np.where((f5 == 2) & (d.rng.uniform(size=d.n) < 0.2), 3, f5)
    cols["F5"] = _code(f5, ("1", "2", "3", "4"))
    moving = f5 <= 1
    util = np.stack(
        [0.8 * d.f["money"], 0.8 * d.f["career"], 0.5 * d.f["climate"], 0.4 * d.f["funding"],
         0.6 * d.f["life"], 0.3 * d.m.female, np.zeros(d.n)],
        axis=1,
    )  # fmt: skip
    reasons = d.topk("F6", util, (0.55, 0.50, 0.20, 0.18, 0.20, 0.10, 0.02), (0.2, 0.3, 0.5))
    cols["F6"] = Column(MULTI, reasons, ("1", "2", "3", "4", "5", "6", "99"), moving)
    where = np.log(np.array([0.30, 0.20, 0.35, 0.08, 0.02, 0.05])) + np.outer(
        m.young, [-0.3, 0, 0.5, 0.2, 0.3, 0]
    )
    cols["F7"] = _code(d.pick(where), ("1", "2", "3", "4", "5", "6"), moving)
    chances = d.latent({"career": 0.8, "general": 0.3})
    cols["F8"] = _code(d.ordinal("F8", chances, (0.08, 0.27, 0.33, 0.22, 0.10), False), AGREE)


def _section_g(d: Draw, cols: dict[str, Column]) -> None:
    p, m, f = d.pop, d.m, d.f
    carers = (p.age >= 40) & (p.age < 56)
    util = np.stack(
        [0.9 * f["money"] + 0.3 * f["life"], 0.8 * f["work"], 0.8 * f["eval"],
         0.6 * f["career"] + 0.4 * m.young - 0.9 * m.senior, 0.7 * f["life"] + 0.5 * m.young,
         0.6 * f["life"] + 0.8 * m.mid - 0.5 * m.old, 0.6 * carers + 0.3 * m.old,
         0.5 * f["work"] + 0.4 * m.old, 0.3 * f["climate"]],
        axis=1,
    )  # fmt: skip
    targets = (0.36, 0.48, 0.32, 0.26, 0.16, 0.22, 0.13, 0.11, 0.06)
    sources = d.topk("G1", util, targets, (0.25, 0.35, 0.40))
    relaxed = d.latent({"work": -0.4, "money": -0.4, "life": -0.3, "general": -0.5})
    calm = d.ordinal("G1_none", relaxed, (0.93, 0.07), False) == 1
    options = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "99")
    cols["G1"] = Column(MULTI, _with_exclusive(sources, calm), options)
    pressure = d.latent({"work": 0.5, "money": 0.35, "life": 0.3, "general": 0.3})
    cols["G2"] = _code(d.ordinal("G2", pressure, (0.20, 0.38, 0.32, 0.08, 0.02), True), AGREE)
    ill = d.latent({"work": 0.4, "general": 0.3}, extra=0.03 * (p.age - 40))
    cols["G3"] = _code(d.ordinal("G3", ill, (0.10, 0.35, 0.40, 0.13, 0.02), False), AGREE)
    checkup = d.rng.uniform(size=d.n) < 0.88 - 0.2 * m.of("sme") - 0.1 * m.of("park")
    cols["G4"] = _code(np.where(checkup, 0, 1), ("1", "2"))
    sleep = 7.0 - 0.3 * f["work"] + d.rng.normal(0, 0.7, d.n)
    cols["G5"] = Column(FLOAT, np.clip(np.round(sleep * 2) / 2, 3.0, 11.0))
    housing = np.log(np.array([0.32, 0.38, 0.06, 0.14, 0.09, 0.01])) + np.outer(
        m.young, [-1.2, -0.2, 1.0, 1.0, 0.9, 0]
    )
    housing = housing + np.outer(m.old, [1.2, -0.8, -1, -1, -1, 0])
    g6 = d.pick(housing)
    cols["G6"] = _code(g6, ("1", "2", "3", "4", "5", "99"))
    burden = d.latent({"life": 0.8, "money": 0.3})
    cols["G7"] = _code(d.ordinal("G7", burden, (0.15, 0.45, 0.30, 0.10), False), AGREE[:4], g6 == 1)
    kids = d.rng.uniform(size=d.n) < np.interp(
        p.age, [23, 30, 36, 45, 52, 60], [0.02, 0.2, 0.6, 0.75, 0.3, 0.03]
    )
    cols["G8"] = _code(np.where(kids, 0, 1), ("1", "2"))
    school = d.latent({"life": 0.8, "general": 0.3})
    cols["G9"] = _code(d.ordinal("G9", school, (0.08, 0.30, 0.35, 0.19, 0.08), False), AGREE, kids)


def _section_h_i(d: Draw, cols: dict[str, Column]) -> None:
    rows = {
        "H1_r1": (0.05, 0.12, 0.30, 0.35, 0.18),
        "H1_r2": (0.04, 0.10, 0.26, 0.36, 0.24),
        "H1_r3": (0.06, 0.16, 0.34, 0.30, 0.14),
        "H1_r4": (0.11, 0.24, 0.33, 0.23, 0.09),
        "H1_r5": (0.06, 0.12, 0.26, 0.32, 0.24),
    }
    for code, probs in rows.items():
        latent = d.latent({"climate": 0.8, "general": 0.2}, noise=1.6)
        cols[code] = _code(d.ordinal(code, latent, probs, True), AGREE)
    atmosphere = d.latent({"climate": 0.9, "general": 0.3})
    cols["H2"] = _code(d.ordinal("H2", atmosphere, (0.10, 0.38, 0.38, 0.10, 0.04), False), AGREE)
    cols["H3"] = _code(d.pick(np.log(np.array([0.72, 0.12, 0.16]))), ("1", "2", "3"))
    free = d.latent({"climate": 0.8, "general": 0.3})
    cols["H4"] = _code(d.ordinal("H4", free, (0.14, 0.40, 0.30, 0.12, 0.04), False), AGREE)
    seniority = d.latent({"climate": 0.8, "career": 0.3})
    cols["H5"] = _code(d.ordinal("H5", seniority, (0.14, 0.30, 0.32, 0.18, 0.06), True), AGREE)
    policy = {
        "I1_r1": ({"career": 0.4}, (0.06, 0.28, 0.42, 0.17, 0.07)),
        "I1_r2": ({"funding": 0.4, "burden": 0.3}, (0.05, 0.26, 0.42, 0.19, 0.08)),
        "I1_r3": ({"career": 0.5, "eval": 0.3}, (0.05, 0.22, 0.40, 0.23, 0.10)),
        "I1_r4": ({"eval": 0.3}, (0.05, 0.22, 0.48, 0.18, 0.07)),
        "I1_r5": ({"money": 0.6}, (0.04, 0.18, 0.40, 0.26, 0.12)),
        "I1_r6": ({"life": 0.6}, (0.05, 0.20, 0.40, 0.23, 0.12)),
    }
    for code, (loads, probs) in policy.items():
        latent = d.latent({**loads, "general": 0.5}, noise=1.3)
        cols[code] = _code(d.ordinal(code, latent, probs, False), AGREE)
    known = np.log(np.array([0.10, 0.35, 0.45, 0.10])) + np.outer(
        d.pop.in_sectors({"county_cast", "society"}), [1.5, 1, -0.5, -1]
    )
    i2 = d.pick(known)
    cols["I2"] = _code(i2, ("1", "2", "3", "4"))
    service = d.latent({"general": 0.6}, extra=0.3 * (i2 - 1.5))
    cols["I3"] = _code(
        d.ordinal("I3", service, (0.12, 0.40, 0.38, 0.07, 0.03), False), AGREE, i2 != 3
    )
    m = d.m
    util = np.stack(
        [0.6 * m.academic, 0.3 * m.of("school"), 0.3 * m.young, 0.3 * d.f["general"],
         0.5 * d.f["career"], 0.8 * m.enterprise, 0.3 * d.f["climate"], np.zeros(d.n)],
        axis=1,
    )  # fmt: skip
    wishes = d.topk("I4", util, (0.45, 0.15, 0.25, 0.30, 0.45, 0.25, 0.30, 0.02), (0.15, 0.25, 0.6))
    cols["I4"] = Column(MULTI, wishes, ("1", "2", "3", "4", "5", "6", "7", "99"))
    member = d.rng.uniform(size=d.n) < 0.25 + 0.25 * m.academic + 0.3 * m.of("society")
    cols["I5"] = _code(np.where(member, 0, 1), ("1", "2"))
    voiced = d.rng.uniform(size=d.n) < 0.10 + 0.1 * member
    cols["I6"] = _code(np.where(voiced, 0, 1), ("1", "2"))


def _section_j(d: Draw, cols: dict[str, Column]) -> None:
    f, m = d.f, d.m
    project = cols["E1"].values == 0
    agri, county = m.of("agri_extension"), m.of("county_cast")
    school, health = m.of("school"), m.of("health")
    util = np.stack(
        [
            0.8 * f["funding"] + 0.3 * project,  # G01
            0.5 * f["burden"] + 0.3 * f["funding"] + 0.8 * project - 0.4,  # G02
            0.9 * f["eval"],  # G03
            0.9 * f["money"],  # G04
            0.8 * f["work"] + 0.4 * health,  # G05
            0.9 * f["burden"],  # G06
            0.6 * f["career"] + 0.5 * m.young - 0.9 * m.senior,  # G07
            0.4 * f["climate"] + 0.3 * f["eval"] + 0.3 * m.academic,  # G08
            0.7 * f["career"] + 0.7 * m.young - 0.6 * m.old,  # G09
            0.2 * f["career"] + 1.3 * agri + 0.6 * county + 0.3 * school,  # G10
            0.6 * f["climate"] + 0.3 * m.academic,  # G11
            1.1 * m.enterprise + 0.3 * m.of("research") - 0.8 * school - 0.6 * health,  # G12
            0.9 * f["life"] + 0.45 * m.young,  # G13
            0.4 * f["work"] + 0.3 * m.old + 0.3 * health,  # G14
            1.1 * agri + 0.6 * county + 0.3 * school + 0.2 * m.of("sme"),  # G15
            0.4 * f["burden"] + 0.3 * f["climate"] + 0.3 * m.academic,  # G16
            np.zeros(d.n),  # G00
        ],
        axis=1,
    )
    shift = np.array([d.scenario.grievance_shift.get(code, 0.0) for code in GRIEVANCES])
    targets = tuple(GRIEVANCE_TARGETS[code] for code in GRIEVANCES)
    cols["J1"] = Column(MULTI, d.topk("J1", util + shift, targets, J1_COUNTS), GRIEVANCES)
