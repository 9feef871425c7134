"""The scrubber's patterns one by one, in both directions: what it must mask (names after
titles and cues, bare and compound-surname names, names in Latin letters, spoken e-mail
addresses, phone numbers in Chinese digits, long unit names) and what it must leave
(generic phrases, words that begin with a surname character, titles without a name).

All names, numbers and units here are invented; none is one of the frozen evaluation set.
"""

from __future__ import annotations

import pytest

from analysis.text import scrub


def _masked(text: str, value: str) -> bool:
    """Every character of every place of ``value`` in ``text`` is replaced."""
    spans = scrub(text).spans
    at = text.find(value)
    assert at >= 0, (text, value)
    while at >= 0:
        if not all(any(sp.start <= i < sp.end for sp in spans) for i in range(at, at + len(value))):
            return False
        at = text.find(value, at + 1)
    return True


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("找了处长吕德明两次都没结果", "吕德明"),
        ("站长汪建业说明年经费会增加", "汪建业"),
        ("我们院长邓振国很重视人才", "邓振国"),
        ("科长毛晓红让我们重新填表", "毛晓红"),
        ("老师章立华对学生特别好", "章立华"),
        ("书记范卫东来调研过", "范卫东"),
        ("主任马一鸣经常出差", "马一鸣"),
        ("经理杜海峰不批研发经费", "杜海峰"),
        ("副院长丁晓梅分管教学", "丁晓梅"),
        ("站长廖洋说要合并站点", "廖洋"),
        ("去年金平书记答应解决的问题", "金平"),
        ("刘海波站长在评职称时照顾关系户", "刘海波"),
        ("我是质检科的金主任", "金主任"),
    ],
)
def test_a_name_before_or_after_a_title(text: str, name: str) -> None:
    assert _masked(text, name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("联系人：许文斌，电话见上", "许文斌"),
        ("本人魏丽娟，在县医院工作十年", "魏丽娟"),
        ("我是潘志明，农技员", "潘志明"),
        ("我叫柴晓雨，是一名中学教师", "柴晓雨"),
        ("以上属实。签名：黄国栋", "黄国栋"),
        ("署名：欧阳晓燕", "欧阳晓燕"),
        ("实名反映：谭建军，单位拖欠工资", "谭建军"),
        ("填表人 吴海英", "吴海英"),
        ("落款：翁思远", "翁思远"),
    ],
)
def test_a_name_after_a_contact_or_self_identification_cue(text: str, name: str) -> None:
    assert _masked(text, name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("欧阳振宇反映的问题一直没解决", "欧阳振宇"),
        ("司马俊峰去年调走了", "司马俊峰"),
        ("诸葛云飞在所里干了十年", "诸葛云飞"),
        ("上官雨婷的材料被退回了", "上官雨婷"),
        ("东方子涵和我一个课题组", "东方子涵"),
        ("皇甫俊杰考上了公务员", "皇甫俊杰"),
        ("慕容晓峰负责实验室安全", "慕容晓峰"),
        ("令狐敏在企业做研发", "令狐敏"),
        ("宇文博的项目没批下来", "宇文博"),
        ("尉迟文静辞职了", "尉迟文静"),
        ("长孙宏伟一个人管两个站", "长孙宏伟"),
        ("夏侯婷婷的产假被缩短", "夏侯婷婷"),
        ("端木子轩是站里的骨干", "端木子轩"),
        ("公孙浩然说要走了", "公孙浩然"),
        ("同事赵丽萍被借调了", "赵丽萍"),
        ("黄志刚的论文被别人署名了", "黄志刚"),
        ("我和孙佳怡一起做的实验", "孙佳怡"),
        ("徐海燕在卫生院干了二十年", "徐海燕"),
    ],
)
def test_a_bare_name_with_a_single_or_compound_surname(text: str, name: str) -> None:
    assert _masked(text, name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("张建国和王小明都评上了", "张建国"),
        ("张建国和王小明都评上了", "王小明"),
        ("李红一个人带三个班", "李红"),
        ("陈平说单位不给报销", "陈平"),
        ("刘强辞职去了企业", "刘强"),
        ("郭建平把成果都报在自己名下", "郭建平"),
        ("王伟所在的科室经费最少", "王伟"),
    ],
)
def test_a_name_whose_given_name_is_common(text: str, name: str) -> None:
    assert _masked(text, name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("合作方的 Zhang Wei 很支持我们", "Zhang Wei"),
        ("Wang Xiaoming 去年离职了", "Wang Xiaoming"),
        ("Dr. Chen 的经费很紧张", "Dr. Chen"),
        ("请联系 Li Na，她负责报名", "Li Na"),
        ("我叫 Liu Haoyu，在外企工作", "Liu Haoyu"),
        ("Prof. Zhou 要求很严", "Prof. Zhou"),
        ("论文署名写成了 SUN Jiahui", "SUN Jiahui"),
        ("英文名 Jason Tang，做芯片设计", "Jason Tang"),
    ],
)
def test_a_name_in_latin_letters(text: str, name: str) -> None:
    assert _masked(text, name)


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("邮箱 zhangwei at 163 dot com，欢迎联系", "zhangwei at 163 dot com"),
        ("zhangwei(at)163(dot)com 欢迎联系", "zhangwei(at)163(dot)com"),
        ("邮箱：张伟 艾特 qq 点 com", "张伟 艾特 qq 点 com"),
        ("写信到 liyan [at] example [dot] org", "liyan [at] example [dot] org"),
        ("邮箱 wu_lei AT example DOT net", "wu_lei AT example DOT net"),
        ("邮箱：kexin#example.com（#换成@）", "kexin#example.com"),
        ("邮箱 lin.hao @ example . com 有事联系", "lin.hao @ example . com"),
    ],
)
def test_an_email_written_with_at_and_dot(text: str, address: str) -> None:
    assert _masked(text, address)
    assert "email" in scrub(text).found_kinds


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("电话壹叁玖壹贰叁肆伍陆柒捌", "壹叁玖壹贰叁肆伍陆柒捌"),
        ("手机一三九一二三四五六七八，微信同号", "一三九一二三四五六七八"),
        ("电话139一二三四5678", "139一二三四5678"),
        ("打幺三八 零零一三 八零零零", "幺三八 零零一三 八零零零"),
        ("座机零五五零三五一二三四五", "零五五零三五一二三四五"),
        ("电话：壹伍肆-零零贰叁-肆伍陆柒", "壹伍肆-零零贰叁-肆伍陆柒"),
    ],
)
def test_a_phone_number_in_chinese_digits(text: str, number: str) -> None:
    assert _masked(text, number)
    assert scrub(text).found_kinds == ("phone",)


def test_arabic_digits_do_not_swallow_a_following_chinese_numeral() -> None:
    assert scrub("座机0571-8888 1234一般没人接").text == "座机【电话】一般没人接"
    assert scrub("邮箱 li@example.com 一直在用").text == "邮箱 【邮箱】 一直在用"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("微博 @基层科研人 上写过", "基层科研人"),
        ("抖音号 nongji_xiaoli 上有科普视频", "nongji_xiaoli"),
        ("企业微信账号 li.rd 找我", "li.rd"),
        ("我的主页 scholar.example.com/u/abc 可以查到", "scholar.example.com/u/abc"),
    ],
)
def test_accounts_and_bare_web_addresses(text: str, value: str) -> None:
    assert _masked(text, value)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("我在滁州市疾病预防控制中心工作", "滁州市疾病预防控制中心"),
        ("全椒县卫生健康委员会要求太多", "全椒县卫生健康委员会"),
        ("凤阳县人民政府的文件", "凤阳县人民政府"),
        ("苏滁现代产业园管委会的补贴", "苏滁现代产业园管委会"),
        ("合肥微电子研究中心的待遇", "合肥微电子研究中心"),
        ("来安县农业技术推广站的人太少", "来安县农业技术推广站"),
        ("张山镇农技站没有车", "张山镇农技站"),
        ("天长市供电公司加班多", "天长市供电公司"),
        ("青阳湖实验室的科研助理", "青阳湖实验室"),
        ("南谯经济开发区人事处", "南谯经济开发区"),
        ("滁州市自然科学学会联合会的活动", "滁州市自然科学学会联合会"),
        ("固镇县人民政府答应的人才公寓", "固镇县人民政府"),
    ],
)
def test_a_unit_with_a_long_suffix(text: str, unit: str) -> None:
    assert _masked(text, unit)
    assert scrub(text).found_kinds == ("unit",)


@pytest.mark.parametrize(
    "text",
    [
        # generic units
        "我们县只有一家三甲医院",
        "公办学校的老师待遇还可以",
        "教育局检查太多",
        "县教育局要求填表",
        "感谢科协组织这次调查",
        "同时科协多组织学术交流",
        "我们学院的青年教师压力大",
        "市疾控中心人手不足",
        "区县科协工作人员少",
        "市第一人民医院的护士",
        "乡镇卫生院条件差",
        "高新区管委会的政策落地难",
        "省级重点实验室申报难",
        "地方政府重视不够",
        "马克思主义学院的老师",
        "作为一名中学教师",
        "南方的梅雨季节实验室潮湿",
        "企业研发这一块政府支持太少",
        # words beginning with a surname character
        "王牌专业的老师也要坐班",
        "高新区的企业留不住人",
        "黄金周也要值班",
        "高度重视不能只停留在口头上",
        "马上就要考核了",
        "周末经常加班",
        "常规检查太多了",
        "方便的话请回电",
        "任务太重了",
        "金额太少",
        "白天下乡晚上写材料",
        "像石头一样冰冷",
        "江河治理任务重",
        "程序太复杂",
        "于是大家都不做了",
        "许多人都走了",
        "何必搞形式主义",
        "安全检查太频繁",
        "钱款不到位",
        "钱少活多",
        "冬天连暖气都没有",
        "绩效分配向行政倾斜",
        "当初引进时承诺的实验室",
        "下限应小于上限",
        "于心不忍",
        "还是不给晋升",
        "要有真金白银的投入",
        "玩一局王者荣耀",
        "在 Hong Kong 开会",
        "我们用 Python 和 Excel 处理数据",
        "现在评职称必须要有SCI论文",
        # titles without a name
        "主任说今年不评优",
        "院长要求每人发两篇论文",
        "处长说这是规定",
        "书记和校长都来了",
        "站长经常自己垫钱",
        "公司总经理不重视研发",
        "分管副县长来调研",
        "班主任和任课老师都很累",
        # verbs that are cues only with a colon
        "层层签字 祝科协越办越好",
        "论文署名 不规范",
        "另外县级医院的医生也缺",
    ],
)
def test_generic_phrases_stay(text: str) -> None:
    res = scrub(text)
    assert res.text == text and res.found_kinds == ()


def test_a_full_name_keeps_its_title_and_a_surname_alone_goes_with_it() -> None:
    assert scrub("王振国老师说的对").text == "【姓名】老师说的对"
    assert scrub("找欧阳书记签字").text == "找【姓名】签字"


def test_a_name_found_once_is_masked_everywhere() -> None:
    text = "联系人：钱思远。钱思远说经费不够"
    assert scrub(text).text == "联系人：【姓名】。【姓名】说经费不够"


def test_traditional_characters_are_read_as_simplified() -> None:
    assert scrub("評價體系不合理，唯論文唯帽子").found_kinds == ()
    assert scrub("聯繫人：陳建華").text == "聯繫人：【姓名】"
