"""Money inside a rep's text (5万, 5w, 50k, 两万五, ¥12,800, 1.2亿) → Decimal yuan, and back to words.

Digits are read here with Decimal (cn2an returns floats: 12.8万 would not round-trip); Chinese numerals
go through numerals.py. Numbers without a unit or currency (2号楼, 第2个, 20分钟) are not amounts,
unless the caller says bare numbers are money (`成交 华为 128000`). Parse times first and mask them.
"""

from __future__ import annotations

import re
from decimal import Decimal

from handlers.intents import Amount
from handlers.parsing import numerals

_MULTIPLIER = {
    "亿": Decimal(100_000_000),
    "千万": Decimal(10_000_000),
    "百万": Decimal(1_000_000),
    "万": Decimal(10_000),
    "w": Decimal(10_000),
    "千": Decimal(1_000),
    "k": Decimal(1_000),
    "百": Decimal(100),
}
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_NOT_AFTER = r"(?<![\d.,A-Za-z])"  # 1e309 and x5万 are no amounts (309, 5万) but words to refuse
_IMPRECISE = r"(?![多几余来])"
_CURRENCY_AFTER = r"(?:元|块钱|块|人民币|rmb|RMB)"
_AMOUNT = re.compile(
    # 5万 5w 50k 12.8万元 2万5 12万8 3千5 1万2千 1.2亿
    rf"(?P<u>(?:[¥$]\s*)?{_NOT_AFTER}(?P<u_num>{_NUMBER})\s*(?P<u_unit>亿|千万|百万|万|千|[kKwW](?![a-zA-Z]))"
    rf"(?:(?P<u_tail>\d)(?P<u_tail_unit>千)?(?![\d.]))?{_IMPRECISE}(?:{_CURRENCY_AFTER})?)"
    # ¥12,800  12800元  8,000块
    rf"|(?P<c>[¥$]\s*(?P<c_num>{_NUMBER})(?:{_CURRENCY_AFTER})?|{_NOT_AFTER}(?P<c_num2>{_NUMBER})\s*{_CURRENCY_AFTER})"
    # 五万 两万五 一万二 一百二十八万 八千块 (must start with a digit word: 千万别, 万一 are not money)
    r"|(?P<z>(?<![零〇一二两三四五六七八九十百千万亿第周期拜])"
    r"(?P<z_num>[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*)"
    rf"(?![多几余来分个天周月年号点日次人位家台套件]){_IMPRECISE}(?P<z_cur>{_CURRENCY_AFTER})?)"
    # 50,000 (digit grouping alone says money)
    r"|(?P<g>(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,]))"
)
_BARE = re.compile(
    r"(?<![\d.,:/\-A-Za-z])(?P<b_num>\d{2,9}(?:\.\d+)?)(?![\d.,:/\-%]|\s*[号楼层点个天月日年岁人台套件次分期位家栋])"
)


def parse_amount(text: str, *, bare_numbers: bool = False) -> Amount | None:
    """The first amount in `text`; with `bare_numbers`, a plain 128000 counts too."""
    for match in _AMOUNT.finditer(text):
        value = _value(match)
        if value is not None:
            return Amount(match.span(), _tidy(min(value, TOO_LARGE)), match.group())
    if bare_numbers and (match := _BARE.search(text)):
        return Amount(match.span(), _tidy(Decimal(match.group("b_num"))), match.group())
    return None


_SIGNED = re.compile(r"(?P<sign>[-−负+]?)\s*(?P<rest>.*)", re.DOTALL)
_PLAIN = re.compile(r"\d+(?:\.\d+)?")


def whole_amount(text: str) -> Decimal | None:
    """`text` when it is one amount and nothing more (a target, a CLI argument): 50万, 500000, 5, 12.5, ¥8,000;
    a sign makes it negative (-5万, 负5万), for the caller to refuse in its own words. None for anything else:
    words, 1e309, inf, 5万多, 50万 加油."""
    signed = _SIGNED.fullmatch(text.strip())
    sign, rest = signed.group("sign"), signed.group("rest")
    if _PLAIN.fullmatch(rest):
        value = min(_digits(rest), TOO_LARGE)
    elif (amount := parse_amount(rest, bare_numbers=True)) is not None and amount.span == (0, len(rest)):
        value = amount.value
    else:
        return None
    return _tidy(-value if sign in ("-", "−", "负") else value)


def _tidy(value: Decimal) -> Decimal:
    """128000.0 → 128000, 12800.50 → 12800.5 (never 1.28E+5)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _value(match: re.Match) -> Decimal | None:
    kind = match.lastgroup
    if kind == "u":
        unit = _MULTIPLIER[match.group("u_unit").lower()]
        value = _digits(match.group("u_num")) * unit
        if tail := match.group("u_tail"):
            value += Decimal(tail) * (_MULTIPLIER["千"] if match.group("u_tail_unit") else unit / 10)
        return value
    if kind == "c":
        return _digits(match.group("c_num") or match.group("c_num2"))
    if kind == "g":
        return _digits(match.group())
    if kind == "z":
        words = match.group("z_num")
        if len(words) > MAX_NUMERAL:
            return TOO_LARGE  # no amount is written with this many numerals (and cn2an takes seconds on thousands)
        if not match.group("z_cur") and not re.search("[千万亿]", words):
            return None  # 三十 alone is a count, not money; 八百块 is money
        return numerals.to_number(words)
    return None


def _digits(number: str) -> Decimal:
    if len(number.replace(",", "").split(".")[0]) > MAX_DIGITS:
        return TOO_LARGE  # read as too large, refused by the caller (never an overflow)
    return Decimal(number.replace(",", ""))


MAX_DIGITS = 15
MAX_NUMERAL = 24  # 九千九百九十九万九千九百九十九亿 is 16
TOO_LARGE = Decimal(10) ** MAX_DIGITS  # what any larger number (九千九百九十九万亿) is read as: refused by the caller


def warm_up() -> None:
    numerals.warm_up()
