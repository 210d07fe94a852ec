"""The digest's chart: the month's won amount day by day, adding up, against the target. A PNG for the group chat.

Chinese labels need a CJK font (the setup installs WenQuanYi Micro Hei where it can). Without one, matplotlib
draws boxes and warns "Glyph … missing": we never send that. The digest goes without its chart and the log
says why, once.
"""

from __future__ import annotations

import io
import logging
import warnings
from datetime import date
from decimal import Decimal
from functools import cache

from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure

from jobs import texts

log = logging.getLogger(__name__)
CJK_FONTS = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC")
WAN = Decimal(10_000)


@cache
def cjk_font() -> str | None:
    """The first CJK font matplotlib can use, or None (logged once)."""
    found = _known_cjk_font()
    if found is None:  # installed after matplotlib cached its font list (a fresh machine's first `make`)
        for path in font_manager.findSystemFonts():
            if any(hint in path.lower() for hint in ("wqy", "cjk", "sourcehan", "msyh", "pingfang")):
                font_manager.fontManager.addfont(path)
        found = _known_cjk_font()
    if found is None:
        log.warning("no CJK font for charts (install fonts-wqy-microhei or fonts-noto-cjk): digests go without them")
    return found


def _known_cjk_font() -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def month_trend(
    title: str,
    days: list[date],
    won: dict[date, Decimal],
    pace: dict[date, Decimal],
    today: date,
    *,
    font: str | None = None,
) -> bytes | None:
    """Bars of each day's won amount and the running total (万) up to today, against the target's pace to date
    (where the team should be by each working day), each labelled with its value today: being behind shows."""
    font = font or cjk_font()
    if font is None:
        return None
    shown = [d for d in days if d <= today]
    x = [d.day for d in shown]
    daily = [float(won.get(d, 0) / WAN) for d in shown]
    running = [sum(daily[: n + 1]) for n in range(len(daily))]
    with (
        rc_context({"font.sans-serif": [font], "font.family": "sans-serif", "axes.unicode_minus": False}),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("error")  # a missing glyph is an error: never a chart of boxes
        try:
            figure = Figure(figsize=(8, 4.5), dpi=100)
            figure.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.12)
            axes = figure.subplots()
            bars = axes.bar(x, daily, color="#7fb3d5", label=texts.CHART_DAILY)
            axes.bar_label(bars, labels=[_wan(v) if v else "" for v in daily], fontsize=8)
            axes.plot(x, running, color="#c0392b", marker="o", label=texts.CHART_RUNNING)
            _label_last(axes, x, running, texts.CHART_RUNNING_NOW, "#c0392b", below=False)
            if pace:
                due = [float(pace[d] / WAN) for d in shown]
                axes.plot(x, due, color="#27ae60", linestyle="--", label=texts.CHART_PACE)
                _label_last(axes, x, due, texts.CHART_PACE_NOW, "#27ae60", below=running[-1] > due[-1])
            axes.set_xlim(0.5, days[-1].day + 0.5)
            axes.margins(y=0.15)  # room above the last points for their labels
            axes.set_title(title)
            axes.set_xlabel(texts.CHART_X)
            axes.set_ylabel(texts.CHART_Y)
            axes.legend(loc="upper left")
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png")
        except UserWarning as warning:
            log.warning("chart not drawn (%s): the digest goes without it", warning)
            return None
    return buffer.getvalue()


def _wan(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _label_last(axes, x: list[int], values: list[float], text: str, color: str, *, below: bool) -> None:
    """The line's value today, written beside its last point (above it, or below when the other line is above)."""
    if values:
        offset = (0, -14) if below else (0, 8)
        axes.annotate(
            text.format(value=_wan(values[-1])),
            (x[-1], values[-1]),
            textcoords="offset points",
            xytext=offset,
            ha="center",
            color=color,
            fontsize=9,
        )
