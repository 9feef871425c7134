"""Clauses of an answer with their weight: contrast, concession, denial and negation.

An answer is read clause by clause (sentences split at ``。``, clauses at ``，`` and
before an inline contrast word). Each clause gets a weight for classification:

* **contrast** — a clause opened by 但/但是/可是/不过/然而/只是/就是/而是/却 … carries
  the point; the clauses before it in the same sentence (and any clause opened by
  虽然/尽管/虽说 …) are *concessive* and weigh ``CONCESSIVE`` (0.4) instead of 1 —
  「虽然收入不高，但最大的问题是评价体系」 is mainly about evaluation. When nothing after
  the contrast word is a grievance (「报销太麻烦，但也没办法」), the earlier clauses keep
  their full weight: the contrast did not move the topic.
* **denial** — a clause that says something is fine weighs 0: a positive judgement
  (充足, 够用, 还行, 满意 … not preceded by a negator, in a clause that is not a wish such
  as 希望…满意), a denial phrase (不缺, 不愁, 压力不大 …), or a clause whose every
  grievance term is negated. 「经费还算充足，就是报销太麻烦」 is then about reimbursement
  only, 「不缺经费」 about nothing.
* **solved** — 「以前报销很麻烦，现在好多了」: a clause about the past (以前/过去/原来 …)
  followed in its sentence by a denial about the present (现在/如今/目前 …) is a denial too.
* **negation** of a single term: a grievance term directly preceded by a negator
  (不/没/无/并不/不是/不存在/谈不上 …, optionally with 太/很/什么/那么 between) does not
  count (「不存在唯论文现象」); 不仅/不但/不得不/不断/不少 are no negators.

The grievance terms come from the caller (``hits``: a function giving the lexicon
matches of a clause), so this module knows no taxonomy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "CONCESSIVE",
    "Clause",
    "Hit",
    "analyse_clauses",
    "is_null_answer",
    "negated_before",
    "split_clauses",
]

CONCESSIVE = 0.4

_CONTRAST_START = re.compile("^(?:但是|可是|不过|然而|只是|就是|而是|偏偏|但(?!愿|凡)|却)")
# an inline contrast word splits a clause; 不过/只是/就是 only at a clause start
# (忙不过来, 不只是, 问题就是 …)
_INLINE = re.compile("(?<=[^不非])(?=(?:但是|可是|然而|而是|但(?!愿|凡)|却))")
_CONCESSION = re.compile("^(?:虽然|虽说|虽|尽管|固然|诚然|哪怕|即便|即使)")
_PAST = re.compile("^(?:以前|以往|过去|原来|之前|早先|前几年|那时)")
_NOW = re.compile("^(?:现在|如今|目前|今年|近年|这几年|后来)")

_NEGATOR = re.compile(
    "(?:(?<!得)不|没有?|无|并不|并没有?|不是|并非|未|毫无|不存在|谈不上|算不上|不算|"
    "不觉得|不认为|从不|从来不|从来没有?|不缺|不愁)"
    "(?:太|很|怎么|那么|什么|算|大|觉得|是|存在|有|缺|再|用)?$"
)
_POSITIVE = re.compile(
    "充足|充裕|够用|足够|够花|宽裕|宽松|还可以|还行|还好|挺好|很好|不错|满意(?!度)|合理|"
    "顺畅|便捷|方便|简便|省心|没问题|没什么问题|没有问题|没有什么问题|没啥问题|问题不大|不成问题|不是问题|好多了|改善了|"
    "减轻了|解决了|有保障|有保证|过得去|可以接受|能接受|还算(?:可以|行|好|满意|合理|宽裕)|可以$"
)
_DENIAL = re.compile(
    "不缺|不愁|不差钱|不存在|没什么困难|没有什么困难|没困难|无困难|没有困难|没什么压力|"
    "没有压力|压力不大|压力不算大|压力还好|负担不重|不累|不忙|没什么负担|没负担|"
    # 「报销并不麻烦」「收入不算低」: the complaint itself denied after the term
    "(?:并不|不太|不算|没那么|没有那么|一点也不|一点都不|并没有)"
    "(?:麻烦|繁琐|难(?!过|受|免)|复杂|严重|低|少(?!见|数)|差|累|多(?!少|数)|紧张|忙|"
    "大(?!家|多|概)|重(?!要|视)|高(?!兴))|"
    "不(?:麻烦|繁琐|复杂|严重|紧张)"
)
_WISH = re.compile(
    "希望|建议|应该|应当|要求|能否|能不能|请|呼吁|需要|争取|期待|盼望|期望|要让|才能|如何"
)
_NULL = re.compile(
    "^(?:无|没有|没|暂无|暂时没有|暂时无|没什么|没啥|没有了|无意见|无建议|没意见|没建议|"
    "没有意见|没有建议|暂无意见|暂无建议|无其他|没有其他|不清楚|不知道|说不好|不好说|很好|挺好|"
    "都好|都挺好|还好|满意|很满意|谢谢|感谢|好|ok|no|none|nothing|na|n/a|nil|null|同上|"
    "略|无话可说|暂时没想到|没想好|[.。/\\-]|[0-9]+)"
    "(?:的|了|啦|哈|呢|吧|啊|谢谢|。|，|\\s)*$"
)


@dataclass(frozen=True)
class Hit:
    """A lexicon match in a clause: ``code``, matched ``term``, start offset, negated?"""

    code: str
    term: str
    start: int
    negated: bool


@dataclass(frozen=True)
class Clause:
    """One clause: text, weight for classification, role and its lexicon hits."""

    text: str
    weight: float
    role: str  # "main", "concessive" or "denial"
    hits: tuple[Hit, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        """Codes with an un-negated hit, in order of appearance (none in a denial)."""
        if self.weight == 0:
            return ()
        return tuple(dict.fromkeys(h.code for h in self.hits if not h.negated))


Finder = Callable[[str], Sequence[tuple[str, str, int]]]


def split_clauses(text: str) -> list[list[str]]:
    """Sentences of clauses of a normalised text."""
    out = []
    for sentence in text.split("。"):
        parts = []
        for clause in sentence.split("，"):
            for piece in _INLINE.split(clause):
                piece = piece.strip()
                if piece:
                    parts.append(piece)
        if parts:
            out.append(parts)
    return out


def negated_before(prefix: str) -> bool:
    """Whether the text just before a term ends with a negator."""
    return bool(_NEGATOR.search(prefix[-6:]))


def _last_cue(pattern: re.Pattern[str], text: str) -> int:
    """Start of the last un-negated match of ``pattern`` (-1: none)."""
    last = -1
    for m in pattern.finditer(text):
        before = text[: m.start()]
        if not negated_before(before) and not before.endswith(("难", "欠")):
            last = m.start()
    return last


def _denial(text: str, hits: Sequence[Hit]) -> bool:
    """A clause saying that things are fine (see the module doc)."""
    kept = [h.start for h in hits if not h.negated]
    if hits and not kept:
        return True
    if _WISH.search(text):
        return False
    cue = max(_last_cue(_DENIAL, text), _last_cue(_POSITIVE, text))
    if cue < 0:
        return False
    # 「经费还算充足」: the judgement follows the grievance term it is about
    return not kept or cue >= max(kept)


def analyse_clauses(text: str, finder: Finder | None = None) -> list[Clause]:
    """The weighted clauses of a normalised text (see the module doc); ``finder`` gives
    the lexicon matches ``(code, term, start)`` of a clause."""
    out: list[Clause] = []
    for sentence in split_clauses(text):
        infos: list[tuple[str, list[Hit], bool, bool]] = []
        for clause in sentence:
            hits = []
            if finder is not None:
                for code, term, start in finder(clause):
                    neg = negated_before(clause[:start])
                    hits.append(Hit(code, term, start, neg))
            contrast = bool(_CONTRAST_START.match(clause))
            concession = bool(_CONCESSION.match(clause))
            infos.append((clause, hits, contrast, concession))
        # the last contrast clause whose continuation holds a grievance moves the topic
        pivot = -1
        for i, (_, _, contrast, _) in enumerate(infos):
            if contrast and i > 0:
                after = infos[i:]
                if finder is None or any(not h.negated for _, hs, _, _ in after for h in hs):
                    pivot = i
        denials = [_denial(clause, hits) for clause, hits, _, _ in infos]
        for i, (clause, _, _, _) in enumerate(infos):
            if _PAST.match(clause) and any(
                denials[j] and _NOW.match(infos[j][0]) for j in range(i + 1, len(infos))
            ):
                denials[i] = True
        for i, (clause, hits, _, concession) in enumerate(infos):
            if denials[i]:
                out.append(Clause(clause, 0.0, "denial", tuple(hits)))
            elif i < pivot or (concession and pivot != -1) or (concession and i < len(infos) - 1):
                out.append(Clause(clause, CONCESSIVE, "concessive", tuple(hits)))
            else:
                out.append(Clause(clause, 1.0, "main", tuple(hits)))
    return out


def is_null_answer(normalized: str) -> bool:
    """「无」「没有意见」「谢谢」「很好」…: an answer that says nothing to classify."""
    return not normalized or bool(_NULL.match(normalized))
