"""Rep and manager queries: a customer's card, my numbers, the team's agenda, a rep's customers.

A rep only ever sees their own customers. A manager (a department's leader) may also look at the
members of the departments they lead, and changes nothing of theirs from here.
"""

from __future__ import annotations

from handlers import texts
from handlers.commands import customer_for, reply
from handlers.context import Context
from handlers.parsing.commands import Intent
from handlers.router import Command, Router
from scrm import commission, customers, deals, follow_ups, interactions, kpis, members, tags, targets
from scrm.customers import display_name
from scrm.dates import end_of_day, format_day, format_when
from scrm.models import Deal, Interaction, Member
from scrm.numbers import format_amount, percent, short_amount

router = Router("cards")
RECENT, LISTED = 3, 20


@router.command(Intent.CARD, help="查 华为")
def show_card(cmd: Command, ctx: Context) -> None:
    customer = customer_for(cmd, ctx)
    if customer is None:
        return
    mine = [d for d in deals.of_customer(ctx.session, customer.external_userid) if d.userid == cmd.userid]
    lines = [texts.CARD_TITLE.format(name=display_name(customer), corp=customer.corp_name)]
    current = next((d for d in reversed(mine) if d.status == "open"), mine[-1] if mine else None)
    lines.append(texts.CARD_STAGE.format(stage=current.stage, days=deals.days_in_stage(ctx.session, current, now=ctx.now))
                 if current else texts.CARD_NO_DEAL)
    relation = customers.relation(ctx.session, customer.external_userid, cmd.userid)
    if relation is not None and relation.tier:
        lines.append(texts.CARD_TIER.format(tier=relation.tier, meaning=texts.TIER_MEANING[relation.tier]))
    own_tags = [f"{t.group_name}:{t.tag_name}" for t in tags.of_customer(ctx.session, customer.external_userid)
                if t.userid == cmd.userid]
    if own_tags:
        lines.append(texts.CARD_TAGS.format(tags="、".join(own_tags)))
    recent = [e for e in interactions.timeline(ctx.session, customer.external_userid)
              if e.userid == cmd.userid and e.kind not in ("won", "lost_deal")][:RECENT]  # deals have their own lines
    if recent:
        lines.append(texts.CARD_RECENT)
        lines += [texts.CARD_RECENT_LINE.format(when=format_day(e.at.astimezone(ctx.settings.timezone), ctx.now),
                                                text=_history(e)) for e in recent]
    for item in follow_ups.open_for(ctx.session, customer.external_userid):
        if item.userid == cmd.userid:
            due = format_when(item.due_at.astimezone(ctx.settings.timezone), ctx.now)
            lines.append(texts.CARD_NEXT.format(when=due, note=f" {item.note}" if item.note else ""))
    closed = [d for d in mine if d.status in ("won", "lost")]
    if closed:
        lines.append(texts.CARD_DEALS)
        lines += [texts.CARD_DEAL_LINE.format(day=format_day(d.closed_at.astimezone(ctx.settings.timezone), ctx.now),
                                              outcome=_outcome(d)) for d in closed]
    reply(cmd, ctx, "\n".join(lines))


def _history(entry: Interaction) -> str:
    """What happened, in a line: 电话：沟通了报价, 进入「方案报价」阶段, 成交 8万."""
    text = entry.text[:40]
    return texts.CARD_LOGGED.format(channel=entry.channel, text=text) if entry.kind == "follow_up" else text


def _outcome(deal: Deal) -> str:
    if deal.status == "won":
        return texts.HISTORY_WON.format(amount=f" {format_amount(deal.amount)}" if deal.amount else "")
    return texts.HISTORY_LOST.format(reason=f"：{deal.note}" if deal.note else "")


@router.command(Intent.MY_NUMBERS, help="业绩（本周 / 本月）")
def show_numbers(cmd: Command, ctx: Context) -> None:
    """A rep's own numbers and rank among the reps; a manager's is the team's."""
    kind, period = _period(cmd.parsed.note, ctx)
    me = members.get(ctx.session, cmd.userid)
    led = led_by(ctx, cmd.userid)
    if led is not None:
        return reply(cmd, ctx, _team_numbers(ctx, me, led, kind, period))
    reply(cmd, ctx, _rep_numbers(ctx, me, kind, period, own=True))


def _rep_numbers(ctx: Context, me: Member, kind: str, period: kpis.Period, *, own: bool) -> str:
    """A rep's numbers, rank among the reps and target; their commission only when they ask themselves."""
    tz = ctx.settings.timezone
    f = kpis.figures(ctx.session, [me.userid], period, now=ctx.now, tz=tz)
    target = targets.of(ctx.session, "rep", [me.userid], kind, period.start.astimezone(tz).date()).get(me.userid)
    reps = _reps_beside(ctx, me)
    ranking = [userid for userid, _ in kpis.ranking(ctx.session, [m.userid for m in reps], period)]
    rank = texts.NUMBERS_RANK.format(rank=ranking.index(me.userid) + 1, of=len(reps)) if me.userid in ranking else ""
    return (texts.NUMBERS.format(
        who=me.name, period=period.label, amount=format_amount(f.won_amount) if f.won_amount else "0", won=f.won,
        conversion=percent(f.conversion), logged=f.follow_ups_logged, on_time=percent(f.on_time_rate),
        new=f.new_customers, overdue=f.overdue_now, rank=rank)
        + (f"\n{targets.describe(targets.progress(target, f, period, now=ctx.now, tz=tz))}" if target else "")
        + (_commission(ctx, kind, f) if own else ""))


@router.command(Intent.TEAM_AGENDA, help="团队今天（主管）")
def show_team_agenda(cmd: Command, ctx: Context) -> None:
    team = led_by(ctx, cmd.userid)
    if team is None:
        return reply(cmd, ctx, texts.MANAGERS_ONLY)
    items = follow_ups.agenda(ctx.session, [m.userid for m in team], until=end_of_day(ctx.now, ctx.settings.timezone))
    if not items:
        return reply(cmd, ctx, texts.TEAM_AGENDA_EMPTY)
    lines = [texts.TEAM_AGENDA_TITLE.format(n=len(items))]
    for member in team:
        own = [i for i in items if i.userid == member.userid]
        late = sum(1 for i in own if i.due_at < ctx.now)
        if own:
            lines.append(texts.TEAM_AGENDA_LINE.format(rep=member.name, count=len(own),
                                                       overdue=texts.TEAM_AGENDA_OVERDUE.format(n=late) if late else ""))
    reply(cmd, ctx, "\n".join(lines))


@router.command(Intent.MEMBER_CUSTOMERS, help="张三的客户（主管）")
def show_member_customers(cmd: Command, ctx: Context) -> None:
    name = cmd.parsed.member
    team = led_by(ctx, cmd.userid) or []
    me = members.get(ctx.session, cmd.userid)
    visible = {m.userid: m for m in [me, *team]}
    target = me if name in (None, "我", me.name) else next(
        (m for m in visible.values() if name in (m.name, m.userid)), None)
    if target is None:
        return reply(cmd, ctx, texts.NO_SUCH_MEMBER.format(name=name) if team else texts.MANAGERS_ONLY)
    rows = customers.of_rep(ctx.session, target.userid)
    lines = [texts.MEMBER_CUSTOMERS_TITLE.format(rep=target.name, n=len(rows))]
    for customer, _ in rows[:LISTED]:
        theirs = [d for d in deals.of_customer(ctx.session, customer.external_userid) if d.userid == target.userid]
        current = next((d for d in reversed(theirs) if d.status == "open"), theirs[-1] if theirs else None)
        lines.append(texts.MEMBER_CUSTOMER_LINE.format(
            name=display_name(customer), corp=f"（{customer.corp_name}）" if customer.corp_name else "",
            stage=current.stage if current else texts.NONE_YET))
    if len(rows) > LISTED:
        lines.append(texts.MEMBER_CUSTOMERS_MORE.format(n=len(rows) - LISTED))
    reply(cmd, ctx, "\n".join(lines))


def _period(note: str, ctx: Context) -> tuple[str, kpis.Period]:
    """The period a numbers question asks about (this month unless it says otherwise), and its kind."""
    tz = ctx.settings.timezone
    if "周" in note:
        return "week", kpis.Period.week_of(ctx.now, tz)
    if "今" in note:
        return "day", kpis.Period.day_of(ctx.now, tz)
    if "季" in note:
        return "quarter", kpis.Period.quarter_of(ctx.now, tz)
    return "month", kpis.Period.month_of(ctx.now, tz)


@router.command(Intent.MEMBER_NUMBERS, help="张三的业绩（主管）")
def show_member_numbers(cmd: Command, ctx: Context) -> None:
    reps = led_by(ctx, cmd.userid)
    rep = next((m for m in reps or [] if cmd.parsed.member in (m.name, m.userid)), None)
    if rep is None:
        return reply(cmd, ctx, texts.NO_SUCH_MEMBER.format(name=cmd.parsed.member) if reps else texts.MANAGERS_ONLY)
    kind, period = _period(cmd.parsed.note, ctx)
    reply(cmd, ctx, _rep_numbers(ctx, rep, kind, period, own=False))


@router.command(Intent.FUNNEL, help="漏斗")
def show_funnel(cmd: Command, ctx: Context) -> None:
    """The funnel of the manager's team (or the rep's own): stages now, conversion, days in stage, stalled."""
    me = members.get(ctx.session, cmd.userid)
    reps = led_by(ctx, cmd.userid)
    who = "、".join(d.name for d in members.departments(ctx.session, me.leader_of)) if reps is not None else me.name
    people = {m.userid: m.name for m in (reps if reps is not None else [me])}
    stages = kpis.funnel(ctx.session, list(people), ctx.settings.stages, ctx.settings.stage_limits, now=ctx.now)
    total = sum(s.open_now for s in stages)
    if not total:
        return reply(cmd, ctx, texts.FUNNEL_EMPTY)
    lines = [texts.FUNNEL_TITLE.format(who=who, n=total)]
    lines += [texts.FUNNEL_LINE.format(stage=s.stage, open=s.open_now, conversion=percent(s.conversion),
                                       days=texts.FUNNEL_DAYS.format(n=round(s.median_days)) if s.median_days is not None
                                       else texts.NONE_YET) for s in stages]
    stalled = [(s.stage, deal, days) for s in stages for deal, days in s.stalled]
    if stalled:
        names = {c.external_userid: c for c in customers.by_ids(ctx.session, [d.external_userid for _, d, _ in stalled])}
        lines.append(texts.FUNNEL_STALLED)
        lines += [texts.FUNNEL_STALLED_LINE.format(customer=display_name(names.get(deal.external_userid)), stage=stage,
                                                   days=days, rep=f"｜{people[deal.userid]}" if reps is not None else "")
                  for stage, deal, days in stalled[:LISTED]]
    reply(cmd, ctx, "\n".join(lines))


@router.command(Intent.BOARD, help="排行")
def show_board(cmd: Command, ctx: Context) -> None:
    """This month's (or week's) champions among the reps of my team: the honor board so far."""
    me = members.get(ctx.session, cmd.userid)
    reps = led_by(ctx, cmd.userid)
    team = reps if reps is not None else _reps_beside(ctx, me)
    departments = members.departments(ctx.session, me.leader_of if reps is not None else me.department_ids)
    _, period = _period("周" if "周" in cmd.parsed.text else "", ctx)
    figures = kpis.by_rep(ctx.session, [m.userid for m in team], period, now=ctx.now, tz=ctx.settings.timezone)
    lines = kpis.board(figures, {m.userid: m.name for m in team}, ("won_amount", "on_time", "new_customers"))
    title = texts.BOARD_TITLE.format(team="、".join(d.name for d in departments), period=period.label)
    reply(cmd, ctx, "\n".join([title, *lines]) if lines else texts.BOARD_EMPTY.format(period=period.label))


@router.command(Intent.CHANNELS, help="渠道（主管）")
def show_channels(cmd: Command, ctx: Context) -> None:
    """Which QR-code channels bring customers, and which of them buy (this month)."""
    reps = led_by(ctx, cmd.userid)
    if reps is None:
        return reply(cmd, ctx, texts.MANAGERS_ONLY)
    _, period = _period(cmd.parsed.text, ctx)
    rows = kpis.channels(ctx.session, [m.userid for m in reps], period)
    if not rows:
        return reply(cmd, ctx, texts.CHANNELS_EMPTY.format(period=period.label))
    team = "、".join(d.name for d in members.departments(ctx.session, members.get(ctx.session, cmd.userid).leader_of))
    lines = [texts.CHANNELS_TITLE.format(team=team, period=period.label)]
    lines += [texts.CHANNEL_LINE.format(channel=c.channel or texts.NO_CHANNEL_NAME, new=c.new_customers,
                                        converted=c.won_customers, conversion=percent(c.conversion),
                                        amount=short_amount(c.won_amount)) for c in rows[:LISTED]]
    reply(cmd, ctx, "\n".join(lines))


@router.command(Intent.TALENT, help="人才盘点（主管）")
def show_talent(cmd: Command, ctx: Context) -> None:
    """人才四分法 for the month: each rep by result against process, with what each quadrant should get."""
    reps = led_by(ctx, cmd.userid)
    if reps is None:
        return reply(cmd, ctx, texts.MANAGERS_ONLY)
    if not reps:
        return reply(cmd, ctx, texts.TEAM_NO_REPS)
    _, period = _period("", ctx)
    figures = kpis.by_rep(ctx.session, [m.userid for m in reps], period, now=ctx.now, tz=ctx.settings.timezone)
    placed = kpis.quadrants(figures)
    names = {m.userid: m.name for m in reps}
    team = "、".join(d.name for d in members.departments(ctx.session, members.get(ctx.session, cmd.userid).leader_of))
    lines = [texts.TALENT_TITLE.format(team=team, period=period.label)]
    for quadrant in kpis.QUADRANTS:
        who = [names[u] for u, q in placed.items() if q == quadrant]
        if who:
            lines.append(texts.TALENT_LINE.format(quadrant=quadrant, action=texts.TALENT_ACTIONS[quadrant],
                                                  names="、".join(who)))
    reply(cmd, ctx, "\n".join(lines))


def _commission(ctx: Context, kind: str, figures: kpis.Figures) -> str:
    """The rep's own commission so far this month, when a plan is set (never shown to anyone else)."""
    plan = commission.current(ctx.session) if kind == "month" else None
    return "\n" + texts.COMMISSION.format(amount=format_amount(plan.earned(figures.won_amount))) if plan else ""


def _team_numbers(ctx: Context, me: Member, reps: list[Member], kind: str, period: kpis.Period) -> str:
    """Results beside process for the reps a manager leads, with the best and the one most behind."""
    if not reps:
        return texts.TEAM_NO_REPS
    by_rep = kpis.by_rep(ctx.session, [m.userid for m in reps], period, now=ctx.now, tz=ctx.settings.timezone)
    total = sum(by_rep.values(), kpis.Figures())
    names = {m.userid: m.name for m in reps}
    teams_led = members.departments(ctx.session, me.leader_of)
    lines = [texts.TEAM_NUMBERS.format(
        team="、".join(d.name for d in teams_led), period=period.label, n=len(reps), won=total.won,
        amount=short_amount(total.won_amount), win_rate=percent(total.win_rate),
        average=short_amount(total.average_deal) if total.average_deal else texts.NONE_YET, logged=total.logged,
        on_time=percent(total.on_time_rate), new=total.new_customers, overdue=total.overdue_now)]
    tz = ctx.settings.timezone
    target = targets.for_team(ctx.session, me.leader_of, list(names), kind, period.start.astimezone(tz).date())
    if target is not None:
        lines.append(targets.describe(targets.progress(target, total, period, now=ctx.now, tz=tz)))
    w = kpis.workload(ctx.session, list(names), total)
    lines.append(texts.WORKLOAD.format(won=short_amount(w.won_per_rep), customers=round(w.customers_per_rep),
                                       open=round(w.open_follow_ups_per_rep)))
    ranked = sorted(by_rep.items(), key=lambda pair: (-pair[1].won_amount, -pair[1].logged, pair[0]))
    if len(ranked) > 1:
        (best, f_best), (last, f_last) = ranked[0], ranked[-1]
        if f_best.won_amount:
            lines.append(texts.TEAM_BEST.format(rep=names[best], amount=short_amount(f_best.won_amount)))
        lines.append(texts.TEAM_BEHIND.format(rep=names[last], amount=short_amount(f_last.won_amount),
                                              logged=f_last.logged))
    return "\n".join(lines)


def _reps_beside(ctx: Context, me: Member) -> list[Member]:
    """The reps of my departments, managers left out: whom a rep is ranked among."""
    leaders = {u for d in members.departments(ctx.session, me.department_ids) for u in d.leader_userids}
    return [m for m in _team_of(ctx, me) if m.userid not in leaders] or [me]


def led_by(ctx: Context, userid: str) -> list[Member] | None:
    """The reps of the departments this member leads (their fellow leaders left out); None when they lead none."""
    me = members.get(ctx.session, userid)
    if me is None or not me.leader_of:
        return None
    leaders = {u for d in members.departments(ctx.session, me.leader_of) for u in d.leader_userids} | {userid}
    return [m for m in members.in_departments(ctx.session, me.leader_of) if m.userid not in leaders]


def _team_of(ctx: Context, me: Member) -> list[Member]:
    return members.in_departments(ctx.session, me.department_ids) or [me]
