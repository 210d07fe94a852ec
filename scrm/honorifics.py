"""How reps address people: the titles and honorifics after a surname (张总, 李经理, 王老师, 刘姐), the title a
position implies, and the surnames they follow. One table for the parser (where a name ends, who is a person),
name matching (names compared without them) and the welcome texts ({客户}). Data only."""

from __future__ import annotations

import re

# Longest first, so 王总经理 ends at 总经理 and 陈老总 at 老总, not at 总.
TITLES: tuple[str, ...] = tuple(
    sorted(
        (
            *("总", "老总", "总经理", "总监", "董", "董事长", "经理", "主管", "老板", "主任"),
            *("局长", "处长", "科长", "院长", "校长", "厂长", "工", "老师", "博士", "律师", "助理", "秘书"),
            *("先生", "女士", "小姐", "姐", "哥"),
        ),
        key=len,
        reverse=True,
    )
)
TITLE = "|".join(TITLES)  # for regular expressions: (?:{TITLE})

# The title a customer's position implies, greeting them (采购总监 张伟 → 张总); the first word found wins.
POSITION_TITLES: tuple[tuple[str, str], ...] = (
    ("总经理", "总"),
    ("总监", "总"),
    ("总裁", "总"),
    ("董事长", "总"),
    ("ceo", "总"),
    ("cto", "总"),
    ("老板", "老板"),
    ("经理", "经理"),
    ("主管", "经理"),
    ("教授", "老师"),
    ("老师", "老师"),
    ("工程师", "工"),
    ("主任", "主任"),
)

COMPOUND_SURNAMES: tuple[str, ...] = (
    *("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容"),
    *("令狐", "长孙", "宇文", "司徒", "夏侯", "端木", "独孤", "南宫", "西门"),
)
# Common single-character surnames, most common first: a surname + title (王经理) or 老/小 + surname (老王) names
# a person even when they are nobody's customer.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵钱严覃武戴莫孔汤温康施牛樊葛"
    "邢齐乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞柳祝舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝游辛靳柴蒙鲍"
    "华喻祁蒲房滕屈饶牟艾尤穆卓吉缪芦麦褚娄窦戚岑景党宫费卜冷晏席柏宗瞿桂佟臧闵苟邬卞姬仇栾隋刁沙荣巫寇"
    "桑郎甄丛仲虞敖巩佘池迟邝"
)

# A remark that opens with a surname and a title (张总-华为, 王老师（校办）) says how the rep greets them.
_TITLED_REMARK = re.compile(rf"^([\u4e00-\u9fff]{{1,2}}(?:{TITLE}))(?:$|[\s\-—_/（(·,，])")


def surname_of(name: str) -> str:
    return next((s for s in COMPOUND_SURNAMES if name.startswith(s)), name[:1])


def titled_remark(remark: str) -> str | None:
    """张总-华为 → 张总: the greeting a remark opens with, if it opens with one."""
    match = _TITLED_REMARK.match(remark.strip())
    return match.group(1) if match else None


def position_title(position: str) -> str | None:
    """采购总监 → 总, 工程师 → 工: the title a position implies, if any."""
    return next((title for word, title in POSITION_TITLES if word in position.lower()), None)


def without_title(name: str) -> str:
    """张总 → 张, 李经理 → 李, 王老师 → 王: a name as compared with others (never emptied: 总 stays 总)."""
    for title in TITLES:
        if len(name) > len(title):
            name = name.removesuffix(title)
    return name
