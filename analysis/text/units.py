"""Names of units (institutions) in open answers, for the personal-data scrubber.

A unit name ends in a suffix naming its kind (大学, 医院, 中学, 公司, 局, 科协, 协会,
疾病预防控制中心, 卫生健康委员会, 人民政府, 管委会, 实验室, 技术推广站, 农技站, 馆,
产业园 …) and has before it a **specific** part: at least two characters that are not
generic words — admin levels (省, 市, 县, 区, 镇), grades and ownership (三甲, 县级, 公办,
民营), fields of work (教育, 农业农村, 卫生健康, 疾病预防控制, 技术推广, 生物医药 …),
ordinals (第一). So 「桐川市疾病预防控制中心」, 「滨江区教育局」, 「南湖实验室」 are units,
while 「教育局」, 「县农技站」, 「三甲医院」, 「公办学校」, 「我们学院」 are not. The prefix
is read back from the suffix (at most 14 characters) and cut after the last word that
cannot be part of a name (的, 在, 我, 感谢, 希望 …), so 「感谢科协」 is no unit either.
Where the suffix is an ordinary word too (实验室, 中心, 站, 馆 …), a specific part made
of common words (jieba's dictionary, not place names) is no name unless an admin level
follows it (「定远县畜牧兽医站」): 「梅雨季节实验室」 is no unit.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import lexicon

__all__ = ["find_units"]

_UNIT_SUFFIX = re.compile(
    r"大学|学院|研究院|研究所|科学院|医院|卫生院|保健院|中学|小学|学校|幼儿园|公司|集团|"
    r"(?<![格布结大当出骗开僵残饭困棋时政变新全战终赌乱败胜一两几每这那哪])局|科协|协会|"
    r"(?<!以)(?<!为)中心(?!任务|城区|区|地带|思想)|实验室|农科所|农技站|"
    r"研究会|设计院|规划院|勘察院|检察院|法院|事务所|合作社|医学会|委员会|管委会|卫健委|"
    r"发改委|政府|联合会|开发区|高新区|办事处|管理处|卫生室|卫生所|诊所|派出所|检测所|产业园|科技园|工业园|农场|林场|"
    r"(?<![饭旅宾展场茶酒])馆(?!长|员|藏)|站(?![点长台里内上前])|厂(?![长家商区房])"
)
_BREAKERS = set(
    "的在是我你他她们和了到从对给被把这那本该各每其就也还很去说让向于为由将要"
    "可所并且而或跟比像如等个些位吧呢吗啊没不想做都只已靠有搞但却祝"
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
    "感谢",
    "谢谢",
    "要求",
    "组织",
    "参加",
    "参与",
    "通过",
    "联系",
    "反映",
    "离开",
    "进入",
    "加入",
    "引进",
    "一家",
    "一所",
    "一个",
    "一名",
    "一位",
    "另外",
)
# breakers inside common names: 「协和医院」, 「和平中学」, 「自然资源和规划局」, 「有限公司」
_NAMED = (
    "和平", "太和", "中和", "平和", "祥和", "协和", "人和", "和县", "同和", "源和", "有限", "成都",
    "首都", "京都",
)  # fmt: skip
_GENERIC = tuple(
    sorted(
        (
            "二级 附属 民营 私营 国有 上级 下级 下属 其他 各个 各级 一些 很多 不少 大型 中小 小型 "
            "综合 专科 重点 普通 高等 职业 技术 科技 基层 乡镇 县级 市级 省级 地方 本地 外地 当地 "
            "公立 民办 公办 私立 有限 责任 股份 外资 合资 一般 好的 大的 小的 中医 一流 双一流 "
            "高水平 研究型 教学型 医科 理工 师范 农业 工业 初级 高级 这种 那种 某 某个 一所 一家 "
            "一个 调查 高校 院所 工作 服务 基站 三甲 二甲 三级 三乙 人民 国家 省部 第一 第二 第三 "
            "第四 第五 教育 农村 卫生 健康 疾病 预防 控制 疾控 推广 管理 妇幼 保健 动物 疫病 水产 "
            "畜牧 兽医 植物 保护 植保 土肥 农技 农机 林业 水利 气象 环境 监测 检测 检验 质量 监督 "
            "自然资源 规划 生态 经济 开发区 高新区 开发 高新 发展 改革 信息 人力资源 社会保障 财政 "
            "交通 住房 城乡 建设 市场 文化 旅游 体育 公安 司法 民政 审计 统计 应急 能源 电力 供电 "
            "社区 街道 实验 研究 研发 生物 医药 制药 化工 电子 软件 网络 汽车 机械 装备 智能 材料 "
            "新材料 学术 伦理 职称 评审 专家 工会 活动 城市 科学 科普 图书 产业 园区 种业 企业 "
            "马克思主义 外国语 计算机 数学 物理 化学 生命 医学 药学 护理 农学 林学 土木 电气 "
            "机电 自动化 经济管理 管理 法学 文学 历史 艺术 音乐 美术 体育 新闻 传媒 教育学 "
            "心理 外语 工程 环境 资源 能源 食品 纺织 建筑 矿业 地质 海洋 航空 航天 "
            "区县 市县 县市 省市 县乡 县区 市区"
        ).split(),
        key=len,
        reverse=True,
    )
)
_GENERIC_WORD = re.compile("|".join(_GENERIC))
_ADMIN_LEVEL = re.compile("(?<=..)[省市县区镇乡村]")
_NOT_UNIT = re.compile(
    r"(?:考上|考进|考到|上了?|读了?|念了?|进了?|去了?)(?:大学|中学|小学|学校)|"
    r"(?:研究生|本科生|大学生|中学生|小学生)|学院派|医院里|公司里|[出进]站|车站|网站|站在|站台"
)
_ADMIN = re.compile("[省市县区镇乡村州]")
# suffixes that are ordinary words too: their specific part must not be ordinary words
_WEAK = frozenset(
    {
        "实验室",
        "中心",
        "馆",
        "站",
        "厂",
        "农场",
        "林场",
        "产业园",
        "科技园",
        "工业园",
        "政府",
        "科协",
    }
)
_CJK_OR_ALNUM = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")


def find_units(s: str, taken: bytearray, claim: Callable[[int, int, str], bool]) -> None:
    """Claim the unit names of ``s`` (right to left: 「东湖大学附属医院」 is one unit,
    named by its last suffix)."""
    guarded = bytearray(len(s))
    for m in _NOT_UNIT.finditer(s):
        guarded[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
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
        specific = _specific(prefix)
        if len(specific) < 2 or (
            not _ADMIN.search(_GENERIC_WORD.sub("", prefix))
            and _plain(specific, every_kind=m.group() in _WEAK)
        ):
            continue
        claim(m.start() - len(prefix), m.end(), "unit")


def _plain(text: str, *, every_kind: bool) -> bool:
    """``text`` is made of common words of jieba's that name no place: of any kind
    (梅雨季节) or, unless ``every_kind``, only frequent words that are no nouns (同时,
    感谢; jieba tags some place names as adverbs, 定远, but seldom saw them)."""
    kinds = (lexicon.NAME, lexicon.NOUN, lexicon.OTHER) if every_kind else (lexicon.OTHER,)
    least = 50 if every_kind else 1000
    i = 0
    while i < len(text):
        for n in (3, 2):
            word = text[i : i + n]
            if len(word) == n and lexicon.frequency(word) >= least and lexicon.kind(word) in kinds:
                i += n
                break
        else:
            return False
    return True


def _named(prefix: str, i: int) -> bool:
    """The breaker at ``i`` is part of a common place or unit name (协和, 和平 …)."""
    return prefix[i : i + 2] in _NAMED or prefix[max(0, i - 1) : i + 1] in _NAMED


def _specific(prefix: str) -> str:
    """The prefix without generic words (二级, 县级, 综合 …) and admin levels after a
    name (滨江区 -> 滨江, but 固镇县 -> 固镇: an admin character is part of the name when
    fewer than two characters stand before it)."""
    return _ADMIN_LEVEL.sub("", _GENERIC_WORD.sub("", prefix))
