"""The table of metrics: each number of the KPI engine defined once (the console lists them from here): the part
(one grouped query, queries.py) that computes it, how several reps' values add up to a team's, and, for the ones
that add up day by day, its per-day query. Figures, one rep's numbers or a team's, is made from this table.

Adding a metric is one line here (plus its name in Chinese, in scrm/texts.py's METRIC_LABELS): a stored one names
its part (and the part fills it); a rate or a median is `derive`d from the others.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import func

from scrm import texts
from scrm.kpis.queries import QUERIES
from scrm.models import CustomerRep, Deal, Interaction
from scrm.numbers import percent, short_amount
from scrm.statuses import DealStatus


class Daily(NamedTuple):
    """A metric per rep and local day: the table, the time that places a row on a day, the value, a filter."""

    table: type
    at: Any
    value: Any
    where: tuple = ()


@dataclass(frozen=True)
class Metric:
    name: str  # Figures' attribute; its name in Chinese is scrm/texts.py's METRIC_LABELS[name]
    part: str = ""  # the query that computes it (queries.QUERIES); "" when derived
    zero: Callable[[], Any] = int  # a rep's value before the part fills it
    add: Callable[[Any, Any], None] | None = None  # (team, rep) in place, when `+` is not how values add up
    derive: Callable[[Any], Any] | None = None  # from the others' values (a rate, a median): not stored
    daily: Daily | None = None  # for targets, streaks and charts
    shown: Callable[[Any], str] = str

    @property
    def label(self) -> str:
        return texts.METRIC_LABELS[self.name]


def _channels(total: Any, one: Any) -> None:
    for channel, n in one.by_channel.items():
        total.by_channel[channel] = total.by_channel.get(channel, 0) + n


def _new_customers(total: Any, one: Any) -> None:
    """A customer new to two of the reps is one new customer of theirs together."""
    total.new_customers += one.new_customers
    if one.shared_new:
        total.new_customers -= len(total.shared_new & one.shared_new)
        total.shared_new |= one.shared_new


def _ratio(part: str, whole: Callable[[Any], int]) -> Callable[[Any], float | None]:
    return lambda f: getattr(f, part) / whole(f) if whole(f) else None


METRICS = (
    # Results
    Metric(
        "won_amount",
        "deals",
        zero=Decimal,
        daily=Daily(Deal, Deal.closed_at, func.sum(Deal.amount), (Deal.status == DealStatus.WON,)),
        shown=short_amount,
    ),
    Metric("won", "deals", daily=Daily(Deal, Deal.closed_at, func.count(), (Deal.status == DealStatus.WON,))),
    Metric("lost", "deals"),
    Metric("win_rate", derive=_ratio("won", lambda f: f.won + f.lost), shown=percent),
    Metric("average_deal", derive=lambda f: f.won_amount / f.won if f.won else None, shown=short_amount),
    # Process
    Metric(
        "logged",
        "logged",
        daily=Daily(Interaction, Interaction.at, func.count(), (Interaction.kind == "follow_up",)),
    ),
    Metric("by_channel", "logged", zero=dict, add=_channels),
    Metric("active_days", "active_days"),
    Metric("due", "due"),
    Metric("on_time", "due"),  # within ON_TIME_GRACE of the due time
    Metric("late", "due"),
    Metric("still_open", "due"),
    Metric("on_time_rate", derive=_ratio("on_time", lambda f: f.due), shown=percent),
    Metric(
        "new_customers",
        "new_customers",
        add=_new_customers,
        daily=Daily(CustomerRep, CustomerRep.added_at, func.count()),
    ),
    Metric("response_minutes", "response", zero=list),
    Metric(
        "median_response_minutes",
        derive=lambda f: statistics.median(f.response_minutes) if f.response_minutes else None,
    ),
    Metric("overdue_now", "overdue_now"),
)
METRIC = {m.name: m for m in METRICS}
PARTS = tuple(QUERIES)  # one query each
PART_OF = {m.name: m.part for m in METRICS if m.part}  # the part that computes a metric (the board's, the targets')
DAILY_METRICS = tuple(m.name for m in METRICS if m.daily)  # what can be summed day by day
_PLUS = [m.name for m in METRICS if m.part and m.add is None]  # added with `+`
_ADD = [m.add for m in METRICS if m.add is not None]
if unnamed := {m.name for m in METRICS} - set(texts.METRIC_LABELS):
    raise ValueError(f"metrics without a name in scrm/texts.py's METRIC_LABELS: {', '.join(sorted(unnamed))}")
if unknown := set(PART_OF.values()) - set(QUERIES):
    raise ValueError(f"metrics name parts queries.py does not have: {', '.join(sorted(unknown))}")


def _figures() -> type:
    """One rep's numbers for a period, or the sum of several reps' (`+`): a field per stored metric, a property
    per derived one. `shared_new`: of the new customers, those who also added another rep of the same `by_rep`
    call in the period (a sum of reps' figures counts each of them once)."""
    fields = [(m.name, Any, _default(m.zero())) for m in METRICS if m.part]
    fields.append(("shared_new", set, dataclasses.field(default_factory=set)))
    properties = {m.name: property(m.derive) for m in METRICS if m.derive}
    names = {
        "conversion": properties["win_rate"],  # the names `业绩` has used
        "follow_ups_logged": property(lambda f: f.logged),
        "__add__": lambda self, other: total((self, other)),
        "__module__": __name__,
        "__doc__": _figures.__doc__,
    }
    return dataclasses.make_dataclass("Figures", fields, namespace={**properties, **names})


def _default(zero: Any) -> Any:
    """A plain default for a number (as cheap as a class attribute), a fresh one each time for a dict or list."""
    return dataclasses.field(default_factory=type(zero)) if zero.__hash__ is None else dataclasses.field(default=zero)


Figures = _figures()


def total(many: Iterable[Figures]) -> Figures:
    """Several reps' figures summed (a team's): in place, so a 10,000-rep company sums in milliseconds."""
    result = Figures()
    for figures in many:
        for name in _PLUS:
            setattr(result, name, getattr(result, name) + getattr(figures, name))
        for add in _ADD:
            add(result, figures)
    return result
