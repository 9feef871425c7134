"""Personal-data scrubbing of open answers before any person sees a quote (DESIGN §7).

``scrub(text, units=())`` replaces, in this order of precedence:

==============  ============  =====================================================
kind            placeholder   what
==============  ============  =====================================================
``email``       【邮箱】      ``name@domain.tld`` (also ``(at)``, ``[at]``, full-width ＠)
                              and spoken forms with a known top-level domain:
                              ``zhangwei at 163 dot com``, ``(at)…(dot)``, ``name#x.com``,
                              ``张伟 艾特 qq 点 com``, ``圈a``
``url``         【网址】      ``http(s)://…``, ``www.…``, bare ``host.example.com/path``
``id_number``   【证件号】    18-digit resident ID (last digit X allowed, 6-8-4 groups
                              with spaces or hyphens), 15-digit old IDs
``phone``       【电话】      mobiles 1[3-9]x with +86/0086, spaces, hyphens or dots
                              between digits; landlines with area code (0xx-xxxxxxxx,
                              (0xxx) xxxxxxx, extensions); 400/800 numbers
``account``     【账号】      QQ / 微信 / WeChat / 钉钉 / 抖音 ids after their keyword,
                              微博 @handles
``number``      【号码】      any other run of 7+ digits (with separators) that is not
                              an amount (7–10 digits before 元/万/人/年 …)
``unit``        【单位】      first the host names given in ``units``
``name``        【姓名】      person names (:mod:`.names`): after a title or a contact
                              cue (处长王建军, 联系人：张伟, 我是/我叫 …), before a title
                              (王主任, 【姓名】老师 for a full name), bare names with a
                              single or compound surname (欧阳明华反映 …), 小王/老李,
                              Latin letters (Zhang Wei, Dr. Chen)
``unit``        【单位】      then unit names found by their suffix (:mod:`.units`:
                              「桐川市疾病预防控制中心」, 「滨江区教育局」, not 「教育局」,
                              「三甲医院」, 「我们学院」, 「感谢科协」); bare names are
                              looked for after these
==============  ============  =====================================================

Digits may be written in Chinese (一三九…, 〇, 幺) or in the capital forms of cheques
(壹叁玖…), alone or mixed with Arabic ones: the digit patterns read a copy of the text in
which they are Arabic digits. The text is first made half-width (full-width digits and ＠
would otherwise slip through); the result is that half-width text with the placeholders.
``spans`` give the replaced ranges in the *input* (same length after half-width mapping),
for evaluation (:mod:`.scrub_evaluation`, on a frozen labelled set). Precision is second
to recall: an occasional ordinary word may still be masked.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from . import names
from ._t2s import T2S
from .clauses import is_null_answer
from .normalize import normalize, to_halfwidth
from .units import find_units

__all__ = ["KINDS", "PLACEHOLDERS", "Quote", "ScrubResult", "Span", "quotable", "scrub"]

PLACEHOLDERS: dict[str, str] = {
    "email": "【邮箱】",
    "url": "【网址】",
    "id_number": "【证件号】",
    "phone": "【电话】",
    "account": "【账号】",
    "number": "【号码】",
    "name": "【姓名】",
    "unit": "【单位】",
}
KINDS: tuple[str, ...] = tuple(PLACEHOLDERS)

_SEP = r"[\s\-.·—–]?"
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]+\s?(?:@|\(at\)|\[at\]|（at）)\s?"
    r"(?:[A-Za-z0-9\-]+(?:\.|\s?\(dot\)\s?|\s?\[dot\]\s?))+[A-Za-z]{2,}",
    re.IGNORECASE,
)
# spoken forms: "zhangwei at 163 dot com", "张伟 艾特 qq 点 com", "name#example.com"
_TLD = r"(?:com|cn|net|org|edu|gov|info|io|me|co|cc|biz|top|xyz|site|tech|hk|tw|uk|us|de|jp)"
_SPOKEN_DOT = r"(?:\s?(?:\.|\(dot\)|\[dot\]|\{dot\}|点)\s?|\s+dot\s+)"
_SPOKEN_EMAIL = re.compile(
    r"(?:[A-Za-z0-9][A-Za-z0-9._%+\-]*|[\u4e00-\u9fff]{2,4}(?=\s?(?:艾特|圈a)))"
    r"(?:\s?(?:@|\(at\)|\[at\]|\{at\}|艾特|圈a|#)\s?|\s+at\s+)"
    r"[A-Za-z0-9\-]+(?:"
    + _SPOKEN_DOT
    + r"[A-Za-z0-9\-]+)*"
    + _SPOKEN_DOT
    + _TLD
    + r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# what is left of an address after another match took its start (addresses typed
# without a break between them)
_ORPHAN_DOMAIN = re.compile(r"[A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_URL_PATH = r"[A-Za-z0-9\-._~/?#@!$&'*+=%:]"
_URL = re.compile(r"(?:https?://|www\.)" + _URL_PATH + "+", re.IGNORECASE)
_DOMAIN = re.compile(
    r"(?<![A-Za-z0-9@._%+\-])(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+"
    r"(?:com|cn|net|org|edu|gov|io|me|cc|info|top|xyz|site|tech)(?:\.cn)?(?![A-Za-z0-9])"
    r"(?:/" + _URL_PATH + "*)?",
    re.IGNORECASE,
)
_ID = re.compile(r"(?<![0-9A-Za-z])[1-9](?:(?:[\s\-]?\d){16}[\s\-]?[0-9Xx]|\d{14})(?![0-9A-Za-z])")
_MOBILE = re.compile(
    r"(?<![0-9])(?:(?:\+|00)?86[\s\-]?|\(\+?86\)\s?)?1[3-9]\d(?:" + _SEP + r"\d){8}(?![0-9])"
)
_LANDLINE = re.compile(
    r"(?<![0-9])(?:\(0\d{2,3}\)\s?|0\d{2,3}[\s\-—–]?)[1-9]\d{2,3}[\s\-—–]?\d{3,4}"
    r"(?:\s?(?:转|-|ext\.?|分机)\s?\d{1,5})?(?![0-9])"
    r"|(?<![0-9])[48]00[\s\-]?\d{3}[\s\-]?\d{4}(?![0-9])",
    re.IGNORECASE,
)
_ACCOUNT = re.compile(
    r"(?:qq群?|扣扣|企鹅号|微信号?|vx|wx|v信|weixin|wechat|企业微信(?:账?号)?|钉钉号?|抖音号?|"
    r"快手号?|小红书号?|账号|帐号)\s*(?:号码?|是|:|：)?\s*"
    r"([A-Za-z][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+)*|\d{5,12})"
    r"|(?:微博|weibo)\s*(?:号|账号)?\s*[:：]?\s*@([\w\-]{2,20})",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"(?<![0-9])\d(?:[\s\-]?\d){10,}(?![0-9])"  # 11+ digits: never an amount
    r"|(?<![0-9])\d(?:[\s\-]?\d){6,9}(?![0-9])"
    r"(?!\s*(?:元|块|万|亿|人|次|个|篇|项|%|小时|天|年|月|日|岁|平|米|字))"
)
_YEARS = re.compile(r"(?:19|20)\d{2}\s?[\-~至到]\s?(?:19|20)\d{2}")
# Chinese digits, the capital forms of cheques and 幺 (one, when reading numbers out)
_DIGITS = str.maketrans("零〇一二三四五六七八九幺两壹贰叁肆伍陆柒捌玖", "0012345678912123456789")
_CHINESE_DIGIT = re.compile("[零〇一二三四五六七八九幺两壹贰叁肆伍陆柒捌玖]")
_SEVEN_DIGITS = re.compile(r"(?:\d\D{0,3}){6}\d")  # what every digit pattern needs
_LATIN = re.compile("[A-Za-z0-9@]")  # what addresses, accounts and Latin names need


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class ScrubResult:
    """The scrubbed text, the kinds of personal data found (in ``KINDS`` order) and the
    replaced ranges of the input."""

    text: str
    found_kinds: tuple[str, ...]
    spans: tuple[Span, ...] = ()

    @property
    def clean(self) -> bool:
        return not self.found_kinds


def scrub(text: str | None, units: Iterable[str] = ()) -> ScrubResult:
    """Replace personal data in ``text`` by placeholders (see the module doc)."""
    if not text:
        return ScrubResult("", ())
    s = to_halfwidth(text)
    digits = s.translate(_DIGITS) if _CHINESE_DIGIT.search(s) else s  # same offsets
    latin = _LATIN.search(s) is not None
    taken = bytearray(len(s))
    spans: list[Span] = []

    def claim(start: int, end: int, kind: str) -> bool:
        if start >= end or any(taken[start:end]):
            return False
        taken[start:end] = b"\x01" * (end - start)
        spans.append(Span(start, end, kind))
        return True

    def masked(view: str) -> str:
        """``view`` with claimed characters blanked out (same offsets): a later pattern
        neither matches across a claimed span nor stops at its edge."""
        if not spans:
            return view
        return "".join("\x00" if taken[i] else ch for i, ch in enumerate(view))

    for kind, pattern in (
        ("email", _EMAIL),
        ("email", _SPOKEN_EMAIL),
        ("email", _ORPHAN_DOMAIN),
        ("url", _URL),
        ("url", _DOMAIN),
    ):
        if latin:
            for m in pattern.finditer(masked(s)):
                claim(m.start(), m.end(), kind)
    # digits: Arabic ones first, then what Chinese digits add (a run with one at least)
    for view in (s, digits) if digits is not s else (s,):
        if view is s and latin:
            for m in _ACCOUNT.finditer(masked(s)):
                group = 1 if m.start(1) >= 0 else 2
                claim(m.start(group), m.end(group), "account")
        shown = masked(view)
        if not _SEVEN_DIGITS.search(shown):
            continue
        for kind, pattern in (("id_number", _ID), ("phone", _MOBILE), ("phone", _LANDLINE)):
            for m in pattern.finditer(shown):
                if view is s or s[m.start() : m.end()] != m.group():
                    claim(m.start(), m.end(), kind)
            shown = masked(view)
        years = bytearray(len(s))
        for m in _YEARS.finditer(shown):
            years[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        for m in _NUMBER.finditer(shown):
            if not all(years[m.start() : m.end()]) and (
                view is s or s[m.start() : m.end()] != m.group()
            ):
                claim(m.start(), m.end(), "number")
    _absorb_digits(s, digits, taken, spans)
    for unit in sorted({u.strip() for u in units if u and u.strip()}, key=len, reverse=True):
        for m in re.finditer(re.escape(to_halfwidth(unit)), s, re.IGNORECASE):
            claim(m.start(), m.end(), "unit")
    # names and units are read in simplified characters (same offsets)
    simple = s.translate(T2S)
    found: list[str] = []
    finders = (names.latin_names,) if latin else ()
    for finder in (*finders, names.cued_names, names.titled_names):
        for start, end in finder(masked(simple), taken):
            if claim(start, end, "name"):
                found.append(simple[start:end])
    find_units(masked(simple), taken, claim)
    for start, end in names.bare_names(masked(simple), taken):
        if claim(start, end, "name"):
            found.append(simple[start:end])
    for start, end in names.repeated(masked(simple), taken, found):
        claim(start, end, "name")
    spans.sort(key=lambda sp: sp.start)
    out, last = [], 0
    for i, sp in enumerate(spans):
        out.append(s[last : sp.start])
        prev = spans[i - 1] if i else None
        if not (prev and prev.kind == sp.kind and prev.end == sp.start):
            out.append(PLACEHOLDERS[sp.kind])
        last = sp.end
    out.append(s[last:])
    kinds = tuple(k for k in KINDS if any(sp.kind == k for sp in spans))
    return ScrubResult("".join(out), kinds, tuple(spans))


_COUNTRY = re.compile(r"(?:(?:\+|00)86[\s\-]?|\(0\d{2,3}\)\s?)$")
_ADDRESS_CHAR = re.compile(r"[A-Za-z0-9._%+\-@＠]")  # "@" too: addresses typed back to back


def _absorb_digits(s: str, view: str, taken: bytearray, spans: list[Span]) -> None:
    """What is left next to a number or address found joins it: digits (two numbers typed
    without a break, where one match took part of the other), a dangling +86 country
    code, the letters and digits glued to an e-mail address."""
    for n, sp in enumerate(spans):
        if sp.kind not in ("phone", "id_number", "number", "account", "email"):
            continue
        glue = _ADDRESS_CHAR if sp.kind == "email" else None
        start, end = sp.start, sp.end
        # Chinese digits join only a number written with some
        digits = view if s[start:end] != view[start:end] else s
        while True:
            if (
                end < len(s)
                and not taken[end]
                and (digits[end].isdigit() or (glue is not None and glue.match(s[end])))
            ):
                end += 1
            elif (
                end + 1 < len(s)
                and s[end] in " -"
                and not taken[end]
                and not taken[end + 1]
                and digits[end + 1].isdigit()
            ):
                end += 2
            elif (
                glue is None
                and end < len(s)
                and s[end] in "Xx"
                and not taken[end]
                and not (end + 1 < len(s) and s[end + 1].isascii() and s[end + 1].isalpha())
            ):
                end += 1  # the check character of an ID number
            else:
                break
        while True:
            if (
                start > 0
                and not taken[start - 1]
                and (digits[start - 1].isdigit() or (glue is not None and glue.match(s[start - 1])))
            ):
                start -= 1
            elif (
                start > 1
                and s[start - 1] in " -"
                and not taken[start - 1]
                and not taken[start - 2]
                and digits[start - 2].isdigit()
            ):
                start -= 2
            elif (m := _COUNTRY.search(s[max(0, start - 6) : start])) is not None and not any(
                taken[start - len(m.group()) : start]
            ):
                start -= len(m.group())
            else:
                break
        if (start, end) != (sp.start, sp.end):
            taken[start:end] = b"\x01" * (end - start)
            spans[n] = Span(start, end, sp.kind)


@dataclass(frozen=True)
class Quote:
    """A scrubbed answer that may be shown: its row ``index`` and the scrub result."""

    index: int
    text: str
    found_kinds: tuple[str, ...]


def quotable(
    texts: Sequence[str | None],
    cells: Sequence[Hashable],
    *,
    k: int = 10,
    units: Iterable[str] = (),
    rows: Iterable[int] | None = None,
) -> list[Quote]:
    """Scrubbed answers from cells (stations, or any grouping of respondents) with at
    least ``k`` respondents; blank answers and 「无」-like ones are skipped. ``cells``
    gives every respondent's cell (all respondents, not only those who wrote something);
    ``rows`` restricts to those row indices."""
    if len(cells) != len(texts):
        raise ValueError("texts and cells must have one entry per respondent")
    size: dict[Hashable, int] = {}
    for c in cells:
        size[c] = size.get(c, 0) + 1
    unit_list = tuple(units)
    out = []
    for i in range(len(texts)) if rows is None else rows:
        t = texts[i]
        if t is None or cells[i] is None or size.get(cells[i], 0) < k:
            continue
        if is_null_answer(normalize(t)):
            continue
        res = scrub(t, unit_list)
        out.append(Quote(int(i), res.text, res.found_kinds))
    return out
