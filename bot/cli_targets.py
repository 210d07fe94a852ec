"""`scrm targets set|list|load`: targets per rep or team, per period (a file loads all or nothing)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

import click
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from handlers.parsing.amounts import parse_amount
from scrm import members, targets, teams
from scrm.numbers import short_amount


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

    @group.command("set")
    @click.argument("subject")
    @click.argument("period")
    @click.argument("value")
    @click.option("--team", "is_team", is_flag=True, help="SUBJECT is a department (id or name), not a rep")
    @click.option("--metric", type=click.Choice(targets.METRICS), default="won_amount", show_default=True)
    def set_target(subject: str, period: str, value: str, is_team: bool, metric: str) -> None:
        """SUBJECT PERIOD VALUE: zhangsan 2026-12 50万 | --team 华东销售部 本月 200万 (2026-W49, 2026-Q4 too)."""
        s = services()
        with s.store.transaction() as session:
            target = _apply(session, s, TargetLine(rep=None if is_team else subject, team=subject if is_team else None,
                                                   period=period, value=value, metric=metric), "")
        click.echo(f"target set: {target.scope} {target.subject} {target.metric} {target.period} from {target.starts}"
                   f" = {_shown(target)}")

    @group.command("list")
    @click.option("--all", "everything", is_flag=True, help="past periods too")
    def list_targets(everything: bool) -> None:
        s = services()
        today = s.clock.now().astimezone(s.settings.timezone).date()
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
            raise click.ClickException(f"{path.name}: expected a list of entries like "
                                       "`- {rep: zhangsan, period: 2026-12, value: 50万}`")
        s = services()
        with s.store.transaction() as session:  # one transaction: a bad entry rolls back the ones before it
            for n, (entry, node) in enumerate(zip(entries, nodes.value, strict=True), 1):
                where = f"{path.name} line {node.start_mark.line + 1} (entry {n})"
                try:
                    line = TargetLine.model_validate(entry)
                except ValidationError as error:
                    problems = "; ".join(f"{'.'.join(map(str, p['loc'])) or 'entry'}: {p['msg']}" for p in error.errors())
                    raise click.ClickException(f"{where}: {problems}") from None
                _apply(session, s, line, where)
        click.echo(f"loaded {len(entries)} targets")

    def _apply(session, s, line: TargetLine, where: str):
        prefix = f"{where}: " if where else ""
        amount = parse_amount(str(line.value), bare_numbers=True)
        if amount is None:
            raise click.ClickException(f"{prefix}value {line.value!r} is not a number like 50万 or 500000")
        today = s.clock.now().astimezone(s.settings.timezone).date()
        try:
            kind, starts = targets.parse_period(line.period, today)
            if line.rep:
                member = members.find(session, line.rep)
                if member is None:
                    raise targets.TargetError(f"no rep {line.rep!r} (a userid, or a name only one member has)")
                scope, subject = "rep", member.userid
            else:
                scope, subject = "team", str(teams.find_department(session, line.team).id)
            return targets.set_target(session, scope=scope, subject=subject, kind=kind, starts=starts,
                                      value=amount.value, metric=line.metric, set_by="cli", now=s.clock.now())
        except (targets.TargetError, teams.TeamNotFound) as error:
            raise click.ClickException(f"{prefix}{error}") from None


def _shown(target) -> str:
    value = Decimal(target.value)
    return short_amount(value) if target.metric == "won_amount" else f"{value.normalize():f}"
