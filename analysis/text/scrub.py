"""Personal-data scrubbing of open answers before any person sees a quote (DESIGN §7).

``scrub(text, units=())`` replaces, in this order of precedence:

==============  ============  =====================================================
kind            placeholder   what
==============  ============  =====================================================
``email``       【邮箱】      ``name@domain.tld`` (also ``(at)``, ``[at]``, full-width ＠)
``url``         【网址】      ``http(s)://…``, ``www.…``
``id_number``   【证件号】    18-digit resident ID (last digit X allowed, 6-8-4 groups
                              with spaces or hyphens), 15-digit old IDs
``phone``       【电话】      mobiles 1[3-9]x with +86/0086, spaces, hyphens or dots
                              between digits; landlines with area code (0xx-xxxxxxxx,
                              (0xxx) xxxxxxx, extensions); 400/800 numbers
``account``     【账号】      QQ / 微信 / WeChat ids after their keyword
``number``      【号码】      any other run of 7+ digits (with separators) that is not
                              an amount (7–10 digits before 元/万/人/年 …), and 7+
                              Chinese digits
``name``        【姓名】      surname + optional given name + title (王主任, 李建国老师,
                              张副院长, 赵处长, 刘博士, 陈教授, 欧阳书记 …), and 小/老 +
                              surname standing alone (小王, 老李)
``unit``        【单位】      the host names given in ``units``, then names ending in
                              大学/学院/研究院/研究所/医院/卫生院/中学/小学/学校/公司/集团/
                              局/科协/研究中心/重点实验室 … with a specific prefix of 2+
                              characters (「滁州学院」, 「城东第三中学」 but not 「我们学院」,
                              「二级学院」, 「县级综合医院」, 「整体格局」)
==============  ============  =====================================================

The text is first made half-width (full-width digits and ＠ would otherwise slip
through); the result is that half-width text with the placeholders. ``spans`` give the
replaced ranges in the *input* (same length after half-width mapping), for evaluation.
Precision is second to recall: a surname-like character before a title (任课老师) is
guarded by a list of common words, but an occasional ordinary word may still be masked.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from .clauses import is_null_answer
from .normalize import normalize, to_halfwidth

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
# what is left of an address after another match took its start (addresses typed
# without a break between them)
_ORPHAN_DOMAIN = re.compile(r"[A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_URL = re.compile(r"(?:https?://|www\.)[^\s，。、；！？,;)）】]+", re.IGNORECASE)
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
    r"(?:qq|微信号?|vx|wx|v信|weixin|wechat|企业微信|钉钉号?)\s*(?:号码?|是|:|：)?\s*"
    r"([A-Za-z][A-Za-z0-9_\-]{4,19}|\d{5,12})",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"(?<![0-9])\d(?:[\s\-]?\d){10,}(?![0-9])"  # 11+ digits: never an amount
    r"|(?<![0-9])\d(?:[\s\-]?\d){6,9}(?![0-9])"
    r"(?!\s*(?:元|块|万|亿|人|次|个|篇|项|%|小时|天|年|月|日|岁|平|米|字))"
    r"|[零〇一二三四五六七八九幺两]{7,}"
)
_YEARS = re.compile(r"(?:19|20)\d{2}\s?[\-~至到]\s?(?:19|20)\d{2}")

_SURNAMES_2 = (
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 "
    "南宫 独孤 西门 轩辕 申屠 太史 澹台 钟离 闻人 百里 东郭 呼延"
).split()
_SURNAMES_1 = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹"
    "薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易"
    "乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单"
    "季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农"
    "司卓古吉缪简车项连芦麦褚娄窦戚岑景宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬"
    "边卞姬仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝傅赖洪薄强丘晋谈蔺冀郜鞠帅荆雍宿冼"
)
_TITLES = (
    "秘书长|理事长|董事长|总经理|总工程师|总工|高工|工程师|研究员|副研究员|护士长|总监|主任|老师|"
    "院长|处长|科长|局长|所长|校长|书记|教授|博士|医生|大夫|主席|部长|经理|厂长|站长|"
    "会长|讲师|主管|组长|队长|镇长|县长|市长|区长|乡长|村长|主编|股长|馆长|行长|台长|"
    "同志|先生|女士|小姐|师傅|老总"
)
_SURNAME = "(?:" + "|".join(_SURNAMES_2) + "|[" + _SURNAMES_1 + "])"
# characters that are no part of a given name between a surname and a title
_NOT_GIVEN = (
    "的了是为个位们在和与及校间目级院所处科局部室组系队站班课务管理工年都也就还很说对"
    "给让被把这那其各每些种类型多少新老女男上下中大小高"
)
_GIVEN = "(?:(?![" + _NOT_GIVEN + "])[\u4e00-\u9fff])"
_NAME = re.compile(
    _SURNAME
    + "(?:"
    + _GIVEN
    + "{0,2}?(?:副|常务副)?(?:"
    + _TITLES
    + ")|总(?!之|体|算|结|量|共|部|归|计|数|额|务|理|裁|监|经理|工程师|是|的|有|在))"
)
_NICK_SURNAMES = _SURNAMES_1.replace("于", "").replace("白", "").replace("时", "").replace("师", "")
_NICK = re.compile(
    r"[小老][" + _NICK_SURNAMES + r"](?![\u4e00-\u9fff])"
    r"|[小老][" + _NICK_SURNAMES + r"]"
    r"(?=[说讲跟和的他她是在也都就们让叫找请退走去来调当做干给对把被又还已刚常总每一不没要会可家负主同曾])"
)
# ordinary words in which a surname character stands before a title
_NOT_NAME = re.compile(
    r"[正副]高级?(?:工程师|工|职称)|班主任|任课(?:老师|教师)|[分主]管(?:副)?(?:院长|局长|校长|主任|处长|领导|书记|所长|科长|部长)|"
    r"常务(?:副)?(?:院长|校长|主任|理事|书记|部长|所长)|"
    r"(?:语文|历史|政治|地理|生物|化学|物理|美术|音乐|体育|信息|科学|数学|英语|专业|代课|带教|"
    r"骨干|青年|年轻|女|男|新|老|好|一位|各位|这位|那位|外籍|全科|乡村|村医|驻村|第一|高校|学校|"
    r"院校|中学|小学|大学|单位|医院|我们|项目|车间|党委|党支部|成为|作为|身为)"
    r"(?:老师|教师|医生|书记|教授|博士)|"
    r"[总汇]总|总[的是]|高级|农总|上总|下总|一总|总之|总体|总算|总结|总量|总共|总有|总在|总部|"
    r"董事长|申博|读博|考博|在博士|攻博|博士后|博士生|博士点|刘海|江南|金主任"
)
_UNIT_SUFFIX = re.compile(
    r"大学|学院|研究院|研究所|科学院|医院|卫生院|保健院|中学|小学|学校|幼儿园|公司|集团|"
    r"(?<![格布结大当出骗开僵残饭困棋时政变新全战终赌乱败胜])局|科协|"
    r"(?:研究|技术|工程|检测|服务|疾控|孵化|推广|卫生服务)中心|重点实验室|农科所|农技站|"
    r"研究会|设计院|规划院|勘察院|检察院|法院|事务所|合作社|医学会|管委会|委员会|办事处|"
    r"卫生室|卫生所|诊所|派出所|检测所|站(?![点长台])|厂(?![长家商区房])"
)
_BREAKERS = set(
    "的在是我你他她们和了到从对给被把这那本该各每其就也还很去说让向于为由将要"
    "可所并且而或跟比像如等个些位种吧呢吗啊没不想做"
)
_BREAK_WORDS = (
    "觉得",
    "认为",
    "希望",
    "建议",
    "单位",
    "现在",
    "目前",
    "以前",
    "所在",
    "工作",
    "调到",
    "毕业",
    "来自",
    "就职",
    "任职",
    "隶属",
)
_GENERIC = (
    "二级",
    "附属",
    "民营",
    "私营",
    "国有",
    "上级",
    "下属",
    "其他",
    "各个",
    "各级",
    "一些",
    "很多",
    "不少",
    "大型",
    "中小",
    "小型",
    "综合",
    "专科",
    "重点",
    "普通",
    "高等",
    "职业",
    "技术",
    "科技",
    "基层",
    "乡镇",
    "县级",
    "市级",
    "省级",
    "地方",
    "本地",
    "外地",
    "公立",
    "民办",
    "私立",
    "有限",
    "责任",
    "股份",
    "外资",
    "合资",
    "一般",
    "好的",
    "大的",
    "小的",
    "中医",
    "一流",
    "双一流",
    "高水平",
    "研究型",
    "教学型",
    "医科",
    "理工",
    "师范",
    "农业",
    "工业",
    "初级",
    "高级",
    "这种",
    "那种",
    "某",
    "某个",
    "一所",
    "一家",
    "一个",
    "调查",
    "高校",
    "院所",
    "工作",
    "服务",
    "基站",
)
_NOT_UNIT = re.compile(
    r"(?:考上|考进|考到|上了?|读了?|念了?|进了?|去了?)(?:大学|中学|小学|学校)|"
    r"(?:研究生|本科生|大学生|中学生|小学生)|学院派|医院里|公司里|[出进]站|车站|网站|站在|站台"
)
_CJK_OR_ALNUM = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")


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
    taken = bytearray(len(s))
    spans: list[Span] = []

    def claim(start: int, end: int, kind: str) -> bool:
        if start >= end or any(taken[start:end]):
            return False
        taken[start:end] = b"\x01" * (end - start)
        spans.append(Span(start, end, kind))
        return True

    def masked() -> str:
        """The text with claimed characters blanked out (same offsets): a later pattern
        neither matches across a claimed span nor stops at its edge."""
        if not spans:
            return s
        return "".join("\x00" if taken[i] else ch for i, ch in enumerate(s))

    for kind, pattern in (
        ("email", _EMAIL),
        ("email", _ORPHAN_DOMAIN),
        ("url", _URL),
        ("id_number", _ID),
        ("phone", _MOBILE),
        ("phone", _LANDLINE),
    ):
        for m in pattern.finditer(masked()):
            claim(m.start(), m.end(), kind)
    for m in _ACCOUNT.finditer(masked()):
        claim(m.start(1), m.end(1), "account")
    view = masked()
    years = bytearray(len(s))
    for m in _YEARS.finditer(view):
        years[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    for m in _NUMBER.finditer(view):
        if not all(years[m.start() : m.end()]):
            claim(m.start(), m.end(), "number")
    _absorb_digits(s, taken, spans)
    guarded = bytearray(len(s))
    for m in _NOT_NAME.finditer(s):
        guarded[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    for pattern in (_NAME, _NICK):
        pos = 0
        while (hit := pattern.search(s, pos)) is not None:
            if any(guarded[hit.start() : hit.end()]) or not claim(hit.start(), hit.end(), "name"):
                pos = hit.start() + 1
            else:
                pos = hit.end()
    for unit in sorted({u.strip() for u in units if u and u.strip()}, key=len, reverse=True):
        for m in re.finditer(re.escape(to_halfwidth(unit)), s, re.IGNORECASE):
            claim(m.start(), m.end(), "unit")
    _find_units(s, taken, claim)
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


def _absorb_digits(s: str, taken: bytearray, spans: list[Span]) -> None:
    """What is left next to a number or address found joins it: digits (two numbers typed
    without a break, where one match took part of the other), a dangling +86 country
    code, the letters and digits glued to an e-mail address."""
    for n, sp in enumerate(spans):
        if sp.kind not in ("phone", "id_number", "number", "account", "email"):
            continue
        glue = _ADDRESS_CHAR if sp.kind == "email" else None
        start, end = sp.start, sp.end
        while True:
            if (
                end < len(s)
                and not taken[end]
                and (s[end].isdigit() or (glue is not None and glue.match(s[end])))
            ):
                end += 1
            elif (
                end + 1 < len(s)
                and s[end] in " -"
                and not taken[end]
                and not taken[end + 1]
                and s[end + 1].isdigit()
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
                and (s[start - 1].isdigit() or (glue is not None and glue.match(s[start - 1])))
            ):
                start -= 1
            elif (
                start > 1
                and s[start - 1] in " -"
                and not taken[start - 1]
                and not taken[start - 2]
                and s[start - 2].isdigit()
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


def _find_units(s: str, taken: bytearray, claim: object) -> None:
    guarded = bytearray(len(s))
    for m in _NOT_UNIT.finditer(s):
        guarded[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    # right to left: 「东湖大学附属医院」 is one unit, named by its last suffix
    for m in reversed(list(_UNIT_SUFFIX.finditer(s))):
        if any(guarded[m.start() : m.end()]) or any(taken[m.start() : m.end()]):
            continue
        start = m.start()
        while (
            start > 0
            and m.start() - start < 14
            and not taken[start - 1]
            and _CJK_OR_ALNUM.match(s[start - 1])
        ):
            start -= 1
        prefix = s[start : m.start()]
        cut = max(
            (i + 1 for i, ch in enumerate(prefix) if ch in _BREAKERS and not _named(prefix, i)),
            default=0,
        )
        for word in _BREAK_WORDS:
            at = prefix.rfind(word)
            if at >= 0:
                cut = max(cut, at + len(word))
        prefix = prefix[cut:]
        if len(_specific(prefix)) < 2:
            continue
        claim(m.start() - len(prefix), m.end(), "unit")  # type: ignore[operator]


_NAMED = ("和平", "太和", "中和", "平和", "祥和", "协和", "人和", "和县", "同和")


def _named(prefix: str, i: int) -> bool:
    """The breaker at ``i`` is part of a common place or unit name (协和, 和平 …)."""
    return prefix[i : i + 2] in _NAMED or prefix[max(0, i - 1) : i + 1] in _NAMED


def _specific(prefix: str) -> str:
    """The prefix without generic words (二级, 县级, 综合 …)."""
    rest = prefix
    changed = True
    while changed and rest:
        changed = False
        for word in _GENERIC:
            if word in rest:
                rest = rest.replace(word, "")
                changed = True
    return rest


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
