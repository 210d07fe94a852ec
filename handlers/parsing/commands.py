"""A rep's message → one Parsed command. Pure: no database, no WeCom; `now` and the rep's Book come in.

Tried in this order: a whole-message word (帮助, 待办, 业绩, 团队今天, a bare 2), a question read from the
whole sentence (今天要跟谁, 这周业绩咋样, 你能干啥), `X的客户`, a command word at the front (longest wins,
with or without a space), a name or number before the command word (华为签单了, 2 推迟到明天), one of the
rep's customers named anywhere (见了刘工…, 海康的单子黄了, 陈总现在什么情况), a name with a note
(张总 电话沟通了), a time (明天下午3点回访), a bare name (张总).

Of several times, the one attached to a plan (再约, 回访, 前发, 见面) is the next step; one describing what
happened (今天电话聊了, 昨天拜访了) dates the interaction instead (plans.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from handlers.parsing import clean, names, numerals, plans, spans, stages, texts, vocab
from handlers.parsing.amounts import Amount, parse_amount, whole_amount
from handlers.parsing.book import Book, Mention
from handlers.parsing.when import When, WhenError, parse_when


class Intent(StrEnum):
    FOLLOW_UP = "follow_up"
    NEXT_STEP = "next_step"
    AGENDA = "agenda"
    DONE = "done"
    POSTPONE = "postpone"
    STAGE = "stage"
    WON = "won"
    LOST = "lost"
    CARD = "card"
    MY_NUMBERS = "my_numbers"
    TEAM_AGENDA = "team_agenda"
    MEMBER_CUSTOMERS = "member_customers"
    SET_TARGET = "set_target"
    MEMBER_NUMBERS = "member_numbers"
    FUNNEL = "funnel"
    BOARD = "board"
    CHANNELS = "channels"
    TALENT = "talent"
    REOPEN = "reopen"
    HELP = "help"
    CHOOSE = "choose"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Parsed:
    """What a message asks for. Spans in `when` and `amount` index into `text` (the normalised message).

    `note` is the free text left after the command word and the customer: as typed for follow_up, won,
    lost and stage (time words kept); without the time words for next_step and postpone (a task title).
    For my_numbers it is the period asked about (本周, 本月, …) or "".
    """

    intent: Intent
    text: str
    customer: str | None = None
    note: str = ""
    channel: str = vocab.DEFAULT_CHANNEL
    when: When | WhenError | None = None
    amount: Amount | None = None
    index: int | None = None
    stage: str | None = None
    reason: str | None = None
    member: str | None = None  # for X的客户; None means the sender (我的客户)
    customer_ids: tuple[str, ...] = ()  # the rep's customers `customer` names, when the Book knows it
    happened: datetime | None = None  # when the logged interaction took place, if the rep said (昨天拜访了)
    amount_error: str | None = None  # what was typed where an amount should be (abc, -5万)
    reopen: bool = False  # 重新打开 / 又签了: a closed customer may be won or lost again

    @property
    def short(self) -> bool:
        """Few enough words to continue the last exchange (3天后, 周五前发方案) when it names nobody."""
        return len(self.note) <= SHORT_NOTE


SHORT_NOTE = 12
CUSTOMER_INTENTS = frozenset(("follow_up", "next_step", "stage", "won", "lost", "card", "reopen"))


def parse_command(text: str, now: datetime, tz: ZoneInfo, book: Book | None = None) -> Parsed:
    plans.read.cache_clear()  # readings are shared within one message only
    message = _AGREEING.sub("", _POLITE.sub("", clean.normalize(text)))
    laughed = _LAUGH.sub("", message)
    if not message or laughed.lower() in vocab.SMALL_TALK or not laughed:
        return Parsed(Intent.UNKNOWN, message)
    mentions = book.find(message) if book else []
    parsed = (
        _whole(message)
        or _set_target(message)
        or _member_customers(message)
        or _question(message, mentions)
        or _prefixed(message, now, tz)
        or _subject_first(message, now, tz)
        or _about(message, mentions, now, tz)
        or _asking_about(message)
        or _untagged(message, now, tz)
        or _bare_name(message)
        or _continued(message)
        or Parsed(Intent.UNKNOWN, message)
    )
    if parsed.intent in (Intent.DONE, Intent.POSTPONE) and parsed.index is None and mentions:
        parsed = _about(message, mentions, now, tz) or parsed  # 搞定！大疆下单了: no item number, a customer named
    if (
        parsed.intent in (Intent.FOLLOW_UP, Intent.NEXT_STEP, Intent.CARD)
        and not _command_word(message.lower())
        and (_DOUBT.search(message) or (parsed.intent is not Intent.CARD and _ASKS.search(message.rstrip(" !~。"))))
    ):
        return Parsed(Intent.UNKNOWN, message)  # a question is neither a log nor a plan
    if (
        parsed.intent is Intent.FOLLOW_UP
        and parsed.customer
        and _REOPEN_ONLY.fullmatch(parsed.note.replace(parsed.customer, "", 1).strip())
    ):
        parsed = Parsed(Intent.REOPEN, message, parsed.customer)  # 王芳重新打开 / 重新打开 王芳: no note
    return _with_customer(parsed, mentions)


_REOPEN_ONLY = re.compile(r"(?:把|那单|这单|的单子?|那边)?\s*(?:重新打开|重开)(?:了|一下|吧)?")


_PRONOUN_NOTE = re.compile(r"^(?:他|她|他们|对方|客户)(?:说|讲|表示|反馈|觉得|那边)")


def _continued(message: str) -> Parsed | None:
    """他说老板还没点头: a note about the customer just talked about (used only when it is short and recent)."""
    return Parsed(Intent.FOLLOW_UP, message, None, message) if _PRONOUN_NOTE.match(message) else None


_WHOLE = {word: Intent(intent) for intent, words in vocab.WHOLE_COMMANDS.items() for word in words}
_PREFIXES = sorted(
    [
        *((word, Intent(intent)) for intent, words in vocab.PREFIX_COMMANDS.items() for word in words),
        *((word, Intent.FOLLOW_UP) for word in vocab.CHANNEL_COMMANDS),
    ],
    key=lambda pair: -len(pair[0]),
)
_INDEX = r"(?:第\s*)?(?P<index>\d{1,2}|[一二两三四五六七八九十]{1,2})\s*(?:个|条|项|号)?"
_CHOICE = re.compile(rf"^(?:选|选择)?\s*{_INDEX}$")
# After 完成 / 推迟 any number is the item's (完成 99999999999999 gets "no item 99999999999999", not "which one?").
_ITEM = r"(?:第\s*)?(?P<index>\d{1,18}|[一二两三四五六七八九十百千万]{1,6})\s*(?:个|条|项|号)?"
# Not an item number when it goes on as a number (1,000 1.5 1e9 23:59 2026-12 一亿) or is a time (3天, 5点).
_NOT_AN_ITEM = r"(?![天周月小分点号年万千百亿块元\d零〇一二两三四五六七八九十]|[.,:\-−][\d]|[eE][-+]?\d)"
_LEADING_INDEX = re.compile(rf"^[\s:,]*{_ITEM}{_NOT_AN_ITEM}[\s,]*(?:到|至)?\s*")
_DELAY = re.compile(
    r"^[\s:,]*(?:\d{1,2}|[一二两三四五六七八九十半]{1,2})\s*(?:个?小时|天|周|个?星期|个?礼拜|个?月)(?![后以之内])"
)
_MEMBER = re.compile(
    r"^(?:查|查看|看看|查一下|看一下|看下|查询|把)?\s*(?P<member>[^\s的]{1,8}?)(?:的|跟的|手上的|手里的)"
    r"(?:所有|全部)?客户(?:列表|有哪些|呢|列一下|发我看看|给我看看)?$"
    r"|^(?P<member2>[^\s的]{1,8}?)(?:手上|手里)?都?有哪些客户$|^(?P<member3>[^\s的]{1,8}?)\s*客户列表$"
)
_SUBJECT = re.compile(
    r"^(?P<name>[^\s,:;]{1,12}?)\s*(?P<word>签单|成交|签约|拿下|赢单|丢单|输单|黄了|流失|丢了)了?"
    r"(?=$|[\s,:;!]|\d|[一二两三四五六七八九十])"
)
_SUBJECT_STAGE = re.compile(r"^(?P<name>[^\s,:;]{1,12}?)\s*(?:进入|推进到|推进|进到|转入)(?:了)?\s*(?P<stage>\S+)$")
_INDEX_FIRST = re.compile(
    rf"^(?:把)?\s*{_ITEM}\s*(?P<word>推迟|延后|改到|顺延|推到|挪到|延期|完成|搞定|done)了?\s*(?:到|至)?"
)
_CARD_NOISE = re.compile(r"(?:的)?(?:资料|信息|情况|档案|详情|怎么样了?|最近怎么样)$")
_CLAUSE_END = re.compile(r"[,;。!?]")
_POLITE = re.compile(r"^(?:请|麻烦|帮我|帮忙|给我|@\S*助手)\s*")
# Agreement before the real words (好 那就周四, 行，那就下周二): dropped when something follows it.
_AGREEING = re.compile(r"^(?:好的?|行|嗯+|ok|可以)[\s,]*(?:那就|那)[\s,]*|^(?:那就)\s*(?=\S)")
_LAUGH = re.compile(r"^(?:[哈呵嘿嘻]{2,}|hh+)[\s,!~]*", re.IGNORECASE)
# A question or an opinion about what to do is no log and no plan (周五要不要去拜访刘工？, 你觉得华为这单能成吗).
_DOUBT = re.compile(r"要不要|该不该|需不需要|能不能|可不可以|行不行|好不好|你觉得|你看|能成吗")
_ASKS = re.compile(r"[?吗么]$")
_SHORT_REST = 4  # a refused past time with more words than this around it was no next step (今天拜访了三家客户)


def _core(message: str) -> str:
    """The message for whole-word lookups: lower case, no trailing punctuation or particles (呢, 吗)."""
    return message.lower().rstrip(vocab.TRAILING) or message.lower()


def _whole(message: str) -> Parsed | None:
    core = _core(message)
    bare = message.lower().rstrip("?!.。~… ") or message.lower()  # 今天干嘛: 嘛 belongs to the word
    if bare in vocab.SMALL_TALK or core in vocab.SMALL_TALK:
        return Parsed(Intent.UNKNOWN, message)
    intent = _WHOLE.get(bare) or _WHOLE.get(core) or _WHOLE.get(_shown(core))
    if intent is None:
        return _choice(core, message)
    note = next((p for p in vocab.PERIODS if p in core), "") if intent is Intent.MY_NUMBERS else ""
    return Parsed(intent, message, note=note)


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
    ("今天", "今天"),
    ("今日", "今天"),
    ("这周", "本周"),
    ("本周", "本周"),
    ("这礼拜", "本周"),
    ("这星期", "本周"),
    ("这个月", "本月"),
    ("这月", "本月"),
    ("本月", "本月"),
    ("这季度", "本季度"),
    ("本季度", "本季度"),
    ("今年", "今年"),
    ("上周", "上周"),
    ("上个月", "上月"),
    ("上月", "上月"),
    ("去年", "去年"),
)
QUESTION_MAX = 24
SHORT_QUERY = 8  # 我今天的任务, 今天团队情况: short enough to be a query without a question word
_QUESTION_MARK = re.compile(r"[?吗么呢]|啥|什么|多少|几|怎|咋|如何|谁|哪|有没有")


def _question(message: str, mentions: list[Mention]) -> Parsed | None:
    """A short message that asks rather than tells, read from its words, not matched as a whole phrase."""
    core = message.lower()
    if mentions or len(core) > QUESTION_MAX or _command_word(core):
        return None
    if len(core) > SHORT_QUERY and not _QUESTION_MARK.search(core):
        return None  # 老板说这个月要冲业绩: a remark, not a question
    if _NUMBERS_Q.search(core):
        return Parsed(Intent.MY_NUMBERS, message, note=next((p for w, p in _PERIOD_WORDS if w in core), ""))
    if _TEAM_Q.search(core):
        return Parsed(Intent.TEAM_AGENDA, message)
    if _HELP_Q.search(core):
        return Parsed(Intent.HELP, message)
    if _AGENDA_Q.search(core):
        return Parsed(Intent.AGENDA, message)
    return None


def _command_word(lowered: str) -> bool:
    return any(lowered.startswith(word) for word, _ in _PREFIXES) or bool(_INDEX_FIRST.match(lowered))


def _shown(core: str) -> str:
    """看看待办 → 待办, 查一下我的业绩 → 业绩."""
    prefix = next((p for p in vocab.SHOW_ME if core.startswith(p)), None)
    return core[len(prefix) :].strip().removeprefix("我的") if prefix else ""


def _choice(core: str, message: str) -> Parsed | None:
    match = _CHOICE.match(core)
    return Parsed(Intent.CHOOSE, message, index=_index(match.group("index"))) if match else None


_TARGET = re.compile(r"^(?:设置?|定|设定)?(?:个)?目标[\s:]*(?P<rest>.+)$")
# The period as typed, whole: a day or weekday glued to it (12月32日, 下周二) is kept, to be refused as no period.
_TARGET_PERIOD = re.compile(
    r"\d{1,9}-\d{1,3}-\d{1,3}|\d{1,9}-[wWqQ]?\d{1,3}(?!\d)"
    r"|(?:\d{1,9}年)?(?:\d{1,3}月份?|本月|这个月|下个?月)(?:\d{1,3}[日号])?|\d{1,9}年(?!\d)"
    r"|(?:本周|这周|下周)(?:[一二三四五六日天1-7](?![万千百亿]))?|本季度"
    r"|第?(?:\d{1,3}|[一二两三四五六七八九十])季度"
)
# The characters of one typed number around an amount: its sign (-50万, 负50万), an exponent (1e309), stray letters.
_NUMBER_LEFT = re.compile(r"[0-9A-Za-z.,+\-−负¥$]*$")
_NUMBER_RIGHT = re.compile(r"^[0-9A-Za-z.,+\-万千百亿元块]*")
_DIGIT = re.compile(r"\d")


def _typed_number(region: str) -> tuple[int, int] | None:
    """Where the amount was typed: around the amount read (with its sign, exponent, stray characters), else the
    word holding the first digit (0, 5O万, 99999999999999); None when no number was typed at all."""
    found = parse_amount(region, bare_numbers=True)
    if found is not None:
        start, end = found.span
    elif (digit := _DIGIT.search(region)) is not None:
        start, end = digit.start(), digit.start() + len(re.match(r"\S+", region[digit.start() :]).group())
    else:
        return None
    return start - len(_NUMBER_LEFT.search(region[:start]).group()), end + len(
        _NUMBER_RIGHT.match(region[end:]).group()
    )


def _set_target(message: str) -> Parsed | None:
    """目标 张三 12月 50万 (a manager sets a rep's, or 目标 团队 本月 200万 the team's): who, when, how much.

    The amount is read as the whole number typed (-50万, 负50万, 1e309, 99999999万), so a bad one is refused
    by name (amount_error, or a value the store refuses) and never left in the name (张三 -)."""
    match = _TARGET.match(message)
    if match is None:
        return None
    rest, base = match.group("rest"), match.start("rest")
    period = _TARGET_PERIOD.search(rest)
    if period is None:
        start, region = 0, rest
    elif rest[period.end() :].strip():
        start, region = period.end(), rest[period.end() :]
    else:
        start, region = 0, rest[: period.start()]
    amount, amount_error, span = None, None, (0, 0)
    if (typed := _typed_number(region)) is not None:
        left, right = typed
        value = whole_amount(region[left:right])
        if value is None:
            amount_error = region[left:right]
        else:
            amount = Amount((base + start + left, base + start + right), value, region[left:right])
        span = (start + left, start + right)
    who = rest[: span[0]] + " " + rest[span[1] :]
    if period is not None:
        who = who.replace(period.group(), " ", 1)
    return Parsed(
        Intent.SET_TARGET,
        message,
        member=" ".join(who.split()).strip(" ,:的") or None,
        note=period.group() if period else "",
        amount=amount,
        amount_error=amount_error,
    )


# A period named before 的 (张三本季度的业绩, 张三9999-12的业绩) is the period asked, whether we keep figures by it
# or not.
_ASKED_PERIOD = (
    r"今天|今日|本周|这周|上周|本月|这个?月|上个?月|本季度|这季度|今年|去年|前年|明年|下个?月|下周|[上下]季度"
    r"|第?(?:\d{1,3}|[一二两三四五六七八九十])季度|\d[\d\-年月周季度WwQq]{0,12}"
)
_MEMBER_NUMBERS = re.compile(
    rf"^(?:查|查看|看看|查一下|看一下|看下)?\s*(?P<member>[^\s的]{{1,8}}?)\s*(?P<asked>{_ASKED_PERIOD})?的"
    r"(?P<period>本周|这周|本月|这个月|今天|本季度)?(?:业绩|数据|战绩|成绩|排名)$"
)


def _member_customers(message: str) -> Parsed | None:
    """张三的客户 (a manager looks at a rep's customers), 张三的业绩 / 张三本周的业绩 (at their numbers)."""
    numbers = _MEMBER_NUMBERS.match(_core(message))
    if numbers is not None:
        member, period = numbers.group("member"), numbers.group("period") or numbers.group("asked") or ""
        if re.fullmatch(_ASKED_PERIOD, whole := member + (numbers.group("asked") or "")):
            return Parsed(Intent.MY_NUMBERS, message, note=whole)  # 本月的业绩, 12月的业绩: the asker's own
        if member in ("我", "自己", "我自己", "团队", "全组", "我们组", "大家"):
            return Parsed(Intent.MY_NUMBERS, message, note=period)
        return Parsed(Intent.MEMBER_NUMBERS, message, member=member, note=period)
    match = _MEMBER.match(_core(message))
    if match is None:
        return None
    member = match.group("member") or match.group("member2") or match.group("member3")
    return Parsed(Intent.MEMBER_CUSTOMERS, message, member=None if member in ("我", "自己", "我自己") else member)


def _prefixed(message: str, now: datetime, tz: ZoneInfo) -> Parsed | None:
    lowered = message.lower()
    word, intent = next(((w, i) for w, i in _PREFIXES if lowered.startswith(w)), ("", None))
    if intent is None or (word in vocab.NEEDS_SEPARATOR and lowered[len(word) :][:1] not in ("", " ", ":", ",")):
        return None
    offset = len(word)
    if intent is Intent.FOLLOW_UP:
        return _follow_up(message, offset, now, tz, vocab.CHANNEL_COMMANDS.get(word))
    if intent in (Intent.DONE, Intent.POSTPONE):
        return _task(message, offset, intent, now, tz)
    handler = {Intent.STAGE: _stage, Intent.WON: _won, Intent.LOST: _lost, Intent.CARD: _card}[intent]
    return handler(message, offset, now, tz)


def _follow_up(
    message: str, offset: int, now: datetime, tz: ZoneInfo, channel: str | None = None, customer: str | None = None
) -> Parsed:
    found = plans.times(message, offset, now, tz)
    if customer is None:  # else the caller found it already
        customer, offset = _customer(message, offset, found[0] if found else None)
    plan, happened = plans.plan_and_event(message, found, now)
    note = message[offset:].strip(" ,:;")
    return Parsed(
        Intent.FOLLOW_UP, message, customer, note, channel or _channel(message, offset, plan), plan, happened=happened
    )


def _task(message: str, offset: int, intent: Intent, now: datetime, tz: ZoneInfo, index: int | None = None) -> Parsed:
    """完成 2 / 推迟 2 明天: the index comes first, so its digit is never read as a time."""
    rest = message[offset:]
    if index is None and (match := _LEADING_INDEX.match(rest)):
        index, offset = _index(match.group("index")), offset + match.end()
    when: When | WhenError | None = None
    if intent is Intent.POSTPONE:
        if index is None and _DELAY.match(rest):  # 推迟两天: relative to a due time we do not know here
            span = (offset, offset + _DELAY.match(rest).end())  # type: ignore[union-attr]
            words = message[span[0] : span[1]].strip()
            when = WhenError(span, "unknown", texts.POSTPONE_BY.format(text=words), words)
        else:
            when = spans.shift(parse_when(message[offset:], now, tz), offset)
    note = re.sub(r"^(?:到|至)", "", spans.tidy(spans.without(message, offset, when))).strip(" ,:;")
    return Parsed(intent, message, note=note, when=when, index=index)


def _stage(message: str, offset: int, now: datetime, tz: ZoneInfo, customer: str | None = None) -> Parsed:
    rest = message[offset:].strip(" ,:;")
    rest = re.sub(r"(?:阶段|环节)?了?$", "", rest)
    words = stages.stage_words()
    stage = next((w for w in words if rest.endswith(w)), None)
    if stage is not None:
        head = re.sub(r"(?:到|至|进入|推进到|->|→|>|=)\s*$", "", rest[: len(rest) - len(stage)].strip())
        return Parsed(Intent.STAGE, message, customer or (head.strip(" ,:;") or None), stage=stage)
    first = next((w for w in words if rest.startswith(w + " ")), None)
    if first is not None:  # 进入 报价 张总
        return Parsed(Intent.STAGE, message, customer or rest[len(first) :].strip() or None, stage=first)
    if customer is None and " " in rest:
        customer, _, stage = rest.rpartition(" ")
        return Parsed(Intent.STAGE, message, customer.strip() or None, stage=stage.strip() or None)
    if customer is None:
        customer, start = names.split_customer(rest)
        rest = rest[start:]
    stage = re.sub(r"^(?:到|至|->|→)", "", rest).strip()
    return Parsed(Intent.STAGE, message, customer, stage=stage or None)


def _won(message: str, offset: int, now: datetime, tz: ZoneInfo, customer: str | None = None) -> Parsed:
    found = plans.times(message, offset, now, tz)
    masked = message
    for when in found:
        masked = spans.mask(masked, when)
    lead = len(masked[offset:]) - len(masked[offset:].lstrip(" ,:;"))  # 签了，8万: the comma is no digit grouping
    amount = spans.shift(parse_amount(masked[offset + lead :], bare_numbers=True), offset + lead)
    if customer is None:
        customer, offset = _customer(message, offset, found[0] if found else None, amount)
    if customer is None and amount is not None and not message[offset : amount.span[0]].strip():
        customer, _ = names.split_customer(message[amount.span[1] :])  # 成交 5万 张总
    note = spans.tidy(spans.without(message, offset, amount))
    if customer and note.startswith(customer):
        note = note[len(customer) :].strip(" ,:;")
    plan, _ = plans.plan_and_event(message, found, now)
    return Parsed(
        Intent.WON,
        message,
        customer,
        note,
        when=None if plan is None or plans.is_past(plan) else plan,
        amount=amount,
        amount_error=_bad_amount(message, amount, note),
        reopen=bool(_REOPEN.search(message)),
    )


MAX_AMOUNT = 10**10  # 100亿 for one deal: far past any real one (the store would keep up to 1万亿)
MIN_AMOUNT = 1  # a fraction of a yuan is no deal (and 0.001元 would be stored as 0)
_REOPEN = re.compile(r"重新打开|重开|又签了|又签|再次成交|新的一单|又成交|又下单|复购|二次|加单|续约|续签|续费|追加")
_NOT_AN_AMOUNT = re.compile(r"[-−负]?\s*[A-Za-z0-9.,?*]+\s*[万千百元块]?")
_EXPONENT = re.compile(r"(?<![A-Za-z\d.])[-−]?\d+(?:\.\d+)?[eE][-+]?\d+")  # 1e5, 1e309: never read as 5 or 309


def _bad_amount(message: str, amount: Amount | None, note: str) -> str | None:
    """What the rep typed where an amount belongs, when it is none: -5万, abc, xx万, 0元, 1e309, 99999999999万."""
    if amount is not None:
        if message[: amount.span[0]].rstrip().endswith(("-", "−", "负")):
            return "-" + amount.text
        return amount.text if not MIN_AMOUNT <= amount.value <= MAX_AMOUNT else None
    if note and _NOT_AN_AMOUNT.fullmatch(note):
        return note
    exponent = _EXPONENT.search(note)
    return exponent.group() if exponent else None


def _lost(message: str, offset: int, now: datetime, tz: ZoneInfo, customer: str | None = None) -> Parsed:
    amount = spans.shift(parse_amount(message[offset:]), offset)
    if customer is None:
        customer, offset = _customer(message, offset, None, amount)
    reason = spans.tidy(message[offset:])  # amounts stay in the words: 对方报价低了2万
    return Parsed(Intent.LOST, message, customer, reason, amount=amount, reason=reason or None)


def _card(message: str, offset: int, now: datetime, tz: ZoneInfo) -> Parsed | None:
    query = _CARD_NOISE.sub("", message[offset:].strip(" ,:;")).strip(" ,:;")
    if not query or len(query) > 20 or parse_when(query, now, tz) is not None:
        return None  # 客户说明天再联系 is no lookup
    return Parsed(Intent.CARD, message, query)


def _subject_first(message: str, now: datetime, tz: ZoneInfo) -> Parsed | None:
    """华为签单了 12万 / 张总丢单了 预算砍了 / 张总 进入报价阶段 / 2 推迟到明天 / 第二个完成了."""
    if match := _INDEX_FIRST.match(message):
        intent = Intent.POSTPONE if match.group("word") not in ("完成", "搞定", "done") else Intent.DONE
        return _task(message, match.end(), intent, now, tz, _index(match.group("index")))
    if (match := _SUBJECT.match(message)) and _is_name(match.group("name")):
        lost = match.group("word") in ("丢单", "输单", "黄了", "流失", "丢了")
        handler = _lost if lost else _won
        return handler(message, match.end(), now, tz, customer=match.group("name"))
    stage = _SUBJECT_STAGE.match(message)
    if stage and _is_name(stage.group("name")) and stages.match_stage(stage.group("stage")):  # not 王总推进很慢
        return _stage(message, stage.start("stage"), now, tz, customer=stage.group("name"))
    return None


def _untagged(message: str, now: datetime, tz: ZoneInfo) -> Parsed | None:
    """No command word. 张总 电话沟通了报价 is a follow-up; 张总 明天下午3点回访 and 明天下午3点回访 are next steps."""
    found = plans.times(message, 0, now, tz)
    first = found[0] if found else None
    customer, offset = _customer(message, 0, first)
    if customer is not None and not _is_name(customer, strict=True):
        customer, offset = None, 0
    has_note = customer is not None and bool(message[offset:].strip(vocab.TRAILING + ",:;"))
    if has_note and (first is None or message[offset : first.span[0]].strip(" ,:;")):
        return _follow_up(message, offset, now, tz, customer=customer)
    if first is None:
        return None
    plan, happened = plans.plan_and_event(message, found, now)
    if happened is not None and customer is not None:
        return _follow_up(message, offset, now, tz, customer=customer)
    plan = plan or first  # a past time alone (昨天下午) is refused as a next step, never dropped
    note = _task_words(message, offset, plan)
    if plans.is_past(plan) and len(note) > _SHORT_REST:
        return None
    if (
        customer is None
        and len(note) > _SHORT_REST
        and plans.role(message, plan, found) == "neutral"
        and not _PLAN_WORDS.search(plans.clause(message, plan, found))
    ):
        return None  # 今天天气不错，适合拜访客户: a time word in a long remark is no plan
    if (
        customer is None
        and note
        and (isinstance(plan, When) or plans.is_past(plan))
        and (message.rstrip().endswith(("?", "吗", "呢")) or not _PLAN_WORDS.search(note))
    ):
        return None  # 今天好累啊, 明天下午开会吗: no plan to schedule
    return Parsed(Intent.NEXT_STEP, message, customer, note, when=plan)


_PLAN_WORDS = re.compile(
    r"再|回访|复访|联系|见|拜访|上门|发|出|给|签|开会|过去|去|来|定|拍板|答复|回复|交|付|打|电话|沟通|约"
    r"|演示|汇报|确认|提交|安装|培训|跟进|跟|聊|谈|看|催|送|报价|方案|合同|提醒"
)


def _task_words(message: str, offset: int, when: When | WhenError) -> str:
    """What a next step is about: the words without its time and the planning words (约了, 再)."""
    return re.sub(r"^(?:约了|约好了?)", "", spans.tidy(spans.without(message, offset, when))).strip(" ,:;")


# ── a customer of the rep's named anywhere: read what the sentence does with them ────────────────────────────
_LOST_WORDS = re.compile(
    r"(?<!差点)(?<!竞品那边)(?<!对手)(?:丢单|丢了|黄了|输单|输了|没戏了?|流失了?|飞了|被抢了?|被截胡|放弃了|不做了|没签成|没成|选了别家"
    r"|跟别人签了?|签了别家|用了别家|取消了|不买了|不要了|不考虑了|凉了|没下文了)(?!吗|半截|一半)"
)
_WON_WORDS = re.compile(
    r"(?:签了|签单了?|签约了|签下了?|签合同了|合同签了|成交了?|拿下了?|中标了?|赢单了?|赢了|下单了|打款了"
    r"|付款了|回款了|签啦|搞定了|单子?成了|那单成了)"
    r"(?![^,;。!?]{0,3}(?:保密协议|意向书|框架|协议|nda|字|备忘录|吗))"
)
_NOT_YET = ("没", "未", "要", "快", "准备", "争取", "打算", "计划", "希望", "预计", "可能", "应该", "能不能", "还")
_ASKING = re.compile(
    r"什么情况|啥情况|怎么样|咋样|进展|情况如何|怎样了|如何了|到哪一?步|跟到哪|什么阶段|哪个阶段|的资料"
    r"|的信息|的情况|的档案|的详情|最近.{0,4}[吗?]|[?吗]$|卡片|跟进记录|档案|详情|资料$"
)
_ASKING_END = re.compile(r"(?:到哪一?步了?|怎么样了?|咋样了?|什么情况|进展如何|怎样了)[?吗呢]?$")


def _about(message: str, mentions: list[Mention], now: datetime, tz: ZoneInfo) -> Parsed | None:
    """见了刘工，现场看了产线 / 邓总那单丢了，预算砍了 / 蔚来签了，合同8万 / 刘工那边到报价阶段了 / 陈总现在什么情况.

    A name the Book does not know (比亚迪的单子丢了) is read the same way for deals, stages and lookups, so the
    reply says it was not found instead of guessing; anything else about it goes to the older paths."""
    subject = _subject(mentions)
    typed = subject is None
    if typed:
        name, _ = names.split_customer(message)
        if (
            not name
            or not _is_name(name, strict=True)
            or name.lower() in vocab.SMALL_TALK
            or any(w.span[0] < len(name) for w in plans.read(message, now, tz))
        ):
            return None
        at = message.find(name)
        subject = Mention((at, at + len(name)), name, ())
    if _NOT_HANDLED.search(message):
        return Parsed(Intent.UNKNOWN, message)
    start, end = subject.span
    rest = message
    for mention in [subject, *mentions]:
        rest = rest[: mention.span[0]] + " " * (mention.span[1] - mention.span[0]) + rest[mention.span[1] :]
    name = subject.text
    if (lost := _LOST_WORDS.search(rest)) and not _negated(rest, lost.start()):
        amount = parse_amount(rest)
        reason = spans.tidy(re.sub(r"^[了啦,;。!]+", "", rest[lost.end() :])) or _reason_in(lost.group())
        return Parsed(
            Intent.LOST,
            message,
            name,
            reason or "",
            amount=amount,
            reason=reason or None,
            reopen=bool(_REOPEN.search(message)),
        )
    if (won := _WON_WORDS.search(rest)) and not _negated(rest, won.start()):
        return replace(_won(rest, 0, now, tz, customer=name), text=message)
    if stage := _stage_move(rest):
        return Parsed(Intent.STAGE, message, name, stage=stage)
    found = plans.times(rest, 0, now, tz)
    if (
        _ASKING.search(rest.rstrip(vocab.TRAILING + ",:;") + "?" if rest.rstrip().endswith(("?", "吗")) else rest)
        and (not plans.EVENT_MARK.search(rest) or _ASKING_END.search(rest))
        and not found
    ):
        return Parsed(Intent.CARD, message, name)
    plan, happened = plans.plan_and_event(rest, found, now)
    if typed and (plan is None or happened):
        return None
    plain = rest
    for when in found:
        plain = spans.mask(plain, when)
    outside = _FILLER.sub("", _REMIND.sub("", _outside(plain, plan, message).strip()) if plan else plain)
    if plan is not None and not happened and not outside.strip(" ,:;。!?"):
        return Parsed(Intent.NEXT_STEP, message, name, _task_words(rest, 0, plan), when=plan)
    if not spans.tidy(plain).strip(vocab.TRAILING + ",:;") and plan is None:
        return Parsed(Intent.CARD, message, name)  # the name alone, with filler: 华为那边
    note = spans.tidy(message[end:] if start == 0 else message).strip(",:;")
    return Parsed(Intent.FOLLOW_UP, message, name, note, _channel(rest, 0, plan), plan, happened=happened)


_NOT_HANDLED = re.compile(r"^把.{1,12}(?:删|改名|转给|移交)")  # 把华为删了: not something the bot does; never a note
_REMIND = re.compile(r"^(?:提醒我|提醒一下|记得|帮我记着)")
_FILLER = re.compile(
    r"@|那边|这边|那个|这个|那家|的|约了|约好了?|约|跟|和|给|他们|他|她|客户|那|说|让|就|先|一下|吧|呢|啊|了"
)


def _outside(plain: str, plan: When | WhenError, message: str) -> str:
    """The words outside the plan's clause (what may say something happened)."""
    end = plans.CLAUSE.search(plain, plan.span[1])
    return plain[: plan.span[0]] + plain[end.start() if end else len(plain) :]


def _reason_in(words: str) -> str | None:
    """取消了 / 不买了 say why by themselves; 丢了 / 黄了 do not."""
    return words.removesuffix("了") if words.startswith(("取消", "不", "选了", "用了", "签了别家", "跟别人")) else None


def _negated(text: str, at: int) -> bool:
    return text[max(0, at - 4) : at].endswith(_NOT_YET)


def _stage_move(rest: str) -> str | None:
    """到报价阶段了 / 进入谈判 / 阶段改成需求确认 / 需求确认了: an open stage named as where the customer is now."""
    words = "|".join(w for w in stages.stage_words() if stages.match_stage(w) not in stages.DEFAULT_STAGES[-2:])
    full = "|".join(stages.DEFAULT_STAGES[:-2])
    match = re.search(
        rf"(?:(?<![看收拿得想要听见])到了?|进入了?|推进到|进到|转入|推到|退回到?|回到|阶段改[成为]|阶段|改[成为]|在)\s*[:：]?\s*(?P<a>{words})"
        rf"|(?P<b>{words})\s*(?:阶段|环节)|(?P<c>{full})了",
        rest,
    )
    word = match and (match.group("a") or match.group("b") or match.group("c"))
    return stages.match_stage(word) if word else None


def _subject(mentions: list[Mention]) -> Mention | None:
    """Who the message is about: the first mention, narrowed by the others (王总 … 格力 → the 王总 at 格力)."""
    if not mentions:
        return None
    first = mentions[0]
    narrowed = [i for i in first.ids if all(i in m.ids for m in mentions[1:])]
    if narrowed:
        return replace(first, ids=tuple(narrowed))
    named = tuple(dict.fromkeys(i for m in mentions for i in m.ids))  # 华为签了，海康丢了: two customers, ask
    return replace(first, ids=named)


# ── who the command is about ─────────────────────────────────────────────────────────────────────────────────
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵钱严覃武戴莫孔汤温康施牛樊葛"
    "邢齐乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞柳祝舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝游辛靳柴蒙鲍"
    "华喻祁蒲房滕屈饶牟艾尤穆卓吉缪芦麦褚娄窦戚岑景党宫费卜冷晏席柏宗瞿桂佟臧闵苟邬卞姬仇栾隋刁沙荣巫寇"
    "桑郎甄丛仲虞敖巩佘池迟邝"
)
_TITLES = "总经理|总监|总|经理|工|老师|老板|主任|处长|局长|院长|博士|律师|董"
_NOT_NAMES = (
    "项目",
    "客户",
    "产品",
    "部门",
    "销售",
    "区域",
    "采购",
    "技术",
    "财务",
    "市场",
    "大区",
    "人事",
    "行政",
    "总经",
)
_STRANGER = re.compile(
    rf"(?P<nick>(?<![\u4e00-\u9fff])[老小][{_SURNAMES}](?![\u4e00-\u9fff]{{2}}))"
    rf"|(?P<titled>[{_SURNAMES}][\u4e00-\u9fff]?(?:{_TITLES}))"
    rf"|(?:约了|见了|拜访了?|跟进了?|和|跟|找了?|联系了?|打给|约|给)(?P<bare>[{_SURNAMES}][\u4e00-\u9fff]{{1,2}}?)"
    r"(?=[下这明后今昨周月号点,;。 ]|$|说|聊|见|谈|吃|沟通|电话|那|的)"
)


def _stranger(message: str) -> str | None:
    """A person the rep names who is not among their customers: 约了刘洋下周三见面 → 刘洋 (never someone else)."""
    for match in _STRANGER.finditer(message):
        name = match.group("nick") or match.group("titled") or match.group("bare")
        if not name.startswith(_NOT_NAMES):
            return name
    return None


# What a typed name may hold besides a known alias (了张总, 张总那边); 北京大学 holds 北京 but is someone else.
_AROUND_A_NAME = frozenset(("", "了", "的", "和", "跟", "给", "与", "见", "约", "那边", "这边", "那", "这"))


def _with_customer(parsed: Parsed, mentions: list[Mention]) -> Parsed:
    """Tie the command to the rep's customers the message names; a name the Book does not know stays as typed,
    so the caller says it was not found rather than write to anyone else."""
    if parsed.intent not in CUSTOMER_INTENTS:
        return parsed
    if parsed.customer:
        typed = parsed.customer.lower()
        inside = [m for m in mentions if m.text.lower() in typed]
        rest = typed
        for m in inside:
            rest = rest.replace(m.text.lower(), "", 1)
        overlapping = [m for m in mentions if typed in m.text.lower()] or (inside if rest in _AROUND_A_NAME else [])
        chosen = _subject([*overlapping, *(m for m in mentions if m not in overlapping)]) if overlapping else None
    else:
        chosen = _subject(mentions)
        if chosen is None and (stranger := _stranger(parsed.text)):
            return replace(parsed, customer=stranger)
    return replace(parsed, customer=chosen.text, customer_ids=chosen.ids) if chosen else parsed


def _asking_about(message: str) -> Parsed | None:
    """张总怎么样了 / 华为的情况: a lookup, not a note about 张总."""
    core = message.rstrip(vocab.TRAILING) or message
    name = _CARD_NOISE.sub("", core).strip()
    return Parsed(Intent.CARD, message, name) if name != core and names.looks_like_name(name) else None


def _bare_name(message: str) -> Parsed | None:
    core = message.rstrip(vocab.TRAILING) or message
    return Parsed(Intent.CARD, message, core) if names.looks_like_name(core) else None


def _customer(
    message: str, offset: int, when: When | WhenError | None, amount: Amount | None = None
) -> tuple[str | None, int]:
    stops = [x.span[0] - offset for x in (when, amount) if x is not None and x.span[0] >= offset]
    customer, start = names.split_customer(message[offset:], min(stops) if stops else None)
    return customer, offset + start


def _is_name(word: str, strict: bool = False) -> bool:
    """strict: a name that carries an honorific or company suffix, or a short CJK name typed on its own."""
    if strict:
        return names.looks_like_name(word) and not word.startswith(vocab.NOT_A_NAME)
    return names.split_customer(word)[0] == word


def _channel(message: str, offset: int, when: When | WhenError | None) -> str:
    ignore = None
    if isinstance(when, When):
        end = _CLAUSE_END.search(message, when.span[1])
        ignore = (when.span[0] - offset, (end.start() if end else len(message)) - offset)
    return names.channel_of(message[offset:], ignore) or vocab.DEFAULT_CHANNEL


def _index(word: str) -> int | None:
    return int(word) if word.isdigit() else numerals.to_int(word)
