"""The grievance table of a wave: prevalence, intensity, breadth, change, hotspots, quotes.

Pure functions over a :class:`~analysis.Dataset`, the :class:`Indicators` of its
respondents and the design the dataset describes (stations as PSUs, ``stratum`` as strata,
the final weights as design weights — as :func:`analysis.wave_table` does). Definitions
are in :mod:`analysis.grievances.table`; the choices behind them:

* **Prevalence** reuses the wave-table engine: the indicators become 0/1 columns of a
  small dataset and go through :func:`analysis.wavetable.wave_estimates` (weighted share,
  linearisation SE, svyciprop logit interval, per-domain estimates on the full design) and
  :func:`analysis.suppress` (primary and complementary suppression, k = 10).
* **Intensity** is 1 / (number of ranked grievances named), averaged over those naming the
  code: J1 allows up to three unranked choices, so "named first" does not exist; a
  grievance that is often someone's *only* one is felt more strongly than one that is
  always listed third. It is blank when fewer than k respondents name the code.
* **Breadth** counts stations and sectors with at least k respondents (smaller ones say
  little and must not be published anyway). A code is *present* in a unit when its
  prevalence there reaches the threshold (default 20%) or it is among the unit's five most
  named codes (ties included) — a problem can be a local top concern below the
  threshold. Only codes named by at least k respondents of the unit take part in the
  local top five: among sixteen codes many are rare, and two or three mentions must not
  make a "top" code by chance. Breadth is the mean of the station share and the
  sector share, so a handful of sectors weighs as much as many stations.
* **Ranking**: score = prevalence x (0.5 + 0.5 x breadth). Prevalence is the size of the
  problem; breadth scales it by up to one half, so a grievance as frequent as another
  but confined to a few stations ranks lower (it is a local problem, not a common one),
  while even a fully local problem keeps half its weight and is not hidden. Ties go to
  the higher CI lower bound: of two equal scores the better established comes first.
* **Change** compares with the previous wave's published prevalence and SE as independent
  samples (variances add; normal reference), Benjamini-Hochberg over the codes.
* **Hotspots** test each domain against the rest of the sample on the full design (the
  influence of the difference of two domain means, as :func:`analysis.compare_domains`,
  t with the design df - 1), only domains and rests of at least k respondents; BH over all
  tests of the table; a hotspot is significantly *higher* at level 1 - ``level``.
* **Model**: quasibinomial :func:`analysis.svyglm` of the indicator on sector, age group,
  title and region; levels with fewer than k respondents leave the model (their rows with
  them), the reference of each variable is its largest level; BH over the terms of each
  code's model (a reader looks at one grievance's profile at a time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from instruments.messages import gettext_noop

from .._arrays import Factor
from ..codebook import Codebook, Kind, Variable
from ..dataset import Dataset
from ..design import Design, LonelyPSU
from ..errors import AnalysisError
from ..estimates import mean as svymean
from ..hypothesis_tests import benjamini_hochberg, compare_independent
from ..models import model_matrix, svyglm
from ..suppression import DEFAULT_K, suppress
from ..table import PUBLISHED, EstimateTable, mean_ci
from ..text.classify import TextClassifier
from ..text.scrub import scrub
from ..text.themes import discover_themes
from ..wavetable import wave_estimates
from .indicators import Indicators, grievance_indicators
from .table import (
    Change,
    GrievanceRow,
    GrievanceTable,
    Hotspot,
    ModelSummary,
    OddsRatio,
    QuoteRow,
    ThemeRow,
    clean,
)
from .taxonomy import Taxonomy, load_taxonomy

__all__ = ["HOTSPOT_BY", "MODEL_TERMS", "grievance_table", "indicator_dataset"]

HOTSPOT_BY: tuple[str, ...] = ("sector", "region", "title", "age_group")
MODEL_TERMS: tuple[str, ...] = ("sector", "age_group", "title", "region")
QUOTE_CHARS = 160
_COPY = ("station", "stratum", "weight", "sector", "region", "title", "age_group", "sex")


def indicator_dataset(ds: Dataset, ind: Indicators, taxonomy: Taxonomy) -> Dataset:
    """The indicators as 0/1 columns (-1: not determinable) of a dataset that keeps the
    design and domain columns of ``ds``: the wave-table engine can then estimate them."""
    if ind.n != ds.n:
        raise AnalysisError(
            gettext_noop("The indicators have {got} rows but the dataset has {expected}."),
            got=ind.n,
            expected=ds.n,
        )
    variables: list[Variable] = []
    columns: dict[str, np.ndarray] = {}
    for j, code in enumerate(ind.codes):
        g = taxonomy[code]
        variables.append(Variable(code, Kind.MULTI, dict(g.label), item="grievance", option=code))
        v = ind.values[:, j]
        columns[code] = np.where(np.isnan(v), -1, v).astype(np.int8)
    for name in _COPY:
        if name in ds.columns:
            columns[name] = ds.columns[name]
            variables.append(ds.codebook[name])
    book = Codebook(tuple(variables), ds.codebook.language)
    return Dataset(book, columns, fingerprint=ds.fingerprint)


def grievance_table(
    ds: Dataset,
    indicators: Indicators | None = None,
    *,
    taxonomy: Taxonomy | None = None,
    classifier: TextClassifier | None = None,
    previous: GrievanceTable | None = None,
    wave: str = "",
    k: int = DEFAULT_K,
    level: float = 0.95,
    strata: bool = True,
    lonely_psu: LonelyPSU = "fail",
    units: Sequence[str] = (),
    hotspot_by: Sequence[str] = HOTSPOT_BY,
    model_terms: Sequence[str] = MODEL_TERMS,
    themes: bool = True,
    models: bool = True,
) -> GrievanceTable:
    """The suppressed grievance table of a wave (see the module doc and
    :mod:`analysis.grievances.table`). ``units`` are host institution names to scrub
    from quotes; ``previous`` the previous comparable wave's table."""
    tax = taxonomy or load_taxonomy()
    ind = indicators or grievance_indicators(ds, tax, classifier=classifier)
    settings = tax.settings
    design = ds.design(strata=strata, lonely_psu=lonely_psu)
    gds = indicator_dataset(ds, ind, tax)
    present = [c for c in ind.codes if (ind.values[:, ind.index(c)] >= 0).any()]
    by_pub = [b for b in hotspot_by if b in ds.columns]
    common_kw: dict[str, Any] = {"level": level, "strata": strata, "lonely_psu": lonely_psu}
    if present:
        raw = wave_estimates(gds, by=by_pub, variables=present, **common_kw)
        pub = suppress(raw, k)
        units_by = [b for b in ("station", "sector") if b in ds.columns]
        inner = wave_estimates(gds, by=units_by, variables=present, **common_kw)
    else:
        pub = inner = EstimateTable.from_columns({"variable": []})
    cells = _Cells(pub)
    inner_cells = _Cells(inner)
    named = ind.named()
    breadth = _breadth(inner_cells, ind, tax, k, ds)
    hotspots = _hotspots(ds, design, ind, tax, cells, by_pub, k, level)
    model = _models(ds, design, ind, tax, model_terms, k, level) if models else {}
    station = ds.factor("station")
    quotable_rows = _quotable_rows(station, k)
    quotes = _quotes(ds, ind, tax, station, quotable_rows, units, settings.quotes_per_code)
    rows = []
    for code in ind.codes:
        g = tax[code]
        j = ind.index(code)
        c = cells.get(code, "", "")
        published = c is not None and c["flag"] == PUBLISHED
        inten = _intensity(design, ind.values[:, j], named, k, level) if g.ranked else None
        b = breadth.get(code)
        rows.append(
            GrievanceRow(
                code=code,
                label=dict(g.label),
                policy_area=dict(g.policy_area),
                suggested_action=dict(g.suggested_action),
                ranked=g.ranked,
                rank=None,
                score=None,
                common=False,
                suppressed=not published,
                n=_int(c["n"]) if c else None,
                count=_int(c["count"]) if published and c else None,
                prevalence=clean(c["estimate"]) if published and c else None,
                se=clean(c["se"]) if published and c else None,
                ci_l=clean(c["ci_l"]) if published and c else None,
                ci_u=clean(c["ci_u"]) if published and c else None,
                df=_int(c["df"]) if c else None,
                intensity=inten[0] if inten and published else None,
                intensity_ci_l=inten[1] if inten and published else None,
                intensity_ci_u=inten[2] if inten and published else None,
                breadth=b["breadth"] if b and published else None,
                breadth_stations=b["stations"] if b and published else None,
                breadth_sectors=b["sectors"] if b and published else None,
                stations_counted=b["stations_counted"] if b else 0,
                stations_present=b["stations_present"] if b and published else 0,
                sectors_counted=b["sectors_counted"] if b else 0,
                sectors_present=b["sectors_present"] if b and published else 0,
                hotspots=tuple(hotspots.get(code, ())) if published else (),
                model=model.get(code) if published and g.ranked else None,
                quotes=tuple(quotes.get(code, ())) if published else (),
            )
        )
    rows = _changes(rows, previous)
    rows = _rank(rows, settings.common_breadth)
    theme_rows: tuple[ThemeRow, ...] = ()
    n_unclassified = int(ind.unclassified.sum())
    if themes and n_unclassified:
        texts: list[str | None] = []
        theme_quotable: set[int] = set()
        for s, item in enumerate(ind.text_items):
            col = ds.text(item)
            for i in np.flatnonzero(ind.unclassified[:, s]):
                if quotable_rows[i]:
                    theme_quotable.add(len(texts))
                texts.append(col[int(i)])
        found = discover_themes(texts, min_size=k, units=units, quotable=theme_quotable)
        theme_rows = tuple(
            ThemeRow(t.terms, t.size, tuple(_shorten(e) for e in t.examples)) for t in found
        )
    wrote = np.zeros(ds.n, dtype=bool)
    for item in ind.text_items:
        wrote |= ~ds.text(item).missing
    return GrievanceTable(
        taxonomy_version=tax.version,
        wave=wave,
        previous_wave=previous.wave if previous is not None else None,
        k=int(k),
        level=float(level),
        n_respondents=ds.n,
        n_determinable=int((~np.isnan(ind.values)).any(axis=1).sum()),
        n_open_answers=int(wrote.sum()),
        n_unclassified=n_unclassified,
        rows=tuple(rows),
        themes=theme_rows,
        settings={
            "breadth_threshold": settings.breadth_threshold,
            "local_top": settings.local_top,
            "common_breadth": settings.common_breadth,
            "quotes_per_code": settings.quotes_per_code,
        },
        missing_items=ind.missing_items,
    )


# ------------------------------------------------------------------ helpers ----
def _int(value: Any) -> int | None:
    v = int(value)
    return v if v >= 0 else None


class _Cells:
    """Rows of an EstimateTable by (variable, by, domain)."""

    def __init__(self, table: EstimateTable) -> None:
        self.table = table
        self.index = {
            (v, b, d): i
            for i, (v, b, d) in enumerate(
                zip(table.variable.tolist(), table.by.tolist(), table.domain.tolist(), strict=True)
            )
        }

    def get(self, variable: str, by: str, domain: str) -> dict[str, Any] | None:
        i = self.index.get((variable, by, domain))
        if i is None:
            return None
        t = self.table
        return {
            "n": t.n[i],
            "count": t.count[i],
            "estimate": t.estimate[i],
            "se": t.se[i],
            "ci_l": t.ci_l[i],
            "ci_u": t.ci_u[i],
            "df": t.df[i],
            "flag": t.flag[i],
        }

    def domain_values(self, by: str) -> dict[str, dict[str, tuple[float, int, int]]]:
        """{domain: {code: (estimate, n, count)}} for one breakdown."""
        t = self.table
        out: dict[str, dict[str, tuple[float, int, int]]] = {}
        for i in np.flatnonzero(t.by == by):
            out.setdefault(str(t.domain[i]), {})[str(t.variable[i])] = (
                float(t.estimate[i]),
                int(t.n[i]),
                int(t.count[i]),
            )
        return out


def _breadth(
    cells: _Cells, ind: Indicators, tax: Taxonomy, k: int, ds: Dataset
) -> dict[str, dict[str, Any]]:
    s = tax.settings
    ranked = set(ind.ranked)
    shares: dict[str, dict[str, list[int]]] = {c: {} for c in ind.codes}
    for by in ("station", "sector"):
        if by not in ds.columns:
            continue
        for _, values in cells.domain_values(by).items():
            eligible = {c: v for c, v in values.items() if v[1] >= k and np.isfinite(v[0])}
            # the local top: codes named by at least k respondents of the unit, so that
            # a handful of mentions among equally rare codes does not make a "top" code
            ranking = sorted(
                (v[0] for c, v in eligible.items() if c in ranked and v[2] >= k), reverse=True
            )
            cutoff = ranking[s.local_top - 1] if len(ranking) >= s.local_top else 0.0
            for code, (p, _, count) in eligible.items():
                local = code in ranked and count >= k and p > 0 and p >= cutoff
                hit = p >= s.breadth_threshold or local
                counts = shares[code].setdefault(by, [0, 0])
                counts[0] += 1
                counts[1] += int(hit)
    out: dict[str, dict[str, Any]] = {}
    for code, per in shares.items():
        st = per.get("station", [0, 0])
        se = per.get("sector", [0, 0])
        fs = st[1] / st[0] if st[0] else None
        fc = se[1] / se[0] if se[0] else None
        parts = [x for x in (fs, fc) if x is not None]
        out[code] = {
            "breadth": float(np.mean(parts)) if parts else None,
            "stations": fs,
            "sectors": fc,
            "stations_counted": st[0],
            "stations_present": st[1],
            "sectors_counted": se[0],
            "sectors_present": se[1],
        }
    return out


def _intensity(
    design: Design, y: np.ndarray, named: np.ndarray, k: int, level: float
) -> tuple[float | None, float | None, float | None] | None:
    namers = (y == 1) & (named > 0)
    if int(namers.sum()) < k:
        return None
    x = np.where(namers, 1.0 / np.where(named > 0, named, 1.0), np.nan)
    est = svymean(design, x, name="intensity", where=namers)
    lo, hi = mean_ci(est.estimate, est.se, np.array([est.degf]), level)
    return clean(est.estimate[0]), clean(lo[0]), clean(hi[0])


def _domain_vs_rest(design: Design, y: np.ndarray, fac: Factor) -> tuple[np.ndarray, ...]:
    """Per level: domain mean, rest mean, difference, its SE, n domain, n rest, df.

    Vectorised over levels: the influence of a respondent on "level minus the rest" is
    ``w (y - p_rest) / w_rest`` with a minus sign for every level but their own, where it
    is ``w (y - p_level) / w_level``."""
    grouped = fac.codes >= 0
    two = design.subset(grouped)
    w = two.weights
    valid = ~np.isnan(y) & grouped & (w > 0)
    n_lv = fac.n_levels
    rows = np.flatnonzero(valid)
    code, wv = fac.codes[rows], w[rows]
    yv = y[rows]
    wy = wv * yv
    n_d = np.bincount(code, minlength=n_lv).astype(np.int64)
    n_r = rows.size - n_d
    wd = np.bincount(code, weights=wv, minlength=n_lv)
    wr = float(wv.sum()) - wd
    sd = np.bincount(code, weights=wy, minlength=n_lv)
    ok = (wd > 0) & (wr > 0)
    wd_safe, wr_safe = np.where(ok, wd, 1.0), np.where(ok, wr, 1.0)
    p_d = np.where(ok, sd / wd_safe, np.nan)
    p_r = np.where(ok, (float(wy.sum()) - sd) / wr_safe, np.nan)
    p_d0, p_r0 = np.where(ok, p_d, 0.0), np.where(ok, p_r, 0.0)
    part = -(wv[:, None] * (yv[:, None] - p_r0[None, :])) / wr_safe[None, :]
    part[np.arange(rows.size), code] = wv * (yv - p_d0[code]) / wd_safe[code]
    part[:, ~ok] = 0.0
    infl = np.zeros((design.n, n_lv))
    infl[rows] = part
    var = np.diag(two.vcov_from_influence(infl))
    se = np.sqrt(np.maximum(var, 0.0))
    return p_d, p_r, p_d - p_r, se, n_d, n_r, np.full(n_lv, two.degf() - 1)


def _labels(ds: Dataset, by: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    var = ds.codebook.get(by)
    if var is None:
        return {}, {}
    return dict(var.labels), {lv.code: dict(lv.labels) for lv in var.levels}


def _hotspots(
    ds: Dataset,
    design: Design,
    ind: Indicators,
    tax: Taxonomy,
    cells: _Cells,
    by_list: Sequence[str],
    k: int,
    level: float,
) -> dict[str, list[Hotspot]]:
    from scipy import stats

    tests: list[dict[str, Any]] = []
    for by in by_list:
        fac = ds.factor(by)
        by_label, level_labels = _labels(ds, by)
        for code in ind.ranked:
            y = ind.values[:, ind.index(code)]
            if np.isnan(y).all():
                continue
            _, p_r, diff, se, n_d, n_r, df = _domain_vs_rest(design, y, fac)
            for lv, name in enumerate(fac.levels):
                c = cells.get(code, by, name)
                if n_d[lv] < k or n_r[lv] < k or not (se[lv] > 0) or df[lv] <= 0:
                    continue
                if c is None or c["flag"] != PUBLISHED:
                    continue
                stat = diff[lv] / se[lv]
                p = float(2 * stats.t.sf(abs(stat), df[lv]))
                q = stats.t.ppf(0.5 + level / 2, df[lv])
                tests.append(
                    {
                        "code": code,
                        "by": by,
                        "by_label": by_label,
                        "domain": name,
                        "domain_label": level_labels.get(name, {}),
                        "n": int(c["n"]),
                        "prevalence": clean(c["estimate"]),
                        "ci_l": clean(c["ci_l"]),
                        "ci_u": clean(c["ci_u"]),
                        "rest": clean(p_r[lv]),
                        "difference": clean(diff[lv]),
                        "diff_ci_l": clean(diff[lv] - q * se[lv]),
                        "diff_ci_u": clean(diff[lv] + q * se[lv]),
                        "p_value": p,
                    }
                )
    out: dict[str, list[Hotspot]] = {}
    if not tests:
        return out
    adjusted = benjamini_hochberg([t["p_value"] for t in tests])
    alpha = 1.0 - level
    for t, q in zip(tests, adjusted, strict=True):
        if q < alpha and (t["difference"] or 0.0) > 0:
            code = t.pop("code")
            out.setdefault(code, []).append(Hotspot(**t, p_adjusted=clean(q)))
    for code in out:
        out[code].sort(key=lambda h: -(h.difference or 0.0))
    return out


def _factor_for_model(fac: Factor, rows: np.ndarray, k: int) -> Factor | None:
    """Levels with k or more respondents among ``rows``, the largest first (reference)."""
    counts = np.bincount(fac.codes[rows & (fac.codes >= 0)], minlength=fac.n_levels)
    keep = [lv for lv in range(fac.n_levels) if counts[lv] >= k]
    if len(keep) < 2:
        return None
    ref = max(keep, key=lambda lv: (counts[lv], -lv))
    order = [ref] + [lv for lv in keep if lv != ref]
    remap = np.full(fac.n_levels + 1, -1, dtype=np.int64)
    for new, old in enumerate(order):
        remap[old] = new
    return Factor(remap[fac.codes], tuple(fac.levels[lv] for lv in order))


def _models(
    ds: Dataset,
    design: Design,
    ind: Indicators,
    tax: Taxonomy,
    terms: Sequence[str],
    k: int,
    level: float,
) -> dict[str, ModelSummary]:
    out: dict[str, ModelSummary] = {}
    pending: list[tuple[str, list[dict[str, Any]], int]] = []
    names = [t for t in terms if t in ds.columns]
    for code in ind.ranked:
        y = ind.values[:, ind.index(code)]
        rows = ~np.isnan(y)
        factors: dict[str, Factor] = {}
        for name in names:
            f = _factor_for_model(ds.factor(name), rows, k)
            if f is not None:
                factors[name] = f
        if not factors:
            out[code] = ModelSummary(None, (), "no covariate with two levels of k respondents")
            continue
        x, _ = model_matrix(factors, ds.n)
        used = rows & ~np.isnan(x).any(axis=1)
        pos = int((y[used] == 1).sum())
        if pos < k or int(used.sum()) - pos < k:
            out[code] = ModelSummary(None, (), "fewer than k respondents with or without it")
            continue
        try:
            fit = svyglm(design, x, y, family="quasibinomial")
        except AnalysisError as exc:
            out[code] = ModelSummary(None, (), str(exc))
            continue
        or_, lo, hi = fit.odds_ratios(level)
        pv = fit.p_values
        col = 1
        terms_out = []
        for name, f in factors.items():
            _, labels = _labels(ds, name)
            counts = np.bincount(f.codes[used & (f.codes >= 0)], minlength=f.n_levels)
            for lv in range(1, f.n_levels):
                terms_out.append(
                    {
                        "variable": name,
                        "level": f.levels[lv],
                        "level_label": labels.get(f.levels[lv], {}),
                        "reference": f.levels[0],
                        "reference_label": labels.get(f.levels[0], {}),
                        "n": int(counts[lv]),
                        "odds_ratio": clean(or_[col]),
                        "ci_l": clean(lo[col]),
                        "ci_u": clean(hi[col]),
                        "p_value": clean(pv[col]),
                    }
                )
                col += 1
        pending.append((code, terms_out, fit.n))
    for code, ts, n in pending:
        adjusted = benjamini_hochberg(np.array([t["p_value"] for t in ts], dtype=np.float64))
        out[code] = ModelSummary(
            n,
            tuple(OddsRatio(**t, p_adjusted=clean(q)) for t, q in zip(ts, adjusted, strict=True)),
        )
    return out


def _quotable_rows(station: Factor, k: int) -> np.ndarray:
    sizes = np.bincount(station.codes[station.codes >= 0], minlength=station.n_levels)
    quotable: np.ndarray = (station.codes >= 0) & (sizes[np.maximum(station.codes, 0)] >= k)
    return quotable


def _shorten(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def _quotes(
    ds: Dataset,
    ind: Indicators,
    tax: Taxonomy,
    station: Factor,
    quotable: np.ndarray,
    units: Sequence[str],
    per_code: int,
) -> dict[str, list[QuoteRow]]:
    out: dict[str, list[QuoteRow]] = {}
    if per_code <= 0 or not ind.text_items:
        return out
    sector = ds.factor("sector") if "sector" in ds.columns else None
    _, sector_labels = _labels(ds, "sector") if sector is not None else ({}, {})
    columns = [ds.text(item) for item in ind.text_items]
    for code in ind.ranked:
        j = ind.index(code)
        cand = np.flatnonzero((ind.text[:, j] == 1) & quotable & (ind.text_source[:, j] >= 0))
        if cand.size == 0:
            continue
        order = cand[np.argsort(-ind.text_scores[cand, j], kind="stable")]
        chosen: list[tuple[int, str]] = []
        seen_station: set[int] = set()
        seen_text: set[str] = set()
        for second_round in (False, True):
            for i in order:
                if len(chosen) >= per_code:
                    break
                st = int(station.codes[i])
                if not second_round and st in seen_station:
                    continue
                raw = columns[int(ind.text_source[i, j])][int(i)]
                key = (raw or "").strip()
                if not key or key in seen_text:
                    continue  # the same words from several people make one quote
                seen_text.add(key)
                seen_station.add(st)
                chosen.append((int(i), key))
        rows = []
        for i, raw in chosen:
            sec = None
            if sector is not None and sector.codes[i] >= 0:
                sec = sector.levels[sector.codes[i]]
            rows.append(
                QuoteRow(
                    _shorten(scrub(raw, units).text.strip()),
                    clean(ind.text_scores[i, j]),
                    sec,
                    sector_labels.get(sec, {}) if sec else {},
                )
            )
        out[code] = rows
    return out


def _changes(rows: list[GrievanceRow], previous: GrievanceTable | None) -> list[GrievanceRow]:
    if previous is None:
        return rows
    prev = {r.code: r for r in previous.rows}
    tests: list[tuple[int, Any]] = []
    for i, r in enumerate(rows):
        p = prev.get(r.code)
        if (
            p is None
            or r.prevalence is None
            or r.se is None
            or p.prevalence is None
            or p.se is None
            or (r.se == 0 and p.se == 0)
        ):
            continue
        tests.append((i, compare_independent(r.prevalence, r.se, p.prevalence, p.se)))
    adjusted: np.ndarray | list[float] = (
        benjamini_hochberg([d.p_value for _, d in tests]) if tests else []
    )
    out = list(rows)
    for (i, d), q in zip(tests, adjusted, strict=True):
        p = prev[rows[i].code]
        out[i] = replace(
            rows[i],
            change=Change(
                previous=clean(p.prevalence),
                previous_n=p.n,
                difference=clean(d.estimate),
                se=clean(d.se),
                ci_l=clean(d.ci_l),
                ci_u=clean(d.ci_u),
                p_value=clean(d.p_value),
                p_adjusted=clean(q),
                significant=bool(q < 0.05),
            ),
        )
    return out


def _rank(rows: list[GrievanceRow], common_breadth: float) -> list[GrievanceRow]:
    scored = []
    for r in rows:
        if r.ranked and r.prevalence is not None:
            breadth = r.breadth if r.breadth is not None else 0.0
            scored.append((r.prevalence * (0.5 + 0.5 * breadth), r))
    scored.sort(key=lambda sr: (-sr[0], -(sr[1].ci_l or 0.0), sr[1].code))
    ranked = [
        replace(
            r,
            rank=n + 1,
            score=clean(s),
            common=r.breadth is not None and r.breadth >= common_breadth,
        )
        for n, (s, r) in enumerate(scored)
    ]
    done = {r.code for r in ranked}
    return ranked + [r for r in rows if r.code not in done]
