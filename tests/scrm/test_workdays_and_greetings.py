"""China's working days (holidays, 调休 Saturdays, the operator's file) and how a welcome greets a customer."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scrm import follow_ups, welcome, workdays

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_public_holidays_and_make_up_saturdays_follow_the_official_2026_list():
    calendar = workdays.Calendar()
    assert not calendar.is_working_day(date(2026, 10, 1))  # National Day
    assert not calendar.is_working_day(date(2026, 10, 7))  # the break's last day, a Wednesday
    assert calendar.is_working_day(date(2026, 10, 10))  # 调休: a Saturday that is a working day
    assert calendar.is_working_day(date(2026, 2, 14))  # 调休 before the Spring Festival
    assert not calendar.is_working_day(date(2026, 11, 28))  # an ordinary Saturday
    assert calendar.official(2026) and not calendar.official(2031)


def test_the_next_working_day_skips_the_break_and_the_sop_uses_it():
    calendar = workdays.Calendar()
    assert calendar.next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    workdays.use(calendar)
    added = datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI)
    assert follow_ups.first_due(added, SHANGHAI, "next_working_day") == datetime(2026, 10, 8, 10, 0, tzinfo=SHANGHAI)


def test_the_holiday_break_around_a_holiday_word():
    calendar = workdays.Calendar()
    assert calendar.holiday_break("national", date(2026, 9, 1)) == (date(2026, 10, 1), date(2026, 10, 7))
    assert calendar.holiday_break("spring_festival", date(2026, 1, 5)) == (date(2026, 2, 15), date(2026, 2, 23))


def test_the_operators_file_adds_next_years_list(tmp_path: Path):
    file = tmp_path / "holidays.yaml"
    file.write_text("holidays: [2027-01-01..2027-01-03, 2027-01-04]\nworkdays: [2027-01-09]\n", encoding="utf-8")
    calendar = workdays.load(file)
    assert not calendar.is_working_day(date(2027, 1, 4)) and calendar.is_working_day(date(2027, 1, 9))
    assert calendar.official(2027)
    assert calendar.next_working_day(date(2026, 12, 31)) == date(2027, 1, 5)


@pytest.mark.parametrize(
    "content",
    ["holidays: [2027-13-01]\n", "holiday: [2027-01-01]\n", "holidays: [2027-01-05..2027-01-01]\n", "holidays: [\n"],
)
def test_a_bad_holiday_file_is_refused_naming_what_is_wrong(tmp_path: Path, content: str):
    file = tmp_path / "holidays.yaml"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(workdays.CalendarFileError, match="holidays.yaml"):
        workdays.load(file)


@pytest.mark.parametrize(
    ("name", "remark", "position", "greeting"),
    [
        ("张伟", "张总-华为", "", "张总"),
        ("张伟", "", "采购总监", "张总"),
        ("李明", "", "采购经理", "李经理"),
        ("欧阳建国", "", "技术总监", "欧阳总"),
        ("赵敏", "赵老师", "", "赵老师"),
        ("王芳", "王芳-美的", "", "王芳"),
        ("Tony", "", "CEO", "Tony"),
    ],
)
def test_a_welcome_greets_the_customer_as_a_rep_would(name, remark, position, greeting):
    assert welcome.address(name, remark=remark, position=position) == greeting


def test_our_company_and_theirs_are_two_placeholders():
    text = welcome.render(
        "{客户}您好，我是{我司}的{销售}，{公司}的资料稍后发您。",
        customer="张总",
        rep="张三",
        company="华为技术有限公司",
        ours="云启智联",
    )
    assert text == "张总您好，我是云启智联的张三，华为技术有限公司的资料稍后发您。"
