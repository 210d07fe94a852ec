"""The lookup and question reader: whole-message commands (帮助, 待办, 业绩, 漏斗, a bare 2 choosing from a list),
questions read from the whole sentence (今天要跟谁, 这周业绩咋样, 你能干啥) and a customer's card (查 华为, 陈总现在
什么情况, 张总). Pure: no database, no WeCom.
"""

from __future__ import annotations

import re

from handlers.intents import Intent, Parsed
from handlers.parsing import names, plans, spans, vocab
from handlers.parsing.message import Message, item_number
from handlers.parsing.when import parse_when

_WHOLE = {word: Intent(intent) for intent, words in vocab.WHOLE_COMMANDS.items() for word in words}
_INDEX = r"(?:第\s*)?(?P<index>\d{1,2}|[一二两三四五六七八九十]{1,2})\s*(?:个|条|项|号)?"
_CHOICE = re.compile(rf"^(?:选|选择)?\s*{_INDEX}$")


def whole(msg: Message) -> Parsed | None:
    """帮助, 待办, 看看待办, 本周业绩, 漏斗 … as the whole message; small talk (你好) is understood as nothing."""
    core = msg.core
    bare = msg.lowered.rstrip("?!.。~… ") or msg.lowered  # 今天干嘛: 嘛 belongs to the word
    if bare in vocab.SMALL_TALK or core in vocab.SMALL_TALK:
        return Parsed(Intent.UNKNOWN, msg.text)
    intent = _WHOLE.get(bare) or _WHOLE.get(core) or _WHOLE.get(_shown(core))
    if intent is None:
        return _choice(msg)
    note = next((p for p in vocab.PERIODS if p in core), "") if intent is Intent.MY_NUMBERS else ""
    return Parsed(intent, msg.text, note=note)


def _shown(core: str) -> str:
    """看看待办 → 待办, 查一下我的业绩 → 业绩."""
    prefix = next((p for p in vocab.SHOW_ME if core.startswith(p)), None)
    return core[len(prefix) :].strip().removeprefix("我的") if prefix else ""


def _choice(msg: Message) -> Parsed | None:
    """2 / 选2 / 第二个: a numbered choice from the list just shown."""
    match = _CHOICE.match(msg.core)
    return Parsed(Intent.CHOOSE, msg.text, index=item_number(match.group("index"))) if match else None


# ── questions read from the whole sentence (今天要跟谁, 这周业绩咋样, 我排第几, 你能干啥) ──────────────────────
_HELP_Q = re.compile(
    r"你能(?:干|做|帮)|能(?:干|做)(?:啥|什么|嘛)|你(?:会|能)(?:些)?(?:啥|什么)|怎么用|咋用|如何使用|怎么操作"
    r"|(?:有|都有)(?:啥|什么|哪些)功能|使用说明|不会用|你是干(?:啥|什么)的|都会(?:啥|什么)|怎么(?:记|录|写|发)"
)
_NUMBERS_Q = re.compile(
    r"业绩|排名|排第几|第几名|排行|提成|佣金|奖金|kpi|战绩|成绩|完成率|完成了?多少|目标完成|卖了多少"
    r"|签了多少|成交了?多少|开了几单|几单|我的数据|数据怎么样|赚了多少|打了几个|跟了几个|跟进了?多少"
    r"|多少(?:个)?客户|几个客户|几个电话"
)
_TEAM_Q = re.compile(
    r"团队|全组|组里|我们组|下属|组员|手下|兄弟们|部门|(?:大家|大伙)(?:今天|的|.{0,3}(?:任务|情况|跟进|待办))"
)
_AGENDA_Q = re.compile(
    r"跟谁|跟哪|跟进谁|跟进哪|联系谁|找谁|拜访谁|见谁|打给谁|要跟(?:谁|哪|的|进的)|有(?:啥|什么|哪些)要"
    r"|任务|待办|代办|要做(?:啥|什么)|干啥|干嘛|做啥|做什么|忙啥|待跟进|日程|该跟|该联系|需要跟进?(?:谁|哪)"
    r"|(?:今天|今日|明天|这周|本周)的?(?:安排|计划)|(?:今天|今日)有(?:啥|什么|哪些|几个)|逾期|联系哪些"
    r"|哪些客户|没跟的|还有(?:啥|什么|哪些)"
)
_PERIOD_WORDS = (
    *(("今天", "今天"), ("今日", "今天"), ("这周", "本周"), ("本周", "本周"), ("这礼拜", "本周"), ("这星期", "本周")),
    *(("这个月", "本月"), ("这月", "本月"), ("本月", "本月"), ("这季度", "本季度"), ("本季度", "本季度")),
    *(("今年", "今年"), ("上周", "上周"), ("上个月", "上月"), ("上月", "上月"), ("去年", "去年")),
)
QUESTION_MAX = 24
SHORT_QUERY = 8  # 我今天的任务, 今天团队情况: short enough to be a query without a question word
_QUESTION_MARK = re.compile(r"[?吗么呢]|啥|什么|多少|几|怎|咋|如何|谁|哪|有没有")


def question(msg: Message) -> Parsed | None:
    """A short message that asks rather than tells, read from its words, not matched as a whole phrase."""
    core = msg.lowered
    if msg.mentions or len(core) > QUESTION_MAX or msg.commanded:
        return None
    if len(core) > SHORT_QUERY and not _QUESTION_MARK.search(core):
        return None  # 老板说这个月要冲业绩: a remark, not a question
    if _NUMBERS_Q.search(core):
        return Parsed(Intent.MY_NUMBERS, msg.text, note=next((p for w, p in _PERIOD_WORDS if w in core), ""))
    if _TEAM_Q.search(core):
        return Parsed(Intent.TEAM_AGENDA, msg.text)
    if _HELP_Q.search(core):
        return Parsed(Intent.HELP, msg.text)
    if _AGENDA_Q.search(core):
        return Parsed(Intent.AGENDA, msg.text)
    return None


# ── a customer's card ────────────────────────────────────────────────────────────────────────────────────────
_CARD_NOISE = re.compile(r"(?:的)?(?:资料|信息|情况|档案|详情|怎么样了?|最近怎么样)$")


def by_word(msg: Message) -> Parsed | None:
    """查 华为 / 客户 张总 / 看看刘工的资料: a lookup word at the front (客户说明天再联系 is none)."""
    if msg.command is None or msg.command[1] is not Intent.CARD:
        return None
    query = _CARD_NOISE.sub("", msg.text[len(msg.command[0]) :].strip(" ,:;")).strip(" ,:;")
    if not query or len(query) > 20 or parse_when(query, msg.now, msg.tz) is not None:
        return None
    return Parsed(Intent.CARD, msg.text, query)


def asking_about(msg: Message) -> Parsed | None:
    """张总怎么样了 / 华为的情况: a lookup, not a note about 张总."""
    core = msg.text.rstrip(vocab.TRAILING) or msg.text
    name = _CARD_NOISE.sub("", core).strip()
    return Parsed(Intent.CARD, msg.text, name) if name != core and names.looks_like_name(name) else None


def bare_name(msg: Message) -> Parsed | None:
    """张总: a name and nothing else."""
    core = msg.text.rstrip(vocab.TRAILING) or msg.text
    return Parsed(Intent.CARD, msg.text, core) if names.looks_like_name(core) else None


# ── a customer of the rep's named anywhere (陈总现在什么情况 / 华为那边) ──────────────────────────────────────────
_ASKING = re.compile(
    r"什么情况|啥情况|怎么样|咋样|进展|情况如何|怎样了|如何了|到哪一?步|跟到哪|什么阶段|哪个阶段|的资料"
    r"|的信息|的情况|的档案|的详情|最近.{0,4}[吗?]|[?吗]$|卡片|跟进记录|档案|详情|资料$"
)
_ASKING_END = re.compile(r"(?:到哪一?步了?|怎么样了?|咋样了?|什么情况|进展如何|怎样了)[?吗呢]?$")


def asked_named(msg: Message) -> Parsed | None:
    """陈总现在什么情况 / 华为到哪一步了: a question about the customer named, with no time in it."""
    if msg.subject is None:
        return None
    rest = msg.subject.rest
    asks = rest.rstrip(vocab.TRAILING + ",:;") + "?" if rest.rstrip().endswith(("?", "吗")) else rest
    if (
        _ASKING.search(asks)
        and (not plans.EVENT_MARK.search(rest) or _ASKING_END.search(rest))
        and not plans.times(rest, 0, msg.now, msg.tz)
    ):
        return Parsed(Intent.CARD, msg.text, msg.subject.name)
    return None


def named_alone(msg: Message) -> Parsed | None:
    """华为呢 / 华为。: the customer named, and nothing more."""
    subject = msg.subject
    if subject is None or subject.typed:
        return None
    found = plans.times(subject.rest, 0, msg.now, msg.tz)
    plan, _ = plans.plan_and_event(subject.rest, found, msg.now)
    plain = subject.rest
    for when in found:
        plain = spans.mask(plain, when)
    if plan is None and not spans.tidy(plain).strip(vocab.TRAILING + ",:;"):
        return Parsed(Intent.CARD, msg.text, subject.name)
    return None
