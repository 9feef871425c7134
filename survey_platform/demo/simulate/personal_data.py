"""Fictional personal data for open answers: what the report scrubber must catch.

Real respondents sometimes write their phone number, e-mail, ID number, a superior's name
or their unit into an open answer. Simulated answers do the same at a configured rate,
but nothing written here can be a real person's identifier:

* **Mobile numbers** use the segment 154, which MIIT has never allocated to an operator
  (the unallocated segments were 142, 143, 154, 161, 164 and 194), and within it only
  ``15400`` + six digits. China has no official "drama" range like Ofcom's 07700 900xxx;
  an unallocated segment is the nearest equivalent. They still look like mobile numbers
  (11 digits starting with 1), so a scrubber's pattern sees them.
* **E-mail addresses** end in ``example.com``, ``example.net`` or ``example.org``,
  reserved for documentation by RFC 2606 (no mailbox can exist there).
* **ID numbers** (居民身份证号码, GB 11643) have a deliberately *wrong* check character
  (ISO 7064 MOD 11-2), so no issued number can equal one of them.
* **Names** are a random surname and one or two random given-name characters followed
  by a title (王建华主任, 李老师): a name alone identifies no one, and none is taken from
  a list of real people.
* **Units** are the demo's fictional host institutions and a department.

``find_personal_data`` recognises all five kinds; the tests use it to check the rate and
that every phone, e-mail and ID number found is one of the fictional kinds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

FICTIONAL_MOBILE_PREFIX = "15400"
EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_REGIONS = ("341102", "341103", "341122", "341124", "341125", "341126", "341181", "341182")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "建国华明军平志伟勇杰涛斌超波辉刚健峰磊强鹏飞宇浩晨阳欣怡静丽敏燕娟霞婷雪琳晶颖慧洁玲芳红梅兰英秀凤亮海林松柏涵睿哲博文轩昊然思远嘉佳宁"  # noqa: E501
TITLES = (
    "主任", "院长", "所长", "处长", "科长", "站长", "书记", "经理", "教授", "博士",
    "老师", "医生", "工程师", "研究员", "副院长", "副主任",
)  # fmt: skip
DEPARTMENTS = (
    "科研处", "人事处", "财务处", "办公室", "研发中心", "技术部", "质检科", "心内科",
    "外科", "检验科", "教务处", "实验中心", "植保站", "土肥站", "材料学院", "信息学院",
)  # fmt: skip

_PHONE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?(1\d{2})[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")


def _hosts() -> tuple[str, ...]:
    from survey_platform.demo.network import STATIONS

    return tuple(host for host, *_ in STATIONS)


def id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def id_checksum_ok(number: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dXx]", number):
        return False
    return id_check_char(number[:17]) == number[17].upper()


def mobile(rng: np.random.Generator) -> str:
    digits = FICTIONAL_MOBILE_PREFIX + "".join(str(d) for d in rng.integers(0, 10, 6))
    style = int(rng.integers(4))
    if style == 1:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if style == 2:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if style == 3:
        return f"+86 {digits}"
    return digits


def email(rng: np.random.Generator) -> str:
    syllables = ("zhang", "li", "wang", "liu", "chen", "yang", "hua", "ming", "jun", "xiao")
    local = "".join(syllables[int(i)] for i in rng.integers(0, len(syllables), 2))
    if rng.uniform() < 0.6:
        local += str(int(rng.integers(1, 2000)))
    return f"{local}@{EXAMPLE_DOMAINS[int(rng.integers(len(EXAMPLE_DOMAINS)))]}"


def id_number(rng: np.random.Generator) -> str:
    region = ID_REGIONS[int(rng.integers(len(ID_REGIONS)))]
    year = int(rng.integers(1965, 2001))
    month, day = int(rng.integers(1, 13)), int(rng.integers(1, 29))
    first17 = f"{region}{year}{month:02d}{day:02d}{int(rng.integers(0, 1000)):03d}"
    right = id_check_char(first17)
    wrong = [c for c in ID_CHECK if c != right]
    return first17 + wrong[int(rng.integers(len(wrong)))]


def person_name(rng: np.random.Generator, with_title: bool = True) -> str:
    surname = SURNAMES[int(rng.integers(len(SURNAMES)))]
    given = (
        ""
        if rng.uniform() < 0.35
        else "".join(GIVEN[int(i)] for i in rng.integers(0, len(GIVEN), int(rng.integers(1, 3))))
    )
    title = TITLES[int(rng.integers(len(TITLES)))] if with_title else ""
    return surname + given + title


def unit_name(rng: np.random.Generator) -> str:
    hosts = _hosts()
    host = hosts[int(rng.integers(len(hosts)))]
    return host + DEPARTMENTS[int(rng.integers(len(DEPARTMENTS)))]


#: Sentences that carry personal data; each placeholder is filled from the generators.
TEMPLATES: Sequence[str] = (
    "我是{unit}的{name}，电话{phone}，有问题欢迎联系。",
    "具体情况可以发邮件到{email}，我愿意详细说明。",
    "联系人：{name}，手机{phone}。",
    "我们{unit}的{name}长期把项目经费卡着不批，大家意见很大。",
    "{name}在评职称时明显照顾关系户，{unit}的同事都知道。",
    "如需核实，我的身份证号是{id}。",
    "本人在{unit}工作，邮箱{email}，电话{phone}。",
    "可以找{unit}的{name}了解情况。",
    "希望有关领导联系我：{phone}。",
    "我的邮箱是{email}，欢迎交流。",
    "去年{name}答应解决的问题到现在也没落实。",
    "{unit}{name}，身份证{id}，电话{phone}。",
)


def personal_sentence(rng: np.random.Generator) -> tuple[str, set[str]]:
    """One sentence with personal data, and the kinds it contains."""
    template = TEMPLATES[int(rng.integers(len(TEMPLATES)))]
    values = {
        "unit": unit_name(rng),
        "name": person_name(rng),
        "phone": mobile(rng),
        "email": email(rng),
        "id": id_number(rng),
    }
    kinds = {key for key in values if "{" + key + "}" in template}
    return template.format(**values), kinds


def find_personal_data(text: str) -> dict[str, list[str]]:
    """What looks like personal data in ``text``, by kind (phone, email, id, name, unit)."""
    found: dict[str, list[str]] = {}
    ids = [m.group(1) for m in _ID.finditer(text)]
    if ids:
        found["id"] = ids
    without_ids = _ID.sub(" ", text)
    phones = ["".join(m.groups()) for m in _PHONE.finditer(without_ids)]
    if phones:
        found["phone"] = phones
    emails = [m.group(0) for m in _EMAIL.finditer(text)]
    if emails:
        found["email"] = emails
    title_pattern = "|".join(sorted(TITLES, key=len, reverse=True))
    names = re.findall(rf"[{SURNAMES}][{GIVEN}]{{0,2}}(?:{title_pattern})", text)
    if names:
        found["name"] = names
    units = [host for host in _hosts() if host in text]
    if units:
        found["unit"] = units
    return found


def is_fictional_phone(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    digits = digits[2:] if len(digits) == 13 and digits.startswith("86") else digits
    return len(digits) == 11 and digits.startswith(FICTIONAL_MOBILE_PREFIX)


def is_fictional_email(address: str) -> bool:
    return address.rsplit("@", 1)[-1].lower() in EXAMPLE_DOMAINS
