"""Managers set targets in chat: `目标 张三 12月 50万` for one of their reps, `目标 团队 本月 200万` for the team.

A period that does not exist or is far from today, and an amount that is no positive number or is absurd, are
refused with a sentence that says why (scrm.targets.check holds the rules); nothing is saved then.
"""

from __future__ import annotations

from datetime import date

from handlers import texts
from handlers.commands import Command, reply
from handlers.context import Context
from handlers.intents import Parsed
from scrm import roles, targets
from scrm.dates import business_day
from scrm.numbers import short_amount

TEAM_WORDS = ("团队", "全组", "我们组", "组里", "部门", "全队", "大家")


def set_target(cmd: Command, ctx: Context) -> None:
    reps = roles.team(ctx.session, cmd.viewer)
    p = cmd.parsed
    if (p.amount is None and not p.amount_error) or not p.note or not p.member:
        return reply(cmd, ctx, texts.TARGET_HOW)
    teams = roles.teams_led(ctx.session, cmd.viewer)
    if p.member in TEAM_WORDS or p.member in {d.name for d in teams}:
        led = [d for d in teams if p.member in (*TEAM_WORDS, d.name)]
        if len(led) != 1:
            names = [d.name for d in teams]
            return reply(cmd, ctx, texts.TARGET_WHICH_TEAM.format(teams="、".join(names), example=names[0]))
        scope, subject, who = "team", str(led[0].id), led[0].name
    else:
        rep = next((m for m in reps if p.member in (m.name, m.userid)), None)
        if rep is None:
            return reply(cmd, ctx, texts.NO_SUCH_MEMBER.format(name=p.member))
        scope, subject, who = "rep", rep.userid, rep.name
    today = business_day(ctx.now, ctx.settings.timezone)
    if p.amount_error or p.amount is None:
        return reply(cmd, ctx, texts.TARGET_NOT_AN_AMOUNT.format(text=p.amount_error, who=who, period=p.note))
    try:
        kind, starts = targets.parse_period(p.note, today)
        targets.set_target(
            ctx.session,
            scope=scope,
            subject=subject,
            kind=kind,
            starts=starts,
            value=p.amount.value,
            set_by=cmd.userid,
            now=ctx.now,
            today=today,
        )
    except targets.TargetError as error:
        return reply(cmd, ctx, refusal(error, p, who, today))
    label = (
        targets.period(kind, starts, ctx.settings.timezone).label
        if kind != "week"
        else texts.WEEK_OF.format(month=starts.month, day=starts.day)
    )
    reply(cmd, ctx, texts.TARGET_SET.format(who=who, period=label, amount=short_amount(p.amount.value)))


def refusal(error: targets.TargetError, p: Parsed, who: str, today: date) -> str:
    """Why the target was not set, in the manager's words, with examples for this month, week and quarter."""
    iso = today.isocalendar()
    shown = {
        "who": who,
        "period": p.note,
        "text": p.note,
        "this_month": f"{today.year}-{today.month:02d}",
        "this_week": f"{iso.year}-W{iso.week:02d}",
        "this_quarter": f"{today.year}-Q{(today.month - 1) // 3 + 1}",
    }
    if error.reason in ("too_small", "too_large", "not_whole"):
        shown["text"] = p.amount.text if p.amount else ""
    if error.reason == "too_large":
        shown["most"] = short_amount(error.details["most"])
    template = {
        "too_far": texts.TARGET_TOO_FAR,
        "no_such_month": texts.TARGET_NO_SUCH_MONTH,
        "no_such_week": texts.TARGET_NO_SUCH_WEEK,
        "no_such_quarter": texts.TARGET_NO_SUCH_QUARTER,
        "too_small": texts.TARGET_TOO_SMALL,
        "too_large": texts.TARGET_TOO_LARGE,
        "not_whole": texts.TARGET_NOT_AN_AMOUNT,
    }.get(error.reason, texts.TARGET_NOT_A_PERIOD)
    return template.format(**{**error.details, **shown})
