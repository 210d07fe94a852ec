"""Operators' commands: tagging rules, welcome templates, and one customer's card."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from bot import table
from scrm import customers, deals, files, follow_ups, interactions, tagging, tags, welcome
from scrm.numbers import format_amount


def register_admin_commands(cli: click.Group, services: Callable) -> None:
    cli.add_command(_rules(services))
    cli.add_command(_welcome(services))
    cli.add_command(_customer(services))


def _rules(services: Callable) -> click.Group:
    @click.group("rules")
    def group() -> None:
        """Auto-tagging rules applied when a customer adds a rep."""

    @group.command("list")
    def list_rules() -> None:
        s = services()
        with s.store.transaction() as session:
            rules = tagging.listed(session)
        for line in table.render([(f"#{r.id}", r.kind, r.pattern, f"-> {r.tag_group}:{r.tag_name}") for r in rules]):
            click.echo(line)
        if not rules:
            click.echo("no rules: a customer with state S is tagged S in group 渠道")

    @group.command("add")
    @click.argument("kind", type=click.Choice(tagging.KINDS))
    @click.argument("pattern")
    @click.argument("tag", metavar="GROUP:TAG")
    def add_rule(kind: str, pattern: str, tag: str) -> None:
        """channel expo2026* 渠道:展会  |  keyword 制造,工厂,机械 行业:制造"""
        s = services()
        try:
            group_name, tag_name = tagging.split_tag(tag)
            with s.store.transaction() as session:
                rule = tagging.add(
                    session, kind=kind, pattern=pattern, group=group_name, tag=tag_name, now=s.clock.now()
                )
        except tagging.RuleError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"added rule #{rule.id}")

    @group.command("remove")
    @click.argument("rule_id", type=int)
    def remove_rule(rule_id: int) -> None:
        s = services()
        with s.store.transaction() as session:
            if not tagging.remove(session, rule_id):
                raise click.ClickException(f"no rule #{rule_id}")
        click.echo(f"removed rule #{rule_id}")

    group.add_command(_load_command(services, tagging.load_file, "rules", "docs/rules.example.yaml"))
    return group


def _welcome(services: Callable) -> click.Group:
    @click.group("welcome")
    def group() -> None:
        """Welcome templates per channel; placeholders {客户} {销售} {公司} {我司}."""

    @group.command("list")
    def list_templates() -> None:
        s = services()
        with s.store.transaction() as session:
            for template in welcome.listed(session):
                click.echo(f"{template.channel or '(default)'}: {template.text}")

    @group.command("set")
    @click.argument("channel")
    @click.argument("text")
    def set_template(channel: str, text: str) -> None:
        """CHANNEL is a state, a prefix ending in *, or "" for the default."""
        s = services()
        try:
            with s.store.transaction() as session:
                welcome.set_template(session, channel=channel, text=text, now=s.clock.now())
        except welcome.TemplateError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"welcome for {channel or '(default)'} saved")

    @group.command("remove")
    @click.argument("channel")
    def remove_template(channel: str) -> None:
        s = services()
        with s.store.transaction() as session:
            if not welcome.remove(session, channel):
                raise click.ClickException(f"no template for {channel or '(default)'}")
        click.echo("removed")

    group.add_command(_load_command(services, welcome.load_file, "welcome templates", "docs/welcome.example.yaml"))
    return group


def _load_command(services: Callable, load_file: Callable, what: str, example: str) -> click.Command:
    """`load [--replace] FILE`: one transaction, and what is wrong with the file is one line per problem."""

    @click.command("load", help=f"Load {what} from a YAML or TOML file, all or nothing ({example}).")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--replace", is_flag=True, help=f"the file's {what} take the place of every saved one")
    def load(path: Path, replace: bool) -> None:
        s = services()
        try:
            with s.store.transaction() as session:
                n = load_file(session, path, now=s.clock.now(), replace=replace)
        except (files.FileError, tagging.RuleError, welcome.TemplateError) as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"loaded {n} {what}" + (" (the old ones are gone)" if replace else ""))

    return load


def _customer(services: Callable) -> click.Group:
    @click.group("customer")
    def group() -> None:
        """Look up customers."""

    @group.command("show")
    @click.argument("query")
    def show(query: str) -> None:
        """A customer's reps, tags, deals, open follow-ups and timeline (by id, name, corp or remark)."""
        s = services()
        tz = s.settings.timezone
        with s.store.transaction() as session:
            found = customers.search(session, query)
            if not found:
                raise click.ClickException(f"no customer matches {query!r}")
            if len(found) > 1:
                click.echo("several customers match; show one by id:")
                for c in found:
                    click.echo(f"  {c.external_userid}  {c.name}  {c.corp_name}")
                return
            c = found[0]
            click.echo(f"{c.name}  {c.corp_name}  {c.position}  ({c.external_userid})")
            for rel in customers.reps_of(session, c.external_userid):
                click.echo(f"  rep {rel.userid}: {rel.status}, channel {rel.state or '-'}, remark {rel.remark or '-'}")
            for tag in tags.of_customer(session, c.external_userid):
                pending = "" if tag.marked_at else ", pending"
                click.echo(f"  tag {tag.group_name}:{tag.tag_name} ({tag.rule or 'wecom'}{pending})")
            for deal in deals.of_customer(session, c.external_userid):
                amount = f" {format_amount(deal.amount)}" if deal.amount is not None else ""
                closed = f", closed {deal.closed_at.astimezone(tz):%Y-%m-%d}" if deal.closed_at else ""
                click.echo(
                    f"  deal #{deal.id} {deal.stage} {deal.status}{amount}{closed}"
                    f"{' AT RISK' if deal.at_risk else ''} ({deal.userid})"
                )
            for f in follow_ups.open_for(session, c.external_userid):
                click.echo(f"  follow-up due {f.due_at.astimezone(tz):%Y-%m-%d %H:%M} ({f.userid}): {f.note}")
            for entry in interactions.timeline(session, c.external_userid):
                click.echo(f"  {entry.at.astimezone(tz):%Y-%m-%d %H:%M} {entry.userid or ''} {entry.text}")

    return group
