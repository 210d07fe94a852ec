"""The routing table, whole: WeCom's events to their families' handlers, and members' messages to the commands,
each with the roles that may run it (scrm/roles.py), its help line (an example as typed) and its handler.

Adding a command is one line here, its handler, and its texts; the router refuses a kind no parser produces, and
the command table runs a command only for the roles it names (refusing the others in one place).
"""

from handlers import cards, chats, commands, contacts, directory, followups, numbers, pipeline, tags, targets, team
from handlers.commands import CommandSpec, CommandTable
from handlers.events import Kind
from handlers.parsing.commands import Intent
from handlers.router import Router
from scrm.roles import MANAGERS, MEMBERS

COMMANDS = CommandTable(
    CommandSpec(
        Intent.FOLLOW_UP, MEMBERS, "跟进 张总 电话沟通了报价，客户嫌贵 明天下午3点回访", followups.log_follow_up
    ),
    CommandSpec(Intent.NEXT_STEP, MEMBERS, "明天下午3点回访（接着上一位客户）", followups.set_next_step),
    CommandSpec(Intent.AGENDA, MEMBERS, "待办（今天跟进谁）", followups.show_agenda),
    CommandSpec(Intent.DONE, MEMBERS, "完成 1", followups.mark_done),
    CommandSpec(Intent.POSTPONE, MEMBERS, "推迟 2 明天上午", followups.postpone),
    CommandSpec(Intent.STAGE, MEMBERS, "阶段 张总 报价", pipeline.move_stage),
    CommandSpec(Intent.WON, MEMBERS, "成交 张总 5万", pipeline.record_won),
    CommandSpec(Intent.LOST, MEMBERS, "丢单 张总 预算取消", pipeline.record_lost),
    CommandSpec(Intent.REOPEN, MEMBERS, "重新打开 张总（成交或丢单后）", pipeline.reopen_deal),
    CommandSpec(Intent.CARD, MEMBERS, "查 华为", cards.show_card),
    CommandSpec(Intent.MY_NUMBERS, MEMBERS, "业绩（本周 / 本月）", numbers.show_numbers),
    CommandSpec(Intent.FUNNEL, MEMBERS, "漏斗", team.show_funnel),
    CommandSpec(Intent.BOARD, MEMBERS, "排行", team.show_board),
    CommandSpec(Intent.MEMBER_CUSTOMERS, MEMBERS, "张三的客户（主管）", team.show_member_customers),
    CommandSpec(Intent.MEMBER_NUMBERS, MANAGERS, "张三的业绩（主管）", numbers.show_member_numbers),
    CommandSpec(Intent.TEAM_AGENDA, MANAGERS, "团队今天（主管）", team.show_team_agenda),
    CommandSpec(Intent.CHANNELS, MANAGERS, "渠道（主管）", team.show_channels),
    CommandSpec(Intent.TALENT, MANAGERS, "人才盘点（主管）", team.show_talent),
    CommandSpec(Intent.SET_TARGET, MANAGERS, "目标 张三 12月 50万（主管）", targets.set_target),
    CommandSpec(Intent.HELP, MEMBERS, "帮助", commands.show_help),
    CommandSpec(Intent.CHOOSE, MEMBERS, "", commands.choose),
    CommandSpec(Intent.UNKNOWN, MEMBERS, "", commands.not_understood),
)


def build_router() -> Router:
    messages = Router("messages")
    messages.on(Kind.TEXT)(COMMANDS.dispatch)
    return Router.root(contacts.router, chats.router, tags.router, directory.router, messages)
