"""A rep's message → one Parsed command. Pure: no database, no WeCom; `now` comes in.

Tried in this order: a whole-message word (帮助, 待办, 业绩, 团队今天, a bare 2), `X的客户`, a command
word at the front (longest wins, with or without a space), a name or number before the command word
(华为签单了, 2 推迟到明天), a name with a note (张总 电话沟通了), a time (明天下午3点回访), a bare name (张总).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from handlers.parsing import clean, names, numerals, spans, stages, texts, vocab
from handlers.parsing.amounts import Amount, parse_amount
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


def parse_command(text: str, now: datetime, tz: ZoneInfo) -> Parsed:
    message = _POLITE.sub("", clean.normalize(text))
    if not message:
        return Parsed(Intent.UNKNOWN, message)
    return (_whole(message) or _member_customers(message) or _prefixed(message, now, tz)
            or _subject_first(message, now, tz) or _asking_about(message) or _untagged(message, now, tz)
            or _bare_name(message) or Parsed(Intent.UNKNOWN, message))


_WHOLE = {word: Intent(intent) for intent, words in vocab.WHOLE_COMMANDS.items() for word in words}
_PREFIXES = sorted([*((word, Intent(intent)) for intent, words in vocab.PREFIX_COMMANDS.items() for word in words),
                    *((word, Intent.FOLLOW_UP) for word in vocab.CHANNEL_COMMANDS)], key=lambda pair: -len(pair[0]))
_INDEX = r"(?:第\s*)?(?P<index>\d{1,2}|[一二两三四五六七八九十]{1,2})\s*(?:个|条|项|号)?"
_CHOICE = re.compile(rf"^(?:选|选择)?\s*{_INDEX}$")
_LEADING_INDEX = re.compile(rf"^[\s:,]*{_INDEX}(?![天周月小分点号年万千块元\d])[\s,]*(?:到|至)?\s*")
_DELAY = re.compile(r"^[\s:,]*(?:\d{1,2}|[一二两三四五六七八九十半]{1,2})\s*(?:个?小时|天|周|个?星期|个?礼拜|个?月)(?![后以之内])")
_MEMBER = re.compile(r"^(?:查|查看|看看|查一下|看一下|查询)?\s*(?P<member>[^\s的]{1,8})的(?:所有|全部)?客户(?:列表|有哪些|呢)?$"
                     r"|^(?P<member2>[^\s的]{1,8}?)有哪些客户$")
_SUBJECT = re.compile(r"^(?P<name>[^\s,:;]{1,12}?)\s*(?P<word>签单|成交|签约|拿下|赢单|丢单|输单|黄了|流失|丢了)了?"
                      r"(?=$|[\s,:;!]|\d|[一二两三四五六七八九十])")
_SUBJECT_STAGE = re.compile(r"^(?P<name>[^\s,:;]{1,12}?)\s*(?:进入|推进到|推进|进到|转入)(?:了)?\s*(?P<stage>\S+)$")
_INDEX_FIRST = re.compile(rf"^(?:把)?\s*{_INDEX}\s*(?P<word>推迟|延后|改到|顺延|推到|挪到|延期|完成|搞定|done)了?\s*(?:到|至)?")
_CARD_NOISE = re.compile(r"(?:的)?(?:资料|信息|情况|档案|详情|怎么样了?|最近怎么样)$")
_CLAUSE_END = re.compile(r"[,;。!?]")
_POLITE = re.compile(r"^(?:请|麻烦|帮我|帮忙|给我|@\S*助手)\s*")
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


def _shown(core: str) -> str:
    """看看待办 → 待办, 查一下我的业绩 → 业绩."""
    prefix = next((p for p in vocab.SHOW_ME if core.startswith(p)), None)
    return core[len(prefix):].strip().removeprefix("我的") if prefix else ""


def _choice(core: str, message: str) -> Parsed | None:
    match = _CHOICE.match(core)
    return Parsed(Intent.CHOOSE, message, index=_index(match.group("index"))) if match else None


def _member_customers(message: str) -> Parsed | None:
    match = _MEMBER.match(_core(message))
    if match is None:
        return None
    member = match.group("member") or match.group("member2")
    return Parsed(Intent.MEMBER_CUSTOMERS, message, member=None if member in ("我", "自己", "我自己") else member)


def _prefixed(message: str, now: datetime, tz: ZoneInfo) -> Parsed | None:
    lowered = message.lower()
    word, intent = next(((w, i) for w, i in _PREFIXES if lowered.startswith(w)), ("", None))
    if intent is None or (word in vocab.NEEDS_SEPARATOR and lowered[len(word):][:1] not in ("", " ", ":", ",")):
        return None
    offset = len(word)
    if intent is Intent.FOLLOW_UP:
        return _follow_up(message, offset, now, tz, vocab.CHANNEL_COMMANDS.get(word))
    if intent in (Intent.DONE, Intent.POSTPONE):
        return _task(message, offset, intent, now, tz)
    handler = {Intent.STAGE: _stage, Intent.WON: _won, Intent.LOST: _lost, Intent.CARD: _card}[intent]
    return handler(message, offset, now, tz)


def _follow_up(message: str, offset: int, now: datetime, tz: ZoneInfo, channel: str | None = None,
               customer: str | None = None, when: When | WhenError | None = None) -> Parsed:
    if customer is None:  # else the caller found both already
        when = spans.shift(parse_when(message[offset:], now, tz), offset)
        customer, offset = _customer(message, offset, when)
    note = message[offset:].strip(" ,:;")
    if isinstance(when, WhenError) and when.reason == "past" and not _planned(message, when.span):
        when = None  # 昨天拜访了: when it happened, not a next step
    return Parsed(Intent.FOLLOW_UP, message, customer, note, channel or _channel(message, offset, when), when)


_NEXT_STEP_VERB = re.compile(r"^\s*(?:回访|复访|再联系|再约|再跟进|联系|见面|发方案|发报价|过去|去)(?!了|过)")


def _planned(message: str, span: tuple[int, int]) -> bool:
    """A past time said as a plan (约了昨天…, 昨天下午3点回访): a slip for 明天, so it is refused, not dropped."""
    before = message[max(0, span[0] - 3):span[0]]
    return any(before.endswith(word) for word in vocab.PLANNED) or bool(_NEXT_STEP_VERB.match(message[span[1]:]))


def _task(message: str, offset: int, intent: Intent, now: datetime, tz: ZoneInfo,
          index: int | None = None) -> Parsed:
    """完成 2 / 推迟 2 明天: the index comes first, so its digit is never read as a time."""
    rest = message[offset:]
    if index is None and (match := _LEADING_INDEX.match(rest)):
        index, offset = _index(match.group("index")), offset + match.end()
    when: When | WhenError | None = None
    if intent is Intent.POSTPONE:
        if index is None and _DELAY.match(rest):  # 推迟两天: relative to a due time we do not know here
            span = (offset, offset + _DELAY.match(rest).end())  # type: ignore[union-attr]
            words = message[span[0]:span[1]].strip()
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
        return Parsed(Intent.STAGE, message, customer or rest[len(first):].strip() or None, stage=first)
    if customer is None and " " in rest:
        customer, _, stage = rest.rpartition(" ")
        return Parsed(Intent.STAGE, message, customer.strip() or None, stage=stage.strip() or None)
    if customer is None:
        customer, start = names.split_customer(rest)
        rest = rest[start:]
    stage = re.sub(r"^(?:到|至|->|→)", "", rest).strip()
    return Parsed(Intent.STAGE, message, customer, stage=stage or None)


def _won(message: str, offset: int, now: datetime, tz: ZoneInfo, customer: str | None = None) -> Parsed:
    when = spans.shift(parse_when(message[offset:], now, tz), offset)
    amount = spans.shift(parse_amount(spans.mask(message, when)[offset:], bare_numbers=True), offset)
    if customer is None:
        customer, offset = _customer(message, offset, when, amount)
    if customer is None and amount is not None and not message[offset:amount.span[0]].strip():
        customer, _ = names.split_customer(message[amount.span[1]:])  # 成交 5万 张总
    note = spans.tidy(spans.without(message, offset, amount))
    if customer and note.startswith(customer):
        note = note[len(customer):].strip(" ,:;")
    when = None if isinstance(when, WhenError) and when.reason == "past" else when
    return Parsed(Intent.WON, message, customer, note, when=when, amount=amount)


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
    when = parse_when(message, now, tz)
    customer, offset = _customer(message, 0, when)
    if customer is not None and not _is_name(customer, strict=True):
        customer, offset = None, 0
    has_note = customer is not None and bool(message[offset:].strip(vocab.TRAILING + ",:;"))
    if has_note and (when is None or message[offset:when.span[0]].strip(" ,:;")):
        return _follow_up(message, offset, now, tz, customer=customer, when=when)
    if when is None:
        return None
    note = spans.tidy(spans.without(message, offset, when))
    if isinstance(when, WhenError) and when.reason == "past" and len(note) > _SHORT_REST:
        return None
    return Parsed(Intent.NEXT_STEP, message, customer, note, when=when)


def _asking_about(message: str) -> Parsed | None:
    """张总怎么样了 / 华为的情况: a lookup, not a note about 张总."""
    core = message.rstrip(vocab.TRAILING) or message
    name = _CARD_NOISE.sub("", core).strip()
    return Parsed(Intent.CARD, message, name) if name != core and names.looks_like_name(name) else None


def _bare_name(message: str) -> Parsed | None:
    core = message.rstrip(vocab.TRAILING) or message
    return Parsed(Intent.CARD, message, core) if names.looks_like_name(core) else None


def _customer(message: str, offset: int, when: When | WhenError | None,
              amount: Amount | None = None) -> tuple[str | None, int]:
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
