"""Chinese numerals to numbers (一万二 → 12000), through cn2an. Knows nothing of times, money or commands.

cn2an raises ValueError on anything that is not a number and, as hypothesis found, KeyError on some
inputs ('0亿0', '一亿二'); both mean "not a number" here. It is imported on first use (~80 ms).
"""

from __future__ import annotations

import re
from decimal import Decimal

DIGITS = "零〇一二两三四五六七八九"
UNITS = "十百千万亿"
CHINESE = DIGITS + UNITS
_SMALL = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_TAIL = re.compile(rf"^(.*[{UNITS}])([{DIGITS}])$")
_UNIT_VALUE = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}

_cn2an = None


def _convert(text: str) -> Decimal | None:
    global _cn2an
    if _cn2an is None:
        import cn2an

        _cn2an = cn2an
    try:
        return Decimal(str(_cn2an.cn2an(text, "smart")))
    except (ValueError, KeyError):
        return None


def to_number(text: str) -> Decimal | None:
    """'两万五' → 25000, '12' → 12, '一亿二' → 120000000; None when it is not a whole number."""
    if not text:
        return None
    if text.isdigit():
        return Decimal(text)
    if len(text) == 1 and text in _SMALL:
        return Decimal(_SMALL[text])
    value = _convert(text)
    if value is None and (tail := _TAIL.match(text)):
        # cn2an reads 两万五 but not 一亿二: a bare digit after the last unit is a tenth of that unit
        head, digit = tail.groups()
        base = _convert(head)
        if base is not None:
            value = base + _SMALL[digit] * _UNIT_VALUE[head[-1]] // 10
    return value


def to_int(text: str) -> int | None:
    value = to_number(text)
    return int(value) if value is not None and value == value.to_integral_value() else None


def warm_up() -> None:
    _convert("一")
