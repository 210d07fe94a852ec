"""Champions: the reps with the best value of a metric, and the board's lines (the honor-board job and 排行)."""

from __future__ import annotations

from scrm import texts
from scrm.kpis.metrics import METRIC, Figures

TITLED_METRICS = tuple(texts.CHAMPION_TITLES)  # the metrics a title can be given for (SCRM_HONOR_TITLES's choice)
HONOR_TITLES = ("won_amount", "on_time", "new_customers")  # the boards' titles, unless SCRM_HONOR_TITLES says others


def board(figures: dict[str, Figures], names: dict[str, str], metrics: tuple[str, ...]) -> list[str]:
    """销冠：张三（成交 12.8万）, one line per title that has a winner (the honor board and 排行)."""
    lines = []
    for metric in metrics:
        winners, value = champions(figures, metric)
        if winners:
            shown = METRIC[metric].shown(value)
            lines.append(
                texts.CHAMPION.format(
                    title=texts.CHAMPION_TITLES[metric],
                    names="、".join(names[u] for u in winners),
                    value=texts.CHAMPION_VALUES[metric].format(value=shown),
                )
            )
    return lines


def champions(figures: dict[str, Figures], metric: str) -> tuple[list[str], object]:
    """The reps with the best value of a metric, and that value; nobody when the best is zero (ties shared)."""
    value = lambda f: getattr(f, metric)  # noqa: E731
    best = max((value(f) for f in figures.values()), default=0)
    return ([userid for userid, f in figures.items() if value(f) == best], best) if best else ([], 0)
