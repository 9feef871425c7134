"""Roster parsing (no database): headers, encodings, levels, row errors, merging, limits."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from survey_platform.fieldwork.roster import (
    MAX_ROWS,
    Person,
    RosterFileError,
    normalise_phone,
    parse_roster,
)


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_english_headers_and_codes():
    roster = parse_roster(b"name,email,phone,title,age_group\nAlice,a@example.cn,,senior,lt35\n")
    assert roster.errors == []
    assert roster.people == [Person(2, "Alice", "a@example.cn", "", "senior", "lt35")]


@pytest.mark.parametrize(
    ("title", "code"),
    [("正高", "senior"), ("副高级", "associate"), ("中级", "intermediate"), ("初级", "junior"),
     ("无", "none"), ("Senior", "senior"), ("", "")],
)  # fmt: skip
def test_chinese_titles(title, code):
    roster = parse_roster(f"姓名,职称\n甲,{title}\n".encode())
    assert roster.errors == []
    assert roster.people[0].title == code


@pytest.mark.parametrize(
    ("age", "code"),
    [("35岁以下", "lt35"), ("35-44岁", "35-44"), ("35–44岁", "35-44"), ("45～54岁", "45-54"),
     ("55岁及以上", "55plus"), ("55岁以上", "55plus"), ("lt35", "lt35"), ("55plus", "55plus")],
)  # fmt: skip
def test_chinese_age_groups(age, code):
    roster = parse_roster(f"姓名,年龄组\n甲,{age}\n".encode())
    assert roster.errors == []
    assert roster.people[0].age_group == code


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings(encoding):
    text = "姓名,电子邮箱,电话,职称,年龄组\n张三,z@example.cn,13800000000,正高,35岁以下\n"
    roster = parse_roster(text.encode(encoding))
    assert roster.errors == []
    assert roster.people[0].name == "张三"
    assert roster.people[0].phone == "13800000000"


def test_semicolon_and_tab_separated():
    assert parse_roster("姓名;邮箱\n甲;a@example.cn\n".encode()).people[0].email == "a@example.cn"
    assert parse_roster("姓名\t邮箱\n甲\ta@example.cn\n".encode()).people[0].email == "a@example.cn"


def test_unknown_columns_are_ignored():
    roster = parse_roster("部门,姓名,备注\n物理系,甲,无\n".encode())
    assert roster.people == [Person(2, "甲")]


def test_xlsx_numbers_become_text():
    data = xlsx([["姓名", "手机"], ["甲", 13800000000], ["乙", 13900000000.0]])
    roster = parse_roster(data, "roster.xlsx")
    assert [p.phone for p in roster.people] == ["13800000000", "13900000000"]


def test_every_bad_row_is_reported_with_its_number():
    text = (
        "name,email,phone,title,age_group\n"
        "Good,good@example.cn,,,\n"  # 2
        "Bad mail,good@,,,\n"  # 3
        "Bad title,,,professor,\n"  # 4
        ",,,,\n"  # 5 blank between people
        ",,13800000000,,\n"  # 6 only a phone
        "Bad age,,,,99\n"  # 7
        "Bad phone,,call me,,\n"  # 8
        "Two problems,@@,,boss,\n"  # 9 (two messages)
        ",,,,\n"  # trailing blank rows are ignored
        ",,,,\n"
    )
    roster = parse_roster(text.encode())
    assert [e.row for e in roster.errors] == [3, 4, 5, 6, 7, 8, 9, 9]
    assert len(roster.people) == 1
    messages = " ".join(e.message for e in roster.errors)
    for token in ("good@", "professor", "99", "call me", "boss"):
        assert token in messages


def test_a_name_alone_is_enough_and_an_email_alone_too():
    roster = parse_roster(b"name,email\nOnly Name,\n,only@example.cn\n")
    assert roster.errors == []
    assert [(p.name, p.email) for p in roster.people] == [
        ("Only Name", ""),
        ("", "only@example.cn"),
    ]


def test_too_long_values():
    roster = parse_roster(("name,email\n" + "x" * 101 + ",\n").encode())
    assert roster.errors[0].row == 2


@pytest.mark.parametrize("bad", ["\ufdd0", "\uffff", "\U0001fffe"])
def test_names_that_are_not_valid_text_are_refused(bad):
    with translation.override("en"):
        roster = parse_roster(f"name,email\n张{bad}三,\n李四,\n".encode())
    assert [e.row for e in roster.errors] == [2]
    assert "not valid text" in roster.errors[0].message
    assert [p.name for p in roster.people] == ["李四"]


def test_duplicates_merge_and_fill_blanks():
    text = (
        "name,email,phone,title\n"
        "A,a@example.cn,,\n"
        "A second,A@Example.cn,138-0000-0001,senior\n"  # same e-mail: merged, fills phone/title
        "Someone,,13800000001,\n"  # same phone as the merged person
        "B,,13900000000,\n"
    )
    roster = parse_roster(text.encode())
    assert roster.errors == []
    assert roster.merged == 2
    assert roster.people[0] == Person(2, "A", "a@example.cn", "13800000001", "senior", "")
    assert roster.people[1].name == "B"


def test_phone_normalisation():
    assert normalise_phone("+86 138-0000 (0001)") == "+8613800000001"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"department,notes\nx,y\n", "first row must name"),
        ("姓名,名字\n甲,乙\n".encode(), "appears twice"),
        (b"name,email\n,,\n", "nobody"),
        (b"PK\x03\x04not really a zip", "Excel"),
    ],
)
def test_unusable_files(data, fragment):
    with translation.override("en"), pytest.raises(RosterFileError) as caught:
        parse_roster(data, "roster.csv")
    assert fragment in str(caught.value)


def test_size_limit():
    with pytest.raises(RosterFileError, match="2 MB"):
        parse_roster(b"name\n" + b"a\n" * (1024 * 1024 + 10))


def test_row_limit():
    text = "name\n" + "".join(f"p{i}\n" for i in range(MAX_ROWS))
    assert len(parse_roster(text.encode()).people) == MAX_ROWS
    with pytest.raises(RosterFileError, match=str(MAX_ROWS)):
        parse_roster((text + "one more\n").encode())


def test_xlsx_with_chinese_headers_and_errors():
    data = xlsx(
        [
            ["姓名", "邮箱", "职称", "年龄组"],
            ["甲", "jia@example.cn", "副高", "45-54岁"],
            ["乙", "坏邮箱", "教授", None],
        ]
    )
    roster = parse_roster(data, "名单.xlsx")
    assert roster.people[0].title == "associate"
    assert [e.row for e in roster.errors] == [3, 3]
