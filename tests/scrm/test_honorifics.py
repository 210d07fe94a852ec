"""One table of titles and honorifics (scrm/honorifics.py): the parser, name matching and the welcome greeting know
the same ones. Before it, five lists differed: matching compared 王小姐 and 王主管 with their titles on, the greeting
knew neither 王姐 nor 王先生, and the parser did not take 王先生 or 王秘书 for a person the rep named."""

from __future__ import annotations

import pytest

from handlers.parsing import customers, names
from scrm import honorifics, matching, welcome


@pytest.mark.parametrize("title", honorifics.TITLES)
def test_every_title_is_known_alike_to_the_parser_matching_and_the_greeting(title: str) -> None:
    person = "王" + title
    assert names.split_customer(f"{person}电话沟通了报价") == (person, len(person))  # where the name ends
    assert customers.stranger(f"{person}下周三见面") == person  # someone named who is nobody's customer
    assert matching.clean(person) == "王"  # names compared without their title
    assert welcome.address("王芳", remark=f"{person}-华为") == person  # how the rep greets them


def test_the_longest_title_wins_and_a_title_alone_is_kept() -> None:
    assert honorifics.TITLES.index("总经理") < honorifics.TITLES.index("经理") < honorifics.TITLES.index("总")
    assert matching.clean("陈老总") == "陈" and matching.clean("总") == "总"


@pytest.mark.parametrize(
    ("name", "position", "greeting"),
    [
        ("张伟", "采购总监", "张总"),
        ("欧阳建国", "工程师", "欧阳工"),
        ("端木蓉", "主管", "端木经理"),  # a compound surname the parser knew and the greeting did not
        ("李雪梅", "", "李雪梅"),
    ],
)
def test_a_position_gives_the_surname_its_title(name: str, position: str, greeting: str) -> None:
    assert welcome.address(name, position=position) == greeting
