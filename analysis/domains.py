"""Estimates for every domain of one or more crossed variables (R's ``svyby``).

All domains are estimated on the full design in one vectorised pass, so besides R's
per-domain variances the joint covariance between domains is available (domains share
PSUs, so their estimates are correlated); comparisons of domains use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from instruments.messages import gettext_noop

from ._arrays import FloatArray, IntArray, as_mask
from ._engine import linear
from ._values import by_variables, cross_domains, make_values
from .design import Design
from .errors import AnalysisError
from .estimates import Deff, Estimate, design_effect, interval


@dataclass(frozen=True, eq=False)
class DomainEstimate:
    """Statistics per domain. Arrays are (domains x terms); ``vcov`` is the joint
    covariance of all of them, domain-major (index ``d * len(terms) + j``)."""

    statistic: str
    by: tuple[str, ...]
    domains: tuple[tuple[str, ...], ...]
    terms: tuple[str, ...]
    variables: tuple[str, ...]
    levels: tuple[str | None, ...]
    estimate: FloatArray
    vcov: FloatArray
    n: IntArray
    cases: IntArray | None
    deff: FloatArray | None
    degf: IntArray

    @property
    def domain_names(self) -> tuple[str, ...]:
        """R's row names of svyby output: labels joined with '.'."""
        return tuple(".".join(d) for d in self.domains)

    @property
    def se(self) -> FloatArray:
        d, m = self.estimate.shape
        return np.sqrt(np.diag(self.vcov)).reshape(d, m)

    def confint(
        self, level: float = 0.95, df: float | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Normal intervals by default, as ``svyby(..., vartype='ci')``."""
        return interval(self.estimate, self.se, level, df)

    def domain_index(self, domain: str | Sequence[str]) -> int:
        key = (domain,) if isinstance(domain, str) else tuple(domain)
        names = self.domain_names
        if key in self.domains:
            return self.domains.index(key)
        if isinstance(domain, str) and domain in names:
            return names.index(domain)
        raise AnalysisError(gettext_noop("Unknown domain {domain}."), domain=str(domain))

    def term_index(self, term: str | None) -> int:
        if term is None:
            if len(self.terms) != 1:
                raise AnalysisError(gettext_noop("Name the term: this result has several."))
            return 0
        if term not in self.terms:
            raise AnalysisError(gettext_noop("Unknown term {term}."), term=term)
        return self.terms.index(term)

    def flat_index(self, domain: str | Sequence[str], term: str | None = None) -> int:
        return self.domain_index(domain) * len(self.terms) + self.term_index(term)

    def get(self, domain: str | Sequence[str], term: str | None = None) -> tuple[float, float]:
        """(estimate, standard error) of ``term`` in ``domain``."""
        d, j = self.domain_index(domain), self.term_index(term)
        return float(self.estimate[d, j]), float(self.se[d, j])

    def domain(self, domain: str | Sequence[str]) -> Estimate:
        """One domain's results as an :class:`Estimate`."""
        d = self.domain_index(domain)
        m = len(self.terms)
        block = slice(d * m, (d + 1) * m)
        return Estimate(
            statistic=self.statistic,
            terms=self.terms,
            variables=self.variables,
            levels=self.levels,
            estimate=self.estimate[d],
            vcov=self.vcov[block, block],
            n=np.full(m, int(self.n[d]), dtype=np.int64),
            cases=None if self.cases is None else self.cases[d],
            deff=None if self.deff is None else self.deff[d],
            degf=int(self.degf[d]),
        )

    def contrast(self, weights: Sequence[float] | FloatArray) -> tuple[float, float]:
        """A linear combination of the flattened estimates and its standard error."""
        c = np.asarray(weights, dtype=np.float64)
        if c.shape != (self.estimate.size,):
            raise AnalysisError(
                gettext_noop("A contrast needs {count} coefficients."), count=self.estimate.size
            )
        return float(c @ self.estimate.ravel()), float(np.sqrt(c @ self.vcov @ c))


def by(
    design: Design,
    values: Any,
    by: Any,
    *,
    statistic: Literal["mean", "total"] = "mean",
    name: str = "y",
    by_names: Sequence[str] | None = None,
    where: Any = None,
    na_rm: bool = True,
    deff: Deff = False,
) -> DomainEstimate:
    """``statistic`` of ``values`` in every domain of ``by`` (one variable or a list of
    variables that are crossed; the first varies fastest, as R orders them).

    Domains without respondents of positive weight are left out, as ``svyby`` does.
    """
    by_list = by_variables(by)
    names = (
        tuple(by_names)
        if by_names is not None
        else tuple(f"by{i + 1}" for i in range(len(by_list)))
    )
    if statistic not in ("mean", "total"):
        raise AnalysisError(gettext_noop("Unknown statistic {statistic}."), statistic=statistic)
    vals = make_values(values, design.n, name)
    rows = None if where is None else as_mask(where, design.n, "domain mask")
    if not na_rm and np.any(~vals.ok() & (design.weights != 0)):
        raise AnalysisError(
            gettext_noop("{variable} has missing values; use na_rm=True to drop them."),
            variable=", ".join(dict.fromkeys(vals.variables)),
        )
    target = design if rows is None else design.subset(rows)
    doms = cross_domains(target, by_list)
    if doms.count == 0:
        raise AnalysisError(gettext_noop("No domain has respondents."))
    lin = linear(target, vals, doms, statistic, None, rows)
    d_eff = None if deff is False else design_effect(lin, vals, target, statistic, deff)
    return DomainEstimate(
        statistic=statistic,
        by=names,
        domains=doms.labels,
        terms=vals.terms,
        variables=vals.variables,
        levels=vals.levels,
        estimate=lin.estimate,
        vcov=lin.vcov,
        n=lin.n_obs,
        cases=lin.cases,
        deff=d_eff,
        degf=lin.degf,
    )
