"""Numbers as Chinese users read them: 12.8万, 1.2亿, 8,000元, 95%."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

WAN, YI = Decimal(10_000), Decimal(100_000_000)


def format_amount(value: Decimal) -> str:
    """5万, 12.8万, 1.2亿, 8,000元, 99.5元, exactly (a reply echoes what was recorded; parse_amount reads it back)."""
    if value >= YI:
        return f"{_plain(value / YI)}亿"
    if value >= WAN:
        return f"{_plain(value / WAN)}万"
    whole, _, fraction = _plain(value).partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "") + "元"


def short_amount(value: Decimal) -> str:
    """For a digest: at most one decimal of 万 or 亿 (12.8万, 128.5万, 1.3亿, 8,000元, 0元)."""
    if not value:
        return "0元"
    for unit, name in ((YI, "亿"), (WAN, "万")):
        if value >= unit:
            return f"{_plain((value / unit).quantize(Decimal('0.1'), ROUND_HALF_UP))}万".replace("万", name)
    return f"{int(value.quantize(Decimal(1), ROUND_HALF_UP)):,}元"


def percent(value: float | None, none: str = "—") -> str:
    return f"{value:.0%}" if value is not None else none


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
