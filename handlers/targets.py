"""Managers set targets in chat: `目标 张三 12月 50万` for one of their reps, `目标 团队 本月 200万` for the team."""

from __future__ import annotations

from handlers import texts
from handlers.commands import reply
from handlers.context import Context
from handlers.numbers import led_by
from handlers.parsing.commands import Intent
from handlers.router import Command, Router
from scrm import members, targets
from scrm.numbers import short_amount

router = Router("targets")
TEAM_WORDS = ("团队", "全组", "我们组", "组里", "部门", "全队", "大家")


@router.command(Intent.SET_TARGET, help="目标 张三 12月 50万（主管）")
def set_target(cmd: Command, ctx: Context) -> None:
    reps = led_by(ctx, cmd.userid)
    if reps is None:
        return reply(cmd, ctx, texts.MANAGERS_ONLY)
    p = cmd.parsed
    if p.amount is None or not p.note or not p.member:
        return reply(cmd, ctx, texts.TARGET_HOW)
    try:
        kind, starts = targets.parse_period(p.note, ctx.now.astimezone(ctx.settings.timezone).date())
    except targets.TargetError:
        return reply(cmd, ctx, texts.TARGET_HOW)
    me = members.get(ctx.session, cmd.userid)
    if p.member in TEAM_WORDS or p.member in {d.name for d in members.departments(ctx.session, me.leader_of)}:
        led = [d for d in members.departments(ctx.session, me.leader_of) if p.member in (*TEAM_WORDS, d.name)]
        if len(led) != 1:
            names = [d.name for d in members.departments(ctx.session, me.leader_of)]
            return reply(cmd, ctx, texts.TARGET_WHICH_TEAM.format(teams="、".join(names), example=names[0]))
        scope, subject, who = "team", str(led[0].id), led[0].name
    else:
        rep = next((m for m in reps if p.member in (m.name, m.userid)), None)
        if rep is None:
            return reply(cmd, ctx, texts.NO_SUCH_MEMBER.format(name=p.member))
        scope, subject, who = "rep", rep.userid, rep.name
    try:
        targets.set_target(ctx.session, scope=scope, subject=subject, kind=kind, starts=starts, value=p.amount.value,
                           set_by=cmd.userid, now=ctx.now)
    except targets.TargetError:
        return reply(cmd, ctx, texts.TARGET_HOW)
    label = targets.period(kind, starts, ctx.settings.timezone).label if kind != "week" else texts.WEEK_OF.format(
        month=starts.month, day=starts.day)
    reply(cmd, ctx, texts.TARGET_SET.format(who=who, period=label, amount=short_amount(p.amount.value)))
