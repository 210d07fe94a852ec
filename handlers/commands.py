"""Rep commands: what members type to the app. Every command replies through the outbox."""

from __future__ import annotations

from handlers import texts
from handlers.context import Context
from handlers.router import Command, Router
from scrm import members
from scrm.outbox import AppText

router = Router("commands")


def reply(cmd: Command, ctx: Context, text: str) -> None:
    """Answer the rep; keyed on the message so a replayed event never answers twice."""
    ctx.outbox.add(AppText(to=(cmd.userid,), text=text), key=f"reply:{cmd.event.msg_id or ctx.inbox_id}")


@router.guard
def require_member(cmd: Command, ctx: Context) -> bool:
    """Only members synced from WeCom may use the bot."""
    member = members.get(ctx.session, cmd.userid)
    if member is None or not member.active:
        reply(cmd, ctx, texts.NOT_A_MEMBER)
        return False
    return True


@router.command("帮助", "help", "?", "菜单", help="帮助")
def show_help(cmd: Command, ctx: Context) -> None:
    """The help text, built from the registered commands so it never goes stale."""
    reply(cmd, ctx, help_text(cmd))


@router.otherwise
def not_understood(cmd: Command, ctx: Context) -> None:
    reply(cmd, ctx, texts.NOT_UNDERSTOOD.format(text=cmd.text[:20]) + "\n" + help_text(cmd))


def help_text(cmd: Command) -> str:
    examples = [texts.HELP_LINE.format(example=spec.help) for spec in cmd.available if spec.name != "帮助"]
    lines = [texts.HELP_HEADER, *([texts.HELP_EXAMPLES, *examples] if examples else []), texts.HELP_FOOTER]
    return "\n".join(lines)
