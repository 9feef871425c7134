"""Normalisation, segmentation, clause reading and emerging themes."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.text import (
    analyse_clauses,
    discover_themes,
    is_blank,
    is_null_answer,
    normalize,
    segment,
    to_halfwidth,
    tokens,
)
from analysis.text._t2s import T2S
from analysis.text.segment import stopwords, user_words


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  \n\t ", ""),
        ("😀👍🏻😭", ""),
        ("ＡＢＣ１２３，ｆｕｎｄｉｎｇ", "abc123，funding"),
        ("經費還算充足，就是報銷太麻煩！！", "经费还算充足，就是报销太麻烦"),
        ("填表、开会、检查\n\n太多了~~", "填表、开会、检查，太多了"),
        ("“唯论文”（唯帽子）问题严重!!!", "唯论文唯帽子问题严重"),
        ("经费少 报销难", "经费少，报销难"),
        ("工资3.5万.不够。。。", "工资3.5万。不够"),
        ("I think FUNDING is low. 工资低", "i think funding is low。工资低"),
        ("\x00\u200b控制\ue000字符\ud800", "控制字符"),
    ],
)
def test_normalize(raw, expected) -> None:
    assert normalize(raw) == expected


def test_normalize_caps_long_answers_and_halfwidth_keeps_offsets() -> None:
    assert len(normalize("报销" * 10_000)) == 4000
    s = "电话：１３８００１３８０００，Ｅ－ｍａｉｌ＠"
    assert len(to_halfwidth(s)) == len(s)
    assert to_halfwidth(s) == "电话：13800138000，E-mail@"
    assert is_blank("  😀 ") and not is_blank("无")


def test_traditional_table_is_consistent() -> None:
    assert len(T2S) > 1500
    assert all(len(v) == 1 and chr(k) != v for k, v in T2S.items())
    # simplified characters never map further (the table is idempotent)
    assert "职称评审压力经费报销".translate(T2S) == "职称评审压力经费报销"
    assert "學術風氣".translate(T2S) == "学术风气"


def test_segmentation_uses_the_user_dictionary_and_stopwords() -> None:
    assert {"报销", "唯论文", "非升即走", "职称评审", "横向课题", "填表"} <= set(user_words())
    words = segment("非升即走的压力和唯论文的评价导向，职称评审太难，横向课题不算业绩")
    for w in ("非升即走", "唯论文", "职称评审", "横向课题"):
        assert w in words
    toks = tokens("我觉得报销的流程太麻烦了！！！2023")
    assert "报销" in toks and "的" not in toks and "我" not in toks and "2023" not in toks
    assert "不" not in stopwords() and "没有" not in stopwords()  # negators are meaningful
    assert segment("") == [] and tokens("") == []


def test_clauses_split_at_contrast_words_and_weight_them() -> None:
    lex = {"报销": "G02", "经费": "G01", "评价": "G03"}

    def finder(clause):
        return [(c, t, clause.find(t)) for t, c in lex.items() if t in clause]

    cl = analyse_clauses("经费还算充足就是报销太麻烦", finder)
    assert [(c.text, c.role) for c in cl] == [("经费还算充足就是报销太麻烦", "main")]
    cl = analyse_clauses("经费还算充足，就是报销太麻烦", finder)
    assert [c.role for c in cl] == ["denial", "main"] and cl[1].codes == ("G02",)
    cl = analyse_clauses("经费少但是评价更不合理", finder)
    assert [(c.text, c.role, c.weight) for c in cl] == [
        ("经费少", "concessive", 0.4),
        ("但是评价更不合理", "main", 1.0),
    ]
    # 不过 only opens a clause at its start: 忙不过来 is no contrast
    cl = analyse_clauses("忙不过来，报销也难", finder)
    assert [c.role for c in cl] == ["main", "main"]
    # sentences are separate: a contrast does not reach back over a full stop
    cl = analyse_clauses("经费少。但是评价不合理", finder)
    assert [c.role for c in cl] == ["main", "main"]
    # a wish is no denial even with a positive word in it
    (c,) = analyse_clauses("希望经费更充足", finder)
    assert c.role == "main"


@pytest.mark.parametrize(
    "text", ["无", "没有", "暂无意见", "谢谢", "无，谢谢", "no", "n/a", "/", "很好", "同上"]
)
def test_null_answers(text) -> None:
    assert is_null_answer(normalize(text))


@pytest.mark.parametrize("text", ["无经费", "没有时间", "经费少", "谢谢领导重视职称问题"])
def test_not_null_answers(text) -> None:
    assert not is_null_answer(normalize(text))


def test_themes_find_planted_topics_and_respect_the_minimum_size() -> None:
    rng = np.random.default_rng(3)
    canteen = ["食堂饭菜太难吃", "食堂菜品单一价格贵", "希望改善食堂伙食", "食堂饭菜油腻"]
    parking = ["停车位太少", "单位停车难车位紧张", "停车场收费太贵", "早上抢不到停车位"]
    rare = ["宿舍漏水没人修"]
    texts: list[str | None] = []
    for _ in range(60):
        texts.append(str(rng.choice(canteen)))
        texts.append(str(rng.choice(parking)))
    texts += rare * 3 + [None, "", "无", "王主任电话13800138000停车位太少"]
    quotable = set(range(0, len(texts), 2))  # only even rows may be shown
    themes = discover_themes(texts, n_themes=2, min_size=10, quotable=quotable)
    assert len(themes) == 2
    tops = {t.terms[0] for t in themes}
    assert any(w in tops for w in ("食堂", "饭菜")) and any(w in tops for w in ("停车位", "停车"))
    for t in themes:
        assert t.size >= 10 and 1 <= len(t.examples) <= 3
        assert all(r in quotable for r in t.example_rows)
        assert len(set(t.examples)) == len(t.examples)
        for term in t.terms:
            assert not any(ch.isdigit() for ch in term) and "王" not in term
    assert all("13800138000" not in e for t in themes for e in t.examples)
    assert discover_themes(texts[:10], min_size=10) == []
    assert discover_themes([None, "", "无"]) == []


def test_packages_import_neither_django_nor_heavy_libraries() -> None:
    """Pure packages (DESIGN.md §3); scikit-learn and jieba load on first use only."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys\n"
        "import analysis.text, analysis.grievances\n"
        "heavy = ('django', 'sklearn', 'jieba')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "print(','.join(bad))\n"
    )
    root = Path(__file__).resolve().parents[2]
    res = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == ""
