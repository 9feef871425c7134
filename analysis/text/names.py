"""Person names in open answers, for the personal-data scrubber (:mod:`.scrub`).

Chinese names are a surname (``data/surnames.txt``: single and compound) and one or two
more characters. They are found in three passes, strongest first; :func:`cued_names` and
:func:`titled_names` run before the unit names are looked for, :func:`bare_names` after:

1. after a **cue** — a title (处长钱立峰, 站长卢洋说, 老师柯红) or a contact or
   self-identification word (联系人：范立群, 本人唐晓燕, 我是/我叫/名叫 …, 填表人, 反映人,
   and with a colon 签名：, 署名：, 落款：, 实名：, 姓名： …);
2. before a **title** — 王主任, 欧阳书记, 李建国老师: a surname alone is masked with its
   title (王主任), a full name without it (【姓名】老师);
3. **bare** — a surname followed by one or two characters common in given names
   (``data/given_name_chars.txt``), unless jieba's dictionary knows an ordinary word
   there: one starting at the surname (马上, 周末, 安全, 高新区, 方便) or one ending in it
   (资金, 单位), or a place follows (杨树林里); when the surname begins a word, a third
   character common in names that ends in a break still makes a name (江海涛在).

Also 小/老 + surname (小王, 老李) and names in Latin letters: a title (Dr. Chen, Prof.
Huang, Ms. Luo) or two words of which one is a pinyin surname and the other pinyin
syllables (Zhang Haoran, HE Zhiqiang, Tian Yu) or a given name (Kevin Zhao). A name
found once is masked wherever else it stands in the answer (:func:`repeated`).

Which words are ordinary comes from jieba's dictionary (:mod:`.lexicon`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from . import lexicon

__all__ = ["bare_names", "cued_names", "latin_names", "repeated", "titled_names"]

Found = list[tuple[int, int]]

# characters that end a name: particles, prepositions, verbs of speech, adverbs
_FUNCTION = set(
    "的了着过是在和与及跟同对向从把被让给叫为也都就还又再才却但而或很太更最不没别要会能可"
    "该应将已曾说讲问找请等们这那此其每各某个位之以于由所并且即如若吧呢吗啊呀嘛哦来去到"
)
# characters of given names that also begin common words (天天, 中午, 一个 …)
_WEAK = set("一天全学家进发行时有中人上下来开正定基")
# rare surnames that are very frequent characters (应该, 时间, 单位): never a bare name
_NOT_BARE = set("应时单")
# surnames that are frequent characters of ordinary text: a bare name needs a given name
# that is no common word (时承诺, 向行政)
_ORDINARY = set("向于时和成全应明常文高安方白金石江万任师连单关管车路项华")
# an admin level follows: a place name (我是明光市…)
_ADMIN = set("省市县区镇乡村州路街")
# a place or an institution follows: 杨树林里, 金华市
_PLACE_AFTER = set("里区县市镇村乡路街省州园局院校楼站厂馆湖江河山桥港湾岛寺庄屯坊")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TITLES_BEFORE = (
    "总工程师 工程师 总经理 副总经理 经理 总监 技术总监 董事长 主任医师 副主任医师 主治医师 "
    "医师 护士长 护师 医生 主任 副主任 处长 副处长 科长 副科长 站长 副站长 所长 副所长 院长 "
    "副院长 局长 副局长 校长 副校长 书记 副书记 支书 村支书 老师 导师 教授 副教授 研究员 "
    "副研究员 主编 组长 副组长 课题组长 主席 副主席 辅导员 助理 会计 秘书 干事 技术员 实验员 "
    "首席专家 专家 负责人 项目负责人 县长 副县长 乡长 镇长 市长 区长 村长 队长 厂长 部长 "
    "班主任 同事 师傅 师兄 师姐"
).split()
_CONTACT_CUES = (
    "联系人 联络人 本人姓名 真实姓名 本人 我是 我叫 名叫 叫做 名字叫 名字是 填表人 填报人 "
    "反映人 实名反映人 举报人 提交人 留言人 申请人 经办人"
).split()
# cues that are ordinary verbs too (层层签字): only with a colon
_COLON_CUES = "联系方式 姓名 署名 签名 签字 落款 实名".split()
_TITLES_AFTER = (
    "秘书长|理事长|董事长|总经理|总工程师|总工|高工|工程师|研究员|副研究员|护士长|总监|主任|老师|"
    "院长|处长|科长|局长|所长|校长|书记|教授|博士|医生|大夫|主席|部长|经理|厂长|站长|"
    "会长|讲师|主管|组长|队长|镇长|县长|市长|区长|乡长|村长|主编|股长|馆长|行长|台长|"
    "同志|先生|女士|小姐|师傅|老总|会计"
)
# characters that are no part of a given name between a surname and a title
_NOT_GIVEN = (
    "的了是为个位们在和与及校间目级院所处科局部室组系队站班课务管理工年都也就还很说对"
    "给让被把这那其各每些种类型多少新老女男上下中大小高"
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
    r"董事长|申博|读博|考博|在博士|攻博|博士后|博士生|博士点|江南"
)
_LATIN_TITLE = re.compile(
    r"\b(?:Dr|Prof|Professor|Mr|Mrs|Ms|Miss)\.?\s?[A-Z][A-Za-z]+(?:\s[A-Z][a-z]+)?(?![A-Za-z])"
)
_LATIN_PAIR = re.compile(
    r"(?<![A-Za-z])([A-Z][a-z]+|[A-Z]{2,}) ([A-Z][a-z]+|[A-Z]{2,})(?![A-Za-z])"
)
_PINYIN_SURNAMES = set(
    (
        "wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo "
        "zheng liang xie song tang han feng deng cao peng zeng xiao tian dong yuan pan yu jiang "
        "cai du ye cheng su wei lu ding ren shen yao cui zhong tan fan jin shi liao jia xia fu "
        "fang bai zou meng xiong qin qiu yin xue yan duan lei hou long tao gu mao hao gong shao "
        "wan qian dai mo kong xiang chang wen kang niu ge xing an qi yi qiao pang ni zhuang nie "
        "yue zhai zhan ou geng guan lan jiao zuo gan bao ning shang shu ruan ke ji mei tong ling "
        "bi shan pei huo tu miao sheng qu weng ran you xin chai hua pu teng rao mu ai si zhuo "
        "che lian mai chu lou dou cen jing dang fei bu leng xi mi zong gui quan ying zang min "
        "gou bian chou luan sui diao sha rong kou sang lang zhen cong ao ming she chi zha kuang "
        "ouyang sima zhuge shangguan dongfang huangfu yuchi gongsun murong changsun yuwen "
        "xiahou linghu duanmu nangong situ shentu chan wong cheung lee ng lau leung tsang chow "
        "yip tse kwok lam hong"
    ).split()
)
_PINYIN = re.compile(
    r"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo|"
    r"ui|ue|ve|er|a|o|e|i|u|v))+"
)
# capitalised English words that are no given name next to a surname-like word
_NOT_LATIN_NAME = set(
    "the and of in on at for to by with from a an is are was be this that our we my your "
    "nature science cell lancet python excel word office windows china chinese university "
    "college institute hospital school center centre lab laboratory group team project "
    "contact person phone email mail tel fax signed name dear hello hi thanks thank "
    "macau".split()
)


@dataclass(frozen=True)
class _Model:
    single: frozenset[str]
    compound: frozenset[str]
    given: frozenset[str]
    cue: re.Pattern[str]
    titled: re.Pattern[str]
    nick: re.Pattern[str]
    start: re.Pattern[str]  # a character that may begin a surname


def _data(name: str) -> list[str]:
    text = resources.files("analysis.text").joinpath("data", name).read_text("utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@cache
def _model() -> _Model:
    single: set[str] = set()
    compound: set[str] = set()
    for line in _data("surnames.txt"):
        if line.startswith("compound:"):
            compound.update(line.split(":", 1)[1].split())
        else:
            single.update(line)
    given = frozenset("".join(_data("given_name_chars.txt"))) - _FUNCTION
    surname = "(?:" + "|".join(sorted(compound)) + "|[" + "".join(sorted(single)) + "])"
    cues = sorted(_TITLES_BEFORE + _CONTACT_CUES, key=len, reverse=True)
    cue = re.compile(
        "(?:(?:" + "|".join(cues) + r")[\s:：　]*|(?:" + "|".join(_COLON_CUES) + r")\s*[:：]\s*)"
        "(?=" + surname + ")"
    )
    given_re = "(?:(?![" + _NOT_GIVEN + "])[\u4e00-\u9fff])"
    titled = re.compile(
        "(" + surname + ")(" + given_re + "{0,2}?)(?:副|常务副)?(?:" + _TITLES_AFTER + ")"
        "|("
        + surname
        + ")总(?!之|体|算|结|量|共|部|归|计|数|额|务|理|裁|监|经理|工程师|是|的|有|在)"
    )
    nick_surnames = "".join(sorted(single - set("于白时师全应明和成单")))
    nick = re.compile(
        r"[小老][" + nick_surnames + r"](?![\u4e00-\u9fff])"
        r"|[小老][" + nick_surnames + r"]"
        r"(?=[说讲跟和的他她是在也都就们让叫找请退走去来调当做干给对把被又还已刚常总每一不没要会可家负主同曾])"
    )
    start = re.compile("[" + "".join(sorted(single | {c[0] for c in compound})) + "]")
    return _Model(frozenset(single), frozenset(compound), given, cue, titled, nick, start)


def _freq(word: str) -> int:
    return lexicon.common(word)


def _word(word: str) -> int:
    """Frequency as an ordinary word, counting frequent "names" of jieba's as words."""
    return lexicon.common(word, names_below=100)


def _free(taken: bytearray, start: int, end: int) -> bool:
    return end <= len(taken) and not any(taken[start:end])


def _ends_word(s: str, i: int) -> bool:
    """The character at ``i`` ends a word begun before it (资金, 公司), unless the one
    before belongs to a more frequent word of its own (去年|金平)."""
    if i == 0 or not _is_cjk(s[i - 1]):
        return False
    before = _freq(s[i - 1 : i + 1])
    return before >= 20 and (i < 2 or _freq(s[i - 2 : i]) < before)


def _surname_at(s: str, i: int) -> int:
    """Length of the surname starting at ``i`` (2 for a compound one), 0 if none."""
    m = _model()
    if s[i : i + 2] in m.compound:
        return 2
    return 1 if s[i] in m.single else 0


def _is_cjk(ch: str) -> bool:
    return bool(_CJK.match(ch))


def _fits(s: str, k: int) -> bool:
    """The character at ``k`` may stand in a given name: Chinese, no function word, and
    not the start of a common word (一个, 天天, 中午 …) when it often is one."""
    if k >= len(s) or not _is_cjk(s[k]) or s[k] in _FUNCTION:
        return False
    return not (s[k] in _WEAK and _freq(s[k : k + 2]) >= 50)


def _given(s: str, j: int, *, lenient: bool) -> int:
    """How many characters from ``j`` make a given name (0, 1 or 2). After a cue
    (``lenient``) any fitting character starts one, and a second one ends it unless it
    begins a word with what follows; otherwise both must be common in given names."""
    given = _model().given
    if not _fits(s, j) or not (lenient or s[j] in given):
        return 0
    if not _fits(s, j + 1):
        return 1
    if s[j + 1] in given or (lenient and s[j + 1] not in _ADMIN and _freq(s[j + 1 : j + 3]) < 50):
        return 2
    return 1


def cued_names(s: str, taken: bytearray) -> Found:
    """Names after a title or a contact / self-identification cue."""
    out: Found = []
    for hit in _model().cue.finditer(s):
        i = hit.end()
        sl = _surname_at(s, i)
        n = _given(s, i + sl, lenient=True)
        if not n or _freq(s[i : i + sl + 1]) >= 100 or s[i + sl + n : i + sl + n + 1] in _ADMIN:
            continue  # 老师常常, 我是明光市…
        if _free(taken, i, i + sl + n):
            out.append((i, i + sl + n))
    return out


def titled_names(s: str, taken: bytearray) -> Found:
    """A surname with or without a given name before a title (王主任, 李建国老师)."""
    m = _model()
    guarded = bytearray(len(s))
    for g in _NOT_NAME.finditer(s):
        guarded[g.start() : g.end()] = b"\x01" * (g.end() - g.start())
    out: Found = []
    pos = 0
    while (hit := m.titled.search(s, pos)) is not None:
        i = hit.start()
        if (
            any(guarded[i : hit.end()])
            or not _free(taken, i, hit.end())
            or _ends_word(s, i)  # 公司总经理, 分管副县长
        ):
            pos = i + 1
            continue
        if hit[2]:  # a full name: the title stays
            out.append((hit.start(), hit.end(2)))
        else:
            out.append((hit.start(), hit.end()))
        pos = hit.end()
    for hit in m.nick.finditer(s):
        if _free(taken, hit.start(), hit.end()) and (hit.start(), hit.end()) not in out:
            out.append((hit.start(), hit.end()))
    return out


def bare_names(s: str, taken: bytearray) -> Found:
    """Surname + one or two given-name characters standing on their own."""
    out: Found = []
    after = 0
    for hit in _model().start.finditer(s):
        i = hit.start()
        if i < after or taken[i]:
            continue
        end = _bare_name(s, i)
        if end and _free(taken, i, end):
            out.append((i, end))
            after = end
    return out


def _bare_name(s: str, i: int) -> int:
    """The end of a bare name starting at ``i``, or 0."""
    sl = _surname_at(s, i)
    if sl == 1 and s[i] in _NOT_BARE:
        return 0
    if not sl or _ends_word(s, i):
        return 0  # 资金, 单位: the surname character ends a word
    j = i + sl
    n = _given(s, j, lenient=False)
    if not n:
        return 0
    if sl == 1 and _word(s[i : j + 1]) >= 20:
        # the surname begins a word (江海, 方志, 马上): only a third character common
        # in names followed by a break makes a name (江海涛在)
        if n < 2 or not _breaks(s, j + 2):
            return 0
    if (
        sl == 1
        and n == 2
        and s[i] in _ORDINARY
        and _freq(s[j : j + 2]) >= 200
        and lexicon.kind(s[j : j + 2]) in (lexicon.NOUN, lexicon.OTHER)
    ):
        return 0  # 分配向行政倾斜, 引进时承诺
    if sl == 2 and _freq(s[i:j]) >= 500 and _freq(s[j : j + n]) >= 100:
        return 0  # 东方明珠
    if n == 1 and _freq(s[j : j + 2]) >= 100 and lexicon.kind(s[j : j + 2]) == lexicon.NOUN:
        return 0  # 冬天连暖气: the given-name character begins a noun
    end = j + n
    if (
        _word(s[i:end]) >= 20
        or _word(s[i : j + 2]) >= 20
        or _word(s[i : i + 4]) >= 10
        or (end < len(s) and s[end] in _PLACE_AFTER)
    ):
        return 0  # 高新区, 马克思, 于心不忍, 杨树林里
    return end


def _breaks(s: str, k: int) -> bool:
    return k >= len(s) or not _is_cjk(s[k]) or s[k] in _FUNCTION


def latin_names(s: str, taken: bytearray) -> Found:
    """Names in Latin letters: Dr. Chen, Zhang Haoran, HE Zhiqiang, Kevin Zhao."""
    out: Found = [(h.start(), h.end()) for h in _LATIN_TITLE.finditer(s)]
    for h in _LATIN_PAIR.finditer(s):
        first, second = h[1].lower(), h[2].lower()
        if (
            first in _NOT_LATIN_NAME
            or second in _NOT_LATIN_NAME
            or (first, second)
            == (
                "hong",
                "kong",
            )
        ):
            continue
        if (first in _PINYIN_SURNAMES and _PINYIN.fullmatch(second)) or (
            second in _PINYIN_SURNAMES and (_PINYIN.fullmatch(first) or h[1].istitle())
        ):
            out.append((h.start(), h.end()))
    return [(a, b) for a, b in out if _free(taken, a, b)]


def repeated(s: str, taken: bytearray, names: Iterable[str]) -> Found:
    """Further places of names already found (two characters or more)."""
    out: Found = []
    for name in sorted({n for n in names if len(n) >= 2}, key=len, reverse=True):
        at = s.find(name)
        while at >= 0:
            if _free(taken, at, at + len(name)):
                out.append((at, at + len(name)))
            at = s.find(name, at + 1)
    return out
