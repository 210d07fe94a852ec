"""The managers' view in chat: the team's agenda, a rep's customers, the funnel, the board, channels and the
talent quadrants. A manager (a department's leader) sees the members of the departments they lead and changes
nothing of theirs from here; a rep sees only their own funnel and the board they are on."""

from __future__ import annotations

from decimal import Decimal

from handlers import texts
from handlers.commands import Command, reply
from handlers.context import Context
from handlers.numbers import current, reps_beside
from scrm import customers, deals, follow_ups, kpis, members, roles, team_day
from scrm.customers import display_name
from scrm.dates import end_of_day, format_day
from scrm.numbers import percent, short_amount
from scrm.statuses import DealStatus

LISTED = 20


def show_team_agenda(cmd: Command, ctx: Context) -> None:
    """今天团队情况: what the team did today (follow-ups, deals won and lost, stage moves, who logged nothing),
    then what is still due today."""
    team = roles.team(ctx.session, cmd.viewer)
    if not team:
        return reply(cmd, ctx, texts.TEAM_NO_REPS)
    names = {m.userid: m.name for m in team}
    today = kpis.Period.day_of(ctx.now, ctx.settings.timezone)
    day = kpis.by_rep(ctx.session, list(names), today, now=ctx.now, tz=ctx.settings.timezone, parts=("logged",))
    led = "、".join(d.name for d in roles.teams_led(ctx.session, cmd.viewer))
    lines = [
        texts.TEAM_TODAY_TITLE.format(team=led, day=format_day(ctx.now.astimezone(ctx.settings.timezone), ctx.now))
    ]
    lines += _logged_today(day, names)
    lines += _deals_today(ctx, names, today)
    silent = [names[u] for u in team_day.with_customers(ctx.session, list(names)) if not day[u].logged]
    if silent:
        lines.append(texts.TEAM_TODAY_SILENT.format(reps="、".join(sorted(silent))))
    lines += _agenda(ctx, team)
    reply(cmd, ctx, "\n".join(lines))


def _logged_today(day: dict[str, kpis.Figures], names: dict[str, str]) -> list[str]:
    counts = sorted(((f.logged, names[u]) for u, f in day.items() if f.logged), key=lambda pair: -pair[0])
    if not counts:
        return [texts.TEAM_TODAY_NOTHING_LOGGED]
    each = "、".join(texts.TEAM_TODAY_REP_LOGGED.format(rep=rep, n=n) for n, rep in counts)
    return [texts.TEAM_TODAY_LOGGED.format(n=sum(n for n, _ in counts), reps=each)]


def _deals_today(ctx: Context, names: dict[str, str], today: kpis.Period) -> list[str]:
    """Deals won and lost today, and each move along the funnel: who, which customer, what."""
    lines = []
    closed = team_day.closed(ctx.session, list(names), today)
    if won := [d for d in closed if d.won]:
        amount = sum((d.amount or Decimal(0) for d in won), Decimal(0))
        each = [
            texts.TEAM_TODAY_DEAL.format(
                rep=names[d.userid], customer=d.customer, detail=f" {short_amount(d.amount)}" if d.amount else ""
            )
            for d in won
        ]
        lines.append(texts.TEAM_TODAY_WON.format(n=len(won), amount=short_amount(amount), deals="；".join(each)))
    if lost := [d for d in closed if not d.won]:
        each = [
            texts.TEAM_TODAY_DEAL.format(
                rep=names[d.userid],
                customer=d.customer,
                detail=texts.TEAM_TODAY_REASON.format(reason=d.reason) if d.reason else "",
            )
            for d in lost
        ]
        lines.append(texts.TEAM_TODAY_LOST.format(n=len(lost), deals="；".join(each)))
    moves = team_day.moves(ctx.session, list(names), today)
    if moves:
        each = [texts.TEAM_TODAY_MOVE.format(rep=names[m.userid], customer=m.customer, stage=m.stage) for m in moves]
        lines.append(texts.TEAM_TODAY_MOVES.format(moves="；".join(each)))
    return lines


def _agenda(ctx: Context, team: list) -> list[str]:
    """What is still due by the end of today, per rep, with how much of it is late."""
    items = follow_ups.agenda(ctx.session, [m.userid for m in team], until=end_of_day(ctx.now, ctx.settings.timezone))
    if not items:
        return [texts.TEAM_AGENDA_EMPTY]
    lines = [texts.TEAM_AGENDA_TITLE.format(n=len(items))]
    for member in team:
        own = [i for i in items if i.userid == member.userid]
        late = sum(1 for i in own if i.due_at < ctx.now)
        if own:
            lines.append(
                texts.TEAM_AGENDA_LINE.format(
                    rep=member.name, count=len(own), overdue=texts.TEAM_AGENDA_OVERDUE.format(n=late) if late else ""
                )
            )
    return lines


def show_member_customers(cmd: Command, ctx: Context) -> None:
    name = cmd.parsed.member
    team = roles.team(ctx.session, cmd.viewer)
    me = cmd.viewer.member
    visible = {m.userid: m for m in [me, *team]}
    target = (
        me if name in (None, "我", me.name) else next((m for m in visible.values() if name in (m.name, m.userid)), None)
    )
    if target is None:
        return reply(
            cmd, ctx, texts.NO_SUCH_MEMBER.format(name=name) if cmd.viewer.sees_a_team else texts.MANAGERS_ONLY
        )
    rows = customers.of_rep(ctx.session, target.userid)
    lines = [texts.MEMBER_CUSTOMERS_TITLE.format(rep=target.name, n=len(rows))]
    for customer, _ in rows[:LISTED]:
        theirs = [d for d in deals.of_customer(ctx.session, customer.external_userid) if d.userid == target.userid]
        current = next((d for d in reversed(theirs) if d.status == DealStatus.OPEN), theirs[-1] if theirs else None)
        lines.append(
            texts.MEMBER_CUSTOMER_LINE.format(
                name=display_name(customer),
                corp=f"（{customer.corp_name}）" if customer.corp_name else "",
                stage=current.stage if current else texts.NONE_YET,
            )
        )
    if len(rows) > LISTED:
        lines.append(texts.MEMBER_CUSTOMERS_MORE.format(n=len(rows) - LISTED))
    reply(cmd, ctx, "\n".join(lines))


def show_funnel(cmd: Command, ctx: Context) -> None:
    """The funnel of the manager's team (or the rep's own): stages now, conversion, days in stage, stalled."""
    me = cmd.viewer.member
    reps = roles.team(ctx.session, cmd.viewer) if cmd.viewer.sees_a_team else None
    who = "、".join(d.name for d in roles.teams_led(ctx.session, cmd.viewer)) if reps is not None else me.name
    people = {m.userid: m.name for m in (reps if reps is not None else [me])}
    funnel = ctx.settings.funnel
    stages = kpis.funnel(ctx.session, list(people), funnel.stages, funnel.limits, now=ctx.now)
    total = sum(s.open_now for s in stages)
    period = current(ctx)
    closed = kpis.by_rep(ctx.session, list(people), period, now=ctx.now, tz=ctx.settings.timezone, parts=("deals",))
    month = kpis.total(closed.values())
    if not total and not month.won + month.lost:
        return reply(cmd, ctx, texts.FUNNEL_EMPTY)
    lines = [texts.FUNNEL_TITLE.format(who=who, n=total)]
    if month.won + month.lost:
        lines.append(
            texts.FUNNEL_CLOSED.format(
                period=period.label,
                won=month.won,
                lost=month.lost,
                win_rate=percent(month.win_rate),
            )
        )
    lines += [
        texts.FUNNEL_LINE.format(
            stage=s.stage,
            open=s.open_now,
            conversion=percent(s.conversion),
            days=texts.FUNNEL_DAYS.format(n=round(s.median_days)) if s.median_days is not None else texts.NONE_YET,
        )
        for s in stages
    ]
    stalled = [(s.stage, deal, days) for s in stages for deal, days in s.stalled]
    if stalled:
        names = {
            c.external_userid: c for c in customers.by_ids(ctx.session, [d.external_userid for _, d, _ in stalled])
        }
        lines.append(texts.FUNNEL_STALLED)
        lines += [
            texts.FUNNEL_STALLED_LINE.format(
                customer=display_name(names.get(deal.external_userid)),
                stage=stage,
                days=days,
                rep=f"｜{people[deal.userid]}" if reps is not None else "",
            )
            for stage, deal, days in stalled[:LISTED]
        ]
    reply(cmd, ctx, "\n".join(lines))


def show_board(cmd: Command, ctx: Context) -> None:
    """This month's (or week's) champions among the reps of my team: the honor board so far."""
    me = cmd.viewer.member
    leads = cmd.viewer.sees_a_team
    team = roles.team(ctx.session, cmd.viewer) if leads else reps_beside(ctx, me)
    departments = (
        roles.teams_led(ctx.session, cmd.viewer) if leads else members.departments(ctx.session, me.department_ids)
    )
    period = current(ctx, "week" if "周" in cmd.parsed.text else "month")
    figures = kpis.by_rep(ctx.session, [m.userid for m in team], period, now=ctx.now, tz=ctx.settings.timezone)
    lines = kpis.board(figures, {m.userid: m.name for m in team}, ctx.settings.honor_titles)
    title = texts.BOARD_TITLE.format(team="、".join(d.name for d in departments), period=period.label)
    reply(cmd, ctx, "\n".join([title, *lines]) if lines else texts.BOARD_EMPTY.format(period=period.label))


def show_channels(cmd: Command, ctx: Context) -> None:
    """Which QR-code channels bring customers, and which of them buy (this month)."""
    reps = roles.team(ctx.session, cmd.viewer)
    period = current(ctx)
    rows = kpis.channels(ctx.session, [m.userid for m in reps], period)
    if not rows:
        return reply(cmd, ctx, texts.CHANNELS_EMPTY.format(period=period.label))
    team = "、".join(d.name for d in roles.teams_led(ctx.session, cmd.viewer))
    lines = [texts.CHANNELS_TITLE.format(team=team, period=period.label)]
    known = kpis.channel_names(ctx.session)
    for c in rows[:LISTED]:
        lines.append(texts.CHANNEL_NAME.format(channel=known.get(c.channel) or c.channel or texts.NO_CHANNEL_NAME))
        if c.new_customers:
            lines.append(texts.CHANNEL_NEW.format(new=c.new_customers))
            lines.append(texts.CHANNEL_CONVERTED.format(converted=c.won_customers, conversion=percent(c.conversion)))
        if c.won_amount:
            lines.append(texts.CHANNEL_AMOUNT.format(amount=short_amount(c.won_amount)))
    reply(cmd, ctx, "\n".join(lines))


def show_talent(cmd: Command, ctx: Context) -> None:
    """人才四分法 for the month: each rep by result against process, with what each quadrant should get."""
    reps = roles.team(ctx.session, cmd.viewer)
    if not reps:
        return reply(cmd, ctx, texts.TEAM_NO_REPS)
    period = current(ctx)
    figures = kpis.by_rep(ctx.session, [m.userid for m in reps], period, now=ctx.now, tz=ctx.settings.timezone)
    placed = kpis.quadrants(figures)
    names = {m.userid: m.name for m in reps}
    team = "、".join(d.name for d in roles.teams_led(ctx.session, cmd.viewer))
    lines = [texts.TALENT_TITLE.format(team=team, period=period.label)]
    for quadrant in kpis.QUADRANTS:
        who = [names[u] for u, q in placed.items() if q == quadrant]
        if who:
            lines.append(
                texts.TALENT_LINE.format(quadrant=quadrant, action=texts.TALENT_ACTIONS[quadrant], names="、".join(who))
            )
    short = [
        texts.TALENT_REP_FIGURES.format(rep=names[u], closed=f.won + f.lost, logged=f.logged)
        for u, f in figures.items()
        if u not in placed
    ]
    if short:
        rule = texts.TALENT_RULE.format(closed=kpis.MIN_CLOSED, logged=kpis.MIN_LOGGED, reps=kpis.MIN_REPS)
        lines.append(texts.TALENT_NOT_ENOUGH.format(rule=rule, reps="、".join(short)))
    reply(cmd, ctx, "\n".join(lines))
