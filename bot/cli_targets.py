"""`scrm targets set|list|load` (targets per rep or team and period; a file loads all or nothing) and
`scrm commission set|show` (the tiered commission plan)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

import click
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from handlers.parsing.amounts import whole_amount
from scrm import commission, members, targets, teams
from scrm.dates import business_day
from scrm.numbers import format_amount, short_amount


class TargetLine(BaseModel):
    """One entry of a targets file: `- {rep: zhangsan, period: 2026-12, value: 50万}` (or `team:` instead)."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    rep: str | None = None
    team: str | None = None
    period: str
    value: str | int | float
    metric: Literal["won_amount", "won", "logged", "new_customers"] = "won_amount"

    @model_validator(mode="after")
    def _one_subject(self) -> TargetLine:
        if bool(self.rep) == bool(self.team):
            raise ValueError("give exactly one of rep: or team:")
        return self


def register_target_commands(cli: click.Group, services: Callable) -> None:
    @cli.group("targets")
    def group() -> None:
        """Targets (SMART) per rep or team and period; progress shows in 业绩 and the daily digest."""

    @group.command("set", context_settings={"ignore_unknown_options": True})  # -50万 is a value to refuse, no option
    @click.argument("subject")
    @click.argument("period")
    @click.argument("value")
    @click.option("--team", "is_team", is_flag=True, help="SUBJECT is a department (id or name), not a rep")
    @click.option("--metric", type=click.Choice(targets.METRICS), default="won_amount", show_default=True)
    def set_target(subject: str, period: str, value: str, is_team: bool, metric: str) -> None:
        """SUBJECT PERIOD VALUE: zhangsan 2026-12 50万 | --team 华东销售部 本月 200万 (2026-W49, 2026-Q4 too)."""
        s = services()
        with s.store.transaction() as session:
            target = _apply(
                session,
                s,
                TargetLine(
                    rep=None if is_team else subject,
                    team=subject if is_team else None,
                    period=period,
                    value=value,
                    metric=metric,
                ),
                "",
            )
        click.echo(
            f"target set: {target.scope} {target.subject} {target.metric} {target.period} from {target.starts}"
            f" = {_shown(target)}"
        )

    @group.command("list")
    @click.option("--all", "everything", is_flag=True, help="past periods too")
    def list_targets(everything: bool) -> None:
        s = services()
        today = business_day(s.clock.now(), s.settings.timezone)
        with s.store.transaction() as session:
            rows = targets.listed(session, None if everything else today.replace(day=1) - timedelta(days=92))
        for t in rows:
            click.echo(f"#{t.id} {t.period:<7} {t.starts} {t.scope:<4} {t.subject:<16} {t.metric:<13} {_shown(t)}")
        if not rows:
            click.echo("no targets yet: `scrm targets set zhangsan 本月 50万`")

    @group.command("load")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def load(path: Path) -> None:
        """A YAML list of {rep|team, period, value[, metric]}; every entry is checked before any is saved."""
        try:
            nodes = yaml.compose(path.read_text(encoding="utf-8"))
            entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError) as error:
            raise click.ClickException(f"{path.name}: not a YAML file ({type(error).__name__})") from None
        if not isinstance(entries, list) or nodes is None:
            raise click.ClickException(
                f"{path.name}: expected a list of entries like `- {{rep: zhangsan, period: 2026-12, value: 50万}}`"
            )
        s = services()
        with s.store.transaction() as session:  # one transaction: a bad entry rolls back the ones before it
            for n, (entry, node) in enumerate(zip(entries, nodes.value, strict=True), 1):
                where = f"{path.name} line {node.start_mark.line + 1} (entry {n})"
                try:
                    line = TargetLine.model_validate(entry)
                except ValidationError as error:
                    problems = "; ".join(
                        f"{'.'.join(map(str, p['loc'])) or 'entry'}: {p['msg']}" for p in error.errors()
                    )
                    raise click.ClickException(f"{where}: {problems}") from None
                _apply(session, s, line, where)
        click.echo(f"loaded {len(entries)} targets")

    def _apply(session, s, line: TargetLine, where: str):
        prefix = f"{where}: " if where else ""
        value = whole_amount(str(line.value))  # the whole value: -50万 and 1e309 are refused, never read as 50万, 309
        if value is None:
            raise click.ClickException(f"{prefix}value {line.value!r} is not a number like 50万 or 500000")
        today = business_day(s.clock.now(), s.settings.timezone)
        try:
            kind, starts = targets.parse_period(line.period, today)
            if line.rep:
                member = members.find(session, line.rep)
                if member is None:
                    raise targets.TargetError(f"no rep {line.rep!r} (a userid, or a name only one member has)")
                scope, subject = "rep", member.userid
            else:
                scope, subject = "team", str(teams.find_department(session, line.team).id)
            return targets.set_target(
                session,
                scope=scope,
                subject=subject,
                kind=kind,
                starts=starts,
                value=value,
                metric=line.metric,
                set_by="cli",
                now=s.clock.now(),
                today=today,
            )
        except (targets.TargetError, teams.TeamNotFound) as error:
            raise click.ClickException(f"{prefix}{error}") from None


def register_commission_commands(cli: click.Group, services: Callable) -> None:
    @cli.group("commission")
    def group() -> None:
        """The commission plan: tiered rates on a rep's won amount in a month, and a bonus past a threshold."""

    @group.command("set")
    @click.option("--tiers", required=True, help="ascending limits and rates; the last open: 100000:3%,:5%")
    @click.option("--bonus", default="0", show_default=True, help="paid once the month's won amount passes --over")
    @click.option("--over", default=None, help="the threshold for the bonus, e.g. 1000000")
    def set_plan(tiers: str, bonus: str, over: str | None) -> None:
        """e.g. --tiers 100000:3%,:5% --bonus 20000 --over 1000000"""
        try:
            plan = commission.Plan(
                commission.parse_tiers(tiers), _money(bonus, "--bonus"), _money(over, "--over") if over else None
            )
        except commission.PlanError as error:
            raise click.BadParameter(str(error), param_hint="--tiers") from None
        s = services()
        with s.store.transaction() as session:
            commission.set_plan(session, plan, now=s.clock.now())
        click.echo("commission plan set\n" + _describe(plan))

    @group.command("show")
    def show() -> None:
        s = services()
        with s.store.transaction() as session:
            plan = commission.current(session)
        click.echo(_describe(plan) if plan else "no commission plan: `scrm commission set --tiers 100000:3%,:5%`")


def _money(text: str, option: str) -> Decimal:
    value = whole_amount(text)
    if value is None or value < 0:
        raise click.BadParameter(f"{text!r} is not an amount like 20000 or 2万", param_hint=option)
    return value


def _describe(plan: commission.Plan) -> str:
    lines, below = [], Decimal(0)
    for upto, rate in plan.tiers:
        span = (
            f"{format_amount(below) if below else '0'}–{format_amount(upto)}"
            if upto
            else f"above {format_amount(below)}"
        )
        lines.append(f"  {span}: {(rate * 100).normalize():f}%")
        below = upto or below
    if plan.bonus_over is not None:
        lines.append(f"  bonus {format_amount(plan.bonus)} once a month passes {format_amount(plan.bonus_over)}")
    examples = ", ".join(
        f"{short_amount(v)} -> {format_amount(plan.earned(v))}"
        for v in (Decimal(50_000), Decimal(300_000), Decimal(1_200_000))
    )
    return "\n".join([*lines, f"  for example: {examples}"])


def _shown(target) -> str:
    value = Decimal(target.value)
    return short_amount(value) if target.metric == "won_amount" else f"{value.normalize():f}"
