"""Numbers as the briefing prints them, in one edition's conventions."""

from __future__ import annotations

from .phrases import Phrases


class Numbers:
    def __init__(self, ph: Phrases) -> None:
        self.ph = ph

    def pct(self, x: float | None) -> str:
        """A share (0–1) as a percentage; "—" when suppressed."""
        return self.ph("suppressed") if x is None else self.ph("pct", v=100 * x)

    def ci(self, lo: float | None, hi: float | None) -> str:
        if lo is None or hi is None:
            return ""
        return self.ph("ci", l=100 * lo, u=100 * hi)

    def n(self, n: int | None) -> str:
        return "" if n is None else self.ph("n", n=n)

    def note(self, lo: float | None, hi: float | None, n: int | None) -> str:
        """ "（95%置信区间a%～b%，n＝N）" for a share (0–1)."""
        ci = self.ci(lo, hi)
        if not ci:
            return ""
        return self.ph("figure_note", ci=ci, n=self.n(n))

    def note_raw(self, lo: float | None, hi: float | None, n: int, *, percent: bool) -> str:
        """The same for a mean already on its own scale (hours, a percentage)."""
        if lo is None or hi is None:
            return ""
        ci = self.ph("ci", l=lo, u=hi) if percent else self.ph("ci_mean", l=lo, u=hi)
        return self.ph("figure_note", ci=ci, n=self.n(n))

    def pp(self, d: float) -> str:
        return self.ph("pp", d=100 * d)

    def ci_pp(self, lo: float | None, hi: float | None) -> str:
        if lo is None or hi is None:
            return ""
        return self.ph("ci_pp", l=100 * lo, u=100 * hi)

    def p_adj(self, p: float | None) -> str:
        if p is None:
            return ""
        return self.ph("p_adj_small") if p < 0.001 else self.ph("p_adj", p=f"{p:.3f}")
