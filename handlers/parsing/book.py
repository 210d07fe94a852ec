"""A rep's own customers as the words reps call them by, found anywhere in a message.

Each customer is known by several aliases: the name, the remark and its parts (张总-华为 → 张总, 华为), the
company and its short forms (深圳市大疆创新科技有限公司 → 大疆创新, 大疆), and surname + title from the remark
or position (采购总监 张伟 → 张总). `find` scans the message once, longest alias first at each position, so
跟进了张总, 华为那边 and 海康的单子黄了 all name their customer wherever the name stands. Pure: built from
plain entries, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from handlers.parsing import name_words, tokens, vocab
from scrm import honorifics, welcome

MIN_ALIAS, MAX_ALIAS = 2, 24
# A company's short form that is also a common word (小米, 美的) counts only where it stands as a name (去美的,
# 美的那边, 美的。), not in 小米粥 or 完美的; an everyday word (理想, 联想) only right after a verb (去联想) or before
# 那边 / 公司 (理想那边), never in 报价不太理想。
EVERYDAY, COMMON = 1000, 100
_VERB_BEFORE = "去在跟和给约见到找访与同"
_BEFORE_NAME = _VERB_BEFORE + ",;:。!? "
_PRODUCTS = ("会议", "文档", "视频", "地图", "网盘", "音乐", "邮箱", "云盘")  # 腾讯会议 is a tool, not the customer
_COMPANY_AFTER = ("那边", "这边", "公司", "集团", "项目", "的单", "那单", "的项目")
_AFTER_NAME = (
    "那",
    "这",
    "的",
    "签",
    "丢",
    "黄",
    "说",
    "单",
    "公司",
    "集团",
    "项目",
    "方面",
    ",",
    ";",
    ":",
    "。",
    "!",
    "?",
    " ",
)
_SEPARATORS = re.compile(r"[\s\-—_/／|｜·,，;；()（）\[\]【】]+")
_REGION_IN_BRACKETS = re.compile(r"[（(][^）)]{1,8}[)）]")
_REGION_PREFIX = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,3}[省市](?:[\u4e00-\u9fff]{2,3}市)?|北京|上海|天津|重庆|深圳|广州|杭州|南京|苏州|武汉|成都"
    r"|西安|东莞|宁波|厦门|青岛|合肥|长沙|郑州|济南|无锡|佛山|珠海|福州|中山|温州|常州|昆明|大连|沈阳|哈尔滨)"
)
_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "控股集团", "集团", "股份", "控股", "公司")
_INDUSTRY = (
    "数字技术",
    "信息技术",
    "网络技术",
    "新能源",
    "科技",
    "技术",
    "创新",
    "电器",
    "汽车",
    "计算",
    "软件",
    "电子",
    "网络",
    "信息",
    "实业",
    "贸易",
    "五金厂",
    "五金",
    "工厂",
    "厂",
    "商贸",
    "传媒",
    "智能",
    "制造",
    "医药",
    "生物",
    "物流",
    "咨询",
    "教育",
    "能源",
    "机械",
    "工程",
    "建设",
    "食品",
    "地产",
)
_INSTITUTIONS = ("大学", "学院", "学校", "医院", "银行", "研究所", "研究院", "中学", "小学", "政府", "局")
# Words reps type about anything: never an alias, even when a remark holds them (客户-重要 → 客户 is no name).
_STOP = (
    frozenset(name_words.NOT_A_NAME)
    | frozenset(name_words.NOTE_STARTERS)
    | vocab.SMALL_TALK
    | frozenset(honorifics.TITLES)
    | frozenset(
        (
            "客户",
            "公司",
            "重要",
            "意向",
            "潜在",
            "新客",
            "老客",
            "展会",
            "有限",
            "有限公司",
            "股份",
            "集团",
            "科技",
            "技术",
            "北京",
            "上海",
            "天津",
            "重庆",
            "深圳",
            "广州",
            "杭州",
            "南京",
            "苏州",
            "武汉",
            "成都",
            "西安",
            "东莞",
            "香港",
            "中国",
        )
    )
)


@dataclass(frozen=True)
class Entry:
    """One of the rep's customers, as the store knows them."""

    id: str
    name: str
    remark: str = ""
    corp: str = ""
    remark_corp: str = ""
    position: str = ""


@dataclass(frozen=True)
class Mention:
    span: tuple[int, int]
    text: str  # the alias as it stands in the message
    ids: tuple[str, ...]  # every customer the alias belongs to (two 王总 → two ids)


class Book:
    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = {entry.id: entry for entry in entries}
        index: dict[str, list[str]] = {}
        self._guarded: dict[str, bool] = {}  # alias → everyday word (strict) or merely common
        self._company: set[str] = set()  # aliases that come from a company only (腾讯, not 张总)
        for entry in self.entries.values():
            personal = personal_aliases(entry)
            for alias in personal | company_aliases(entry):
                if alias not in personal:
                    self._company.add(alias)
                if alias not in personal and len(alias) <= 2 and (common := tokens.frequency(alias)) >= COMMON:
                    self._guarded[alias] = common >= EVERYDAY
                index.setdefault(alias, []).append(entry.id)
        self._index = {alias: tuple(ids) for alias, ids in index.items()}
        self._longest = max((len(a) for a in self._index), default=0)

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, text: str) -> list[Mention]:
        """Every alias in `text`, left to right, the longest at each position, none overlapping."""
        lowered, found, i = text.lower(), [], 0
        while i < len(lowered):
            for size in range(min(self._longest, len(lowered) - i), MIN_ALIAS - 1, -1):
                alias = lowered[i : i + size]
                ids = self._index.get(alias)
                if (
                    ids
                    and _stands_alone(lowered, i, i + size)
                    and not (alias in self._company and lowered.startswith(_PRODUCTS, i + size))
                    and (alias not in self._guarded or _stands_as_name(lowered, i, i + size, self._guarded[alias]))
                ):
                    found.append(Mention((i, i + size), text[i : i + size], ids))
                    i += size
                    break
            else:
                i += 1
        return found

    def lookup(self, alias: str) -> tuple[str, ...]:
        return self._index.get(alias.strip().lower(), ())


def aliases(entry: Entry) -> set[str]:
    return personal_aliases(entry) | company_aliases(entry)


def personal_aliases(entry: Entry) -> set[str]:
    """The name, the remark and its parts (张总-华为 → 张总, 华为), surname + title from the position."""
    found = {entry.name.strip(), entry.remark.strip()}
    found |= set(_SEPARATORS.split(entry.remark.strip()))
    found |= _titled(entry)
    return _usable(found)


def company_aliases(entry: Entry) -> set[str]:
    """The company as written and its short forms; a remark part that is a company gets them too."""
    found: set[str] = set()
    for text in (entry.corp, entry.remark_corp, *_SEPARATORS.split(entry.remark)):
        text = text.strip()
        if text:
            found |= {text} | company_short_forms(text)
    return _usable(found)


def _usable(found: set[str]) -> set[str]:
    return {
        a.lower()
        for a in found
        if MIN_ALIAS <= len(a) <= MAX_ALIAS and a not in _STOP and not a.isdigit() and re.search(r"\w", a)
    }


def company_short_forms(corp: str) -> set[str]:
    """深圳市大疆创新科技有限公司 → 大疆创新科技, 大疆创新, 大疆; 杭州海康威视数字技术股份有限公司 → 海康威视, 海康."""
    if corp.endswith(_INSTITUTIONS):  # 上海交通大学 is not 交通
        return set()
    core = _REGION_IN_BRACKETS.sub("", corp)
    core = _REGION_PREFIX.sub("", core) or core
    forms = set()
    for _ in range(3):
        before = core
        for suffix in _LEGAL_FORMS:
            core = core.removesuffix(suffix) if len(core) > len(suffix) + 1 else core
        if core != before:
            forms.add(core)
        if core == before:
            break
    brand = core
    for _ in range(3):
        shorter = next(
            (brand.removesuffix(s) for s in _INDUSTRY if brand.endswith(s) and len(brand) - len(s) >= 2), brand
        )
        if shorter == brand:
            break
        forms.add(brand := shorter)
    forms.add(brand)
    if len(brand) == 4 and re.fullmatch(r"[\u4e00-\u9fff]{4}", brand):  # 海康威视 → 海康, 字节跳动 → 字节
        forms.add(brand[:2])
    return {f for f in forms if f and f != corp}


def _titled(entry: Entry) -> set[str]:
    """Surname + the title the position implies (采购总监 张伟 → 张总), as welcome texts greet them."""
    greeting = welcome.address(entry.name.strip(), position=entry.position)
    return {greeting} if greeting != entry.name.strip() else set()


def _stands_as_name(text: str, start: int, end: int, everyday: bool) -> bool:
    """去美的, 美的那边, a message that starts with it: the common word is meant as the company here."""
    before = text[start - 1] if start else " "
    if everyday:
        return before in _VERB_BEFORE or text.startswith(_COMPANY_AFTER, end)
    return before in _BEFORE_NAME or end == len(text) or text.startswith(_AFTER_NAME, end)


def _stands_alone(text: str, start: int, end: int) -> bool:
    """A Latin alias must not be part of a longer Latin word (tony in tonya)."""
    if not text[start:end].isascii():
        return True
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())
