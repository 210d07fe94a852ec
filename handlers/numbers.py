"""Numbers in chat: a rep's own (rank among the reps, target, commission), a manager's team (results beside
process, target, 人效, the best and the one most behind), and one rep's for their manager."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from handlers import texts
from handlers.commands import Command, reply
from handlers.context import Context
from scrm import commission, kpis, members, roles, targets
from scrm.dates import business_day, midnight
from scrm.models import Member
from scrm.numbers import format_amount, percent, short_amount
from scrm.roles import Viewer


def show_numbers(cmd: Command, ctx: Context) -> None:
    """A rep's own numbers and rank among the reps; a manager's is the team's."""
    asked = period_asked(cmd.parsed.note, ctx)
    if asked is None:
        return reply(cmd, ctx, texts.NUMBERS_PERIOD_UNKNOWN.format(period=cmd.parsed.note, example="本周业绩"))
    kind, period = asked
    if cmd.viewer.sees_a_team:
        return reply(cmd, ctx, _team_numbers(ctx, cmd.viewer, kind, period))
    asked_pay = any(word in cmd.parsed.text for word in COMMISSION_WORDS)
    reply(cmd, ctx, _rep_numbers(ctx, cmd.viewer.member, kind, period, own=True, asked_pay=asked_pay))


COMMISSION_WORDS = ("提成", "佣金", "奖金")


def _rep_numbers(
    ctx: Context, me: Member, kind: str, period: kpis.Period, *, own: bool, asked_pay: bool = False
) -> str:
    """A rep's numbers, rank among the reps and target; their commission only when they ask themselves."""
    tz = ctx.settings.timezone
    f = kpis.figures(ctx.session, [me.userid], period, now=ctx.now, tz=tz)
    target = targets.of(ctx.session, "rep", [me.userid], kind, business_day(period.start, tz)).get(me.userid)
    reps = reps_beside(ctx, me)
    ranking = [userid for userid, _ in kpis.ranking(ctx.session, [m.userid for m in reps], period)]
    rank = texts.NUMBERS_RANK.format(rank=ranking.index(me.userid) + 1, of=len(reps)) if me.userid in ranking else ""
    return (
        texts.NUMBERS.format(
            who=me.name,
            period=period.label,
            amount=format_amount(f.won_amount),
            won=f.won,
            conversion=percent(f.conversion),
            logged=f.follow_ups_logged,
            on_time=percent(f.on_time_rate),
            new=f.new_customers,
            overdue=f.overdue_now,
            rank=rank,
        )
        + (f"\n{targets.describe(targets.progress(target, f, period, now=ctx.now, tz=tz))}" if target else "")
        + (_commission(ctx, period, f, asked_pay) if own else "")
    )


def show_member_numbers(cmd: Command, ctx: Context) -> None:
    reps = roles.team(ctx.session, cmd.viewer)
    rep = next((m for m in reps if cmd.parsed.member in (m.name, m.userid)), None)
    if rep is None:
        return reply(cmd, ctx, texts.NO_SUCH_MEMBER.format(name=cmd.parsed.member))
    asked = period_asked(cmd.parsed.note, ctx)
    if asked is None:
        return reply(
            cmd, ctx, texts.NUMBERS_PERIOD_UNKNOWN.format(period=cmd.parsed.note, example=f"{rep.name}本周的业绩")
        )
    kind, period = asked
    reply(cmd, ctx, _rep_numbers(ctx, rep, kind, period, own=False))


# The periods figures are shown for, as people ask (本月 when they name none); each by its kind.
ASKED = {
    "": "month",
    "本月": "month",
    "这个月": "month",
    "这月": "month",
    "今天": "day",
    "今日": "day",
    "本周": "week",
    "这周": "week",
    "本季度": "quarter",
    "这季度": "quarter",
    "上周": "last_week",
    "上月": "last_month",
    "上个月": "last_month",
    "今年": "year",
}


def period_asked(note: str, ctx: Context) -> tuple[str, kpis.Period] | None:
    """The period a numbers question asks about (this month unless it says otherwise), and its kind (a target's
    kind: month, week, quarter; or day, year). None for one we keep no figures for (去年, 9999-12): never another."""
    asked = ASKED.get(note.strip())
    tz, now = ctx.settings.timezone, ctx.now
    today = business_day(now, tz)
    if asked == "last_week":
        return "week", replace(kpis.Period.week_of(now - timedelta(days=7), tz), label=texts.LAST_WEEK)
    if asked == "last_month":
        return "month", kpis.Period.month_of(midnight(today.replace(day=1) - timedelta(days=1), tz), tz)
    if asked == "year":
        first = date(today.year, 1, 1)
        return "year", kpis.Period(
            midnight(first, tz),
            midnight(first.replace(year=today.year + 1), tz),
            texts.THIS_YEAR.format(year=today.year),
        )
    builders = {
        "month": kpis.Period.month_of,
        "day": kpis.Period.day_of,
        "week": kpis.Period.week_of,
        "quarter": kpis.Period.quarter_of,
    }
    return (asked, builders[asked](now, tz)) if asked in builders else None


def _commission(ctx: Context, period: kpis.Period, figures: kpis.Figures, asked: bool) -> str:
    """The rep's own commission so far this month, when a plan is set (never shown to anyone else); a rep who
    asks about their pay with no plan set is told so."""
    plan = commission.current(ctx.session)
    if plan is None:
        return "\n" + texts.NO_COMMISSION_PLAN if asked else ""
    if period != kpis.Period.month_of(ctx.now, ctx.settings.timezone):
        return ""
    return "\n" + texts.COMMISSION.format(amount=format_amount(plan.earned(figures.won_amount)))


def _team_numbers(ctx: Context, viewer: Viewer, kind: str, period: kpis.Period) -> str:
    """Results beside process for the reps a manager leads, with the best and the one most behind."""
    reps = roles.team(ctx.session, viewer)
    if not reps:
        return texts.TEAM_NO_REPS
    by_rep = kpis.by_rep(ctx.session, [m.userid for m in reps], period, now=ctx.now, tz=ctx.settings.timezone)
    total = kpis.total(by_rep.values())
    names = {m.userid: m.name for m in reps}
    teams_led = roles.teams_led(ctx.session, viewer)
    lines = [
        texts.TEAM_NUMBERS.format(
            team="、".join(d.name for d in teams_led),
            period=period.label,
            n=len(reps),
            won=total.won,
            amount=short_amount(total.won_amount),
            win_rate=percent(total.win_rate),
            average=short_amount(total.average_deal) if total.average_deal else texts.NONE_YET,
            logged=total.logged,
            on_time=percent(total.on_time_rate),
            new=total.new_customers,
            overdue=total.overdue_now,
        )
    ]
    tz = ctx.settings.timezone
    led = [d.id for d in teams_led]
    target = targets.for_team(ctx.session, led, list(names), kind, business_day(period.start, tz))
    if target is not None:
        lines.append(targets.describe(targets.progress(target, total, period, now=ctx.now, tz=tz)))
    w = kpis.workload(ctx.session, list(names), total)
    lines.append(
        texts.WORKLOAD.format(
            won=short_amount(w.won_per_rep), customers=round(w.customers_per_rep), open=round(w.open_follow_ups_per_rep)
        )
    )
    ranked = sorted(by_rep.items(), key=lambda pair: (-pair[1].won_amount, -pair[1].logged, pair[0]))
    if len(ranked) > 1:
        (best, f_best), (last, f_last) = ranked[0], ranked[-1]
        if f_best.won_amount:
            lines.append(texts.TEAM_BEST.format(rep=names[best], amount=short_amount(f_best.won_amount)))
        lines.append(
            texts.TEAM_BEHIND.format(rep=names[last], amount=short_amount(f_last.won_amount), logged=f_last.logged)
        )
    return "\n".join(lines)


def reps_beside(ctx: Context, me: Member) -> list[Member]:
    """The reps of my departments, managers left out: whom a rep is ranked among."""
    leaders = {u for d in members.departments(ctx.session, me.department_ids) for u in d.leader_userids}
    return [m for m in _team_of(ctx, me) if m.userid not in leaders] or [me]


def _team_of(ctx: Context, me: Member) -> list[Member]:
    return members.in_departments(ctx.session, me.department_ids) or [me]


def current(ctx: Context, kind: str = "month") -> kpis.Period:
    """This month, or this week: what the board, channels and talent views show."""
    return (kpis.Period.week_of if kind == "week" else kpis.Period.month_of)(ctx.now, ctx.settings.timezone)
