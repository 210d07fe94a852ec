"""The KPI engine: each metric defined once, computed with SQL aggregates over a period for a set of reps.

`by_rep` answers for many reps at once with a handful of grouped queries (the digest of 500 teams does not
loop over reps); a team's or the company's figures are the sum of its reps', except that a customer who added
several of its reps in the period is one new customer of the team (each of those reps still counts them). The
same numbers feed `业绩`, the digests and the honor board.

Results: won amount, deals won and lost, win rate, average deal. Process: follow-ups logged (by channel),
follow-ups due in the period done on time (within ON_TIME_GRACE of their due time), late, or still open,
new customers, first response after a customer adds a rep, active days, overdue follow-ups now. A period is
[start, end) in the business time zone.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Interval, and_, case, distinct, func, literal
from sqlmodel import Session, col, select

from scrm import texts
from scrm.dates import midnight
from scrm.db import among
from scrm.models import CustomerRep, Deal, FollowUp, Interaction, StageChange
from scrm.numbers import short_amount

ON_TIME_GRACE = timedelta(hours=2)


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    label: str

    @classmethod
    def day_of(cls, now: datetime, tz: ZoneInfo) -> Period:
        day = now.astimezone(tz).date()
        return cls(midnight(day, tz), midnight(day + timedelta(days=1), tz), texts.TODAY)

    @classmethod
    def week_of(cls, now: datetime, tz: ZoneInfo) -> Period:
        local = now.astimezone(tz).date()
        monday = local - timedelta(days=local.weekday())
        return cls(midnight(monday, tz), midnight(monday + timedelta(days=7), tz), texts.THIS_WEEK)

    @classmethod
    def month_of(cls, now: datetime, tz: ZoneInfo) -> Period:
        first = now.astimezone(tz).date().replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return cls(midnight(first, tz), midnight(following, tz), texts.MONTH.format(month=first.month))

    @classmethod
    def quarter_of(cls, now: datetime, tz: ZoneInfo) -> Period:
        local = now.astimezone(tz).date()
        first = date(local.year, 3 * ((local.month - 1) // 3) + 1, 1)
        following = (first + timedelta(days=95)).replace(day=1)
        return cls(midnight(first, tz), midnight(following, tz), texts.QUARTER.format(n=(first.month - 1) // 3 + 1))

    @classmethod
    def between(cls, first: date, last: date, tz: ZoneInfo) -> Period:
        """Whole days from `first` to `last`, both included."""
        label = texts.DAYS.format(first=f"{first.month}月{first.day}日", last=f"{last.month}月{last.day}日")
        return cls(midnight(first, tz), midnight(last + timedelta(days=1), tz), label)

    def before(self, label: str = "") -> Period:
        """The period of the same length just before this one (last week, for a weekly comparison)."""
        return Period(self.start - (self.end - self.start), self.start, label or self.label)

    def days(self, tz: ZoneInfo) -> list[date]:
        first, end = self.start.astimezone(tz).date(), self.end.astimezone(tz).date()
        return [first + timedelta(days=n) for n in range((end - first).days)]


@dataclass
class Figures:
    """One rep's numbers for a period, or the sum of several reps' (`+`)."""

    won_amount: Decimal = Decimal(0)
    won: int = 0
    lost: int = 0
    logged: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    due: int = 0
    on_time: int = 0
    late: int = 0
    still_open: int = 0
    new_customers: int = 0
    active_days: int = 0
    response_minutes: list[float] = field(default_factory=list)
    overdue_now: int = 0
    # Of the new customers, those who also added another rep of the same `by_rep` call in the period: a sum of
    # reps' figures counts each of them once.
    shared_new: set[str] = field(default_factory=set)

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return self.won / closed if closed else None

    conversion = win_rate  # the name `业绩` has used

    @property
    def average_deal(self) -> Decimal | None:
        return self.won_amount / self.won if self.won else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    @property
    def median_response_minutes(self) -> float | None:
        return statistics.median(self.response_minutes) if self.response_minutes else None

    @property
    def follow_ups_logged(self) -> int:
        return self.logged

    def __add__(self, other: Figures) -> Figures:
        return total((self, other))


_ADDED = [f.name for f in fields(Figures) if f.name not in ("by_channel", "shared_new")]


def total(many: Iterable[Figures]) -> Figures:
    """Several reps' figures summed (a team's): in place, so a 10,000-rep company sums in milliseconds. A customer
    new to two of the reps is one new customer of theirs together."""
    result = Figures()
    for figures in many:
        for name in _ADDED:
            setattr(result, name, getattr(result, name) + getattr(figures, name))
        for channel, n in figures.by_channel.items():
            result.by_channel[channel] = result.by_channel.get(channel, 0) + n
        if figures.shared_new:
            result.new_customers -= len(result.shared_new & figures.shared_new)
            result.shared_new |= figures.shared_new
    return result


PARTS = ("deals", "logged", "active_days", "due", "new_customers", "response", "overdue_now")  # one query each
PART_OF = {
    "won_amount": "deals",
    "won": "deals",
    "lost": "deals",
    "logged": "logged",
    "on_time": "due",
    "new_customers": "new_customers",
}  # the part that computes a metric (the board's, the targets')


def by_rep(
    session: Session, userids: list[str], period: Period, *, now: datetime, tz: ZoneInfo, parts: Collection[str] = PARTS
) -> dict[str, Figures]:
    """Every rep's figures for the period, in one grouped query per part whatever the number of reps.

    `parts` chooses what to compute (a digest needs fewer than `业绩`); the fields of the others stay zero.
    deals: won amount, won, lost. logged: follow-ups logged, by channel. active_days. due: follow-ups due in the
    period, done on time, late, still open. new_customers. response: first response times. overdue_now."""
    result = {userid: Figures() for userid in userids}
    if not userids:
        return result
    mine = lambda column: among(session, column, userids)  # noqa: E731
    within = lambda column: (column >= period.start) & (column < period.end)  # noqa: E731
    logged = (Interaction.kind == "follow_up", mine(Interaction.userid), within(col(Interaction.at)))
    if "deals" in parts:
        for userid, status, n, amount in session.exec(
            select(Deal.userid, Deal.status, func.count(), func.coalesce(func.sum(Deal.amount), 0))
            .where(mine(Deal.userid), col(Deal.status).in_(("won", "lost")), within(col(Deal.closed_at)))
            .group_by(Deal.userid, Deal.status)
        ):
            if status == "won":
                result[userid].won, result[userid].won_amount = n, Decimal(amount)
            else:
                result[userid].lost = n
    if "logged" in parts:
        for userid, channel, n in session.exec(
            select(Interaction.userid, Interaction.channel, func.count())
            .where(*logged)
            .group_by(Interaction.userid, Interaction.channel)
        ):
            result[userid].logged += n
            result[userid].by_channel[channel or texts.NO_CHANNEL] = n
    if "active_days" in parts:
        for userid, days in session.exec(
            select(Interaction.userid, func.count(distinct(_local_day(session, Interaction.at, tz))))
            .where(*logged)
            .group_by(Interaction.userid)
        ):
            result[userid].active_days = days
    if "due" in parts:
        is_open = case((FollowUp.status == "open", 1), else_=0)
        in_time = case(
            (and_(FollowUp.status == "done", _on_time(session, FollowUp.done_at, FollowUp.due_at)), 1), else_=0
        )
        for userid, due, still_open, on_time in session.exec(
            select(FollowUp.userid, func.count(), func.sum(is_open), func.sum(in_time))
            .where(
                mine(FollowUp.userid),
                col(FollowUp.status).in_(("open", "done")),
                col(FollowUp.due_at) >= period.start,
                col(FollowUp.due_at) < min(period.end, now),
            )
            .group_by(FollowUp.userid)
        ):
            figures = result[userid]
            figures.due, figures.still_open, figures.on_time = due, still_open, on_time
            figures.late = due - still_open - on_time
    if "new_customers" in parts:
        # Per rep, a count of the customers they alone got among these reps, and a row of each shared one.
        added = (
            select(
                CustomerRep.userid,
                CustomerRep.external_userid,
                func.count().over(partition_by=CustomerRep.external_userid).label("reps"),
            )
            .where(mine(CustomerRep.userid), within(col(CustomerRep.added_at)))
            .subquery()
        )
        shared = case((added.c.reps > 1, added.c.external_userid), else_=None)
        for userid, external, n in session.exec(
            select(added.c.userid, shared, func.count()).group_by(added.c.userid, shared)
        ):
            result[userid].new_customers += n
            if external is not None:
                result[userid].shared_new.add(external)
    if "response" in parts:
        first_logged = (
            select(func.min(Interaction.at))
            .where(
                Interaction.userid == CustomerRep.userid,
                Interaction.external_userid == CustomerRep.external_userid,
                Interaction.kind == "follow_up",
                col(Interaction.at) >= CustomerRep.added_at,
            )
            .scalar_subquery()
        )
        for userid, added, first in session.exec(
            select(CustomerRep.userid, CustomerRep.added_at, first_logged).where(
                mine(CustomerRep.userid), within(col(CustomerRep.added_at))
            )
        ):
            if first is not None:
                result[userid].response_minutes.append((first - added).total_seconds() / 60)
    if "overdue_now" in parts:
        for userid, n in session.exec(
            select(FollowUp.userid, func.count())
            .where(mine(FollowUp.userid), FollowUp.status == "open", col(FollowUp.due_at) < now)
            .group_by(FollowUp.userid)
        ):
            result[userid].overdue_now = n
    return result


def figures(
    session: Session, userids: list[str], period: Period, *, now: datetime, tz: ZoneInfo = ZoneInfo("Asia/Shanghai")
) -> Figures:
    """The reps' figures summed (a team's, or one rep's)."""
    return total(by_rep(session, userids, period, now=now, tz=tz).values())


def ranking(session: Session, userids: list[str], period: Period) -> list[tuple[str, Decimal]]:
    """Reps by won amount in the period, best first (reps with nothing won are left out)."""
    query = (
        select(Deal.userid, func.sum(Deal.amount))
        .where(
            among(session, Deal.userid, userids),
            Deal.status == "won",
            col(Deal.closed_at) >= period.start,
            col(Deal.closed_at) < period.end,
        )
        .group_by(Deal.userid)
        .order_by(func.sum(Deal.amount).desc())
    )
    return [(userid, Decimal(total or 0)) for userid, total in session.exec(query)]


HONOR_TITLES = tuple(texts.CHAMPION_TITLES)  # the metrics a title is given for, in the boards' default order


def board(figures: dict[str, Figures], names: dict[str, str], metrics: tuple[str, ...]) -> list[str]:
    """销冠：张三（成交 12.8万）, one line per title that has a winner (the honor board and 排行)."""
    lines = []
    for metric in metrics:
        winners, value = champions(figures, metric)
        if winners:
            shown = short_amount(value) if metric == "won_amount" else value
            lines.append(
                texts.CHAMPION.format(
                    title=texts.CHAMPION_TITLES[metric],
                    names="、".join(names[u] for u in winners),
                    value=texts.CHAMPION_VALUES[metric].format(value=shown),
                )
            )
    return lines


DAILY_METRICS = ("won_amount", "won", "logged", "new_customers")  # what can be summed day by day


def by_rep_and_day(
    session: Session, userids: list[str], period: Period, tz: ZoneInfo, metric: str
) -> dict[str, dict[date, Decimal]]:
    """A metric per rep and local day, in one grouped query (days with nothing are absent)."""
    table, at, value, where = {
        "won_amount": (Deal, Deal.closed_at, func.sum(Deal.amount), (Deal.status == "won",)),
        "won": (Deal, Deal.closed_at, func.count(), (Deal.status == "won",)),
        "logged": (Interaction, Interaction.at, func.count(), (Interaction.kind == "follow_up",)),
        "new_customers": (CustomerRep, CustomerRep.added_at, func.count(), ()),
    }[metric]
    day = _local_day(session, at, tz)
    rows = session.exec(
        select(table.userid, day, value)
        .where(among(session, table.userid, userids), col(at) >= period.start, col(at) < period.end, *where)
        .group_by(table.userid, day)
    )
    result: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for userid, d, total in rows:
        result[userid][d if isinstance(d, date) else date.fromisoformat(d)] = Decimal(total or 0)
    return dict(result)


def champions(figures: dict[str, Figures], metric: str) -> tuple[list[str], object]:
    """The reps with the best value of a metric, and that value; nobody when the best is zero (ties shared)."""
    value = lambda f: getattr(f, metric)  # noqa: E731
    best = max((value(f) for f in figures.values()), default=0)
    return ([userid for userid, f in figures.items() if value(f) == best], best) if best else ([], 0)


@dataclass(frozen=True)
class StageFigures:
    stage: str
    open_now: int  # open deals in the stage now
    reached: int  # deals that ever entered it
    moved_on: int  # of those, how many went on to a later stage (won included)
    median_days: float | None  # how long deals stayed in it, for stays that ended
    stalled: list[tuple[Deal, int]]  # open deals in it longer than its limit, with their days

    @property
    def conversion(self) -> float | None:
        """Of the deals that left the stage (not those still in it), the share that went on rather than lost."""
        left = self.reached - self.open_now
        return self.moved_on / left if left > 0 else None


def funnel(
    session: Session, userids: list[str], stages: tuple[str, ...], limits: dict[str, int], *, now: datetime
) -> list[StageFigures]:
    """The open stages of the funnel for these reps' deals: what is in each now, conversion to the next,
    median days in stage, and the stalled deals (over the stage's limit)."""
    open_stages = stages[:-2]
    deals_ = {d.id: d for d in session.exec(select(Deal).where(among(session, Deal.userid, userids)))}
    history: dict[int, list[StageChange]] = {}
    if deals_:
        for change in session.exec(
            select(StageChange)
            .where(among(session, StageChange.deal_id, list(deals_)))
            .order_by(StageChange.deal_id, StageChange.at, StageChange.id)
        ):
            history.setdefault(change.deal_id, []).append(change)
    order = {stage: n for n, stage in enumerate(stages)}
    reached, moved, stays, entered_at = defaultdict(int), defaultdict(int), defaultdict(list), {}
    for deal_id, changes in history.items():
        for n, change in enumerate(changes):
            reached[change.to_stage] += 1
            following = changes[n + 1] if n + 1 < len(changes) else None
            if following is not None:
                stays[change.to_stage].append((following.at - change.at).total_seconds() / 86400)
                if following.to_stage != stages[-1] and order.get(following.to_stage, -1) > order.get(
                    change.to_stage, -1
                ):
                    moved[change.to_stage] += 1
            else:
                entered_at[deal_id] = change.at
    result = []
    for stage in open_stages:
        in_stage = [d for d in deals_.values() if d.status == "open" and d.stage == stage]
        limit = limits.get(stage)
        stalled = sorted(
            (
                (d, (now - entered_at.get(d.id, d.opened_at)).days)
                for d in in_stage
                if limit and (now - entered_at.get(d.id, d.opened_at)).days > limit
            ),
            key=lambda p: -p[1],
        )
        result.append(
            StageFigures(
                stage,
                len(in_stage),
                reached[stage],
                moved[stage],
                statistics.median(stays[stage]) if stays[stage] else None,
                stalled,
            )
        )
    return result


@dataclass(frozen=True)
class ChannelFigures:
    channel: str  # the `state` prefix of the QR code the customers came through ("" without one)
    new_customers: int  # each customer once, though they added several reps through the channel
    won_customers: int  # of those, how many a rep they came to through it has won a deal with since
    won_amount: Decimal  # won in the period from customers of this channel

    @property
    def conversion(self) -> float | None:
        return self.won_customers / self.new_customers if self.new_customers else None


def channel_of(state: str) -> str:
    """expo2026_booth3 → expo2026: a channel is the state up to its first `_` or `-`."""
    return re.split(r"[_-]", state, maxsplit=1)[0] if state else ""


def channels(session: Session, userids: list[str], period: Period) -> list[ChannelFigures]:
    """Per channel: new customers in the period, how many of them were won, and the won amount in the period.
    A customer who added two reps through the channel is one new customer of it (and won once)."""
    rels = session.exec(
        select(CustomerRep.userid, CustomerRep.external_userid, CustomerRep.state, CustomerRep.added_at).where(
            among(session, CustomerRep.userid, userids)
        )
    ).all()
    channel = {(u, e): channel_of(s) for u, e, s, _ in rels}
    won_deals = session.exec(
        select(Deal.userid, Deal.external_userid, Deal.amount, Deal.closed_at).where(
            among(session, Deal.userid, userids), Deal.status == "won"
        )
    ).all()
    won_pairs = {(u, e) for u, e, _, _ in won_deals}
    new: dict[str, set[str]] = defaultdict(set)
    converted: dict[str, set[str]] = defaultdict(set)
    amount: dict[str, Decimal] = defaultdict(Decimal)
    for userid, external, _, added in rels:
        if added is not None and period.start <= added < period.end:
            new[channel[userid, external]].add(external)
            if (userid, external) in won_pairs:
                converted[channel[userid, external]].add(external)
    for userid, external, value, closed in won_deals:
        if closed is not None and period.start <= closed < period.end:
            amount[channel.get((userid, external), "")] += Decimal(value or 0)
    names = sorted(set(new) | set(amount), key=lambda c: (-amount[c], -len(new[c]), c))
    return [ChannelFigures(c, len(new[c]), len(converted[c]), amount[c]) for c in names]


@dataclass(frozen=True)
class Workload:
    """Per-rep efficiency (人效): output and load per rep of a team."""

    reps: int
    won_per_rep: Decimal
    customers_per_rep: float
    open_follow_ups_per_rep: float


def workload(session: Session, userids: list[str], total: Figures) -> Workload:
    customers_ = session.exec(
        select(func.count())
        .select_from(CustomerRep)
        .where(among(session, CustomerRep.userid, userids), col(CustomerRep.status).in_(("half", "active")))
    ).one()
    open_ = session.exec(
        select(func.count())
        .select_from(FollowUp)
        .where(among(session, FollowUp.userid, userids), FollowUp.status == "open")
    ).one()
    n = max(len(userids), 1)
    return Workload(len(userids), (total.won_amount / n).quantize(Decimal(1)), customers_ / n, open_ / n)


QUADRANTS = ("明星", "潜力", "勤奋待提升", "需关注")


def quadrants(figures: dict[str, Figures]) -> dict[str, str]:
    """人才四分法: each rep by result (won amount) against process (follow-ups logged), each against the team's
    median: 明星 (both high), 潜力 (result high, process low), 勤奋待提升 (process high, result low), 需关注."""
    if not figures:
        return {}
    result_median = statistics.median(f.won_amount for f in figures.values())
    process_median = statistics.median(f.logged for f in figures.values())
    placed = {}
    for userid, f in figures.items():
        high_result = f.won_amount > 0 and f.won_amount >= result_median
        high_process = f.logged > 0 and f.logged >= process_median
        placed[userid] = QUADRANTS[
            0 if high_result and high_process else 1 if high_result else 2 if high_process else 3
        ]
    return placed


def _on_time(session: Session, done_at, due_at):
    """done_at within ON_TIME_GRACE of due_at, in SQL (SQLite keeps times as text: compared as Julian days)."""
    if session.get_bind().dialect.name == "postgresql":
        return done_at <= due_at + literal(ON_TIME_GRACE, Interval)
    return func.julianday(done_at) <= func.julianday(due_at) + ON_TIME_GRACE / timedelta(days=1)


def _local_day(session: Session, column, tz: ZoneInfo):
    """The business-time-zone date of a UTC column, in SQL (the dialects spell it differently)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(tz.key, func.timezone("UTC", column)))
    offset = int(datetime.now(tz).utcoffset().total_seconds() // 60)  # SQLite: a fixed offset (China has no DST)
    return func.date(column, f"{offset:+d} minutes")
