"""The stage reader: a customer moved along the funnel (阶段 张总 报价, 张总 进入报价阶段, 刘工那边到报价阶段了).
The funnel is the operator's (scrm/funnel.py, from SCRM_STAGES and SCRM_STAGE_SYNONYMS): its own stages and
words are recognised wherever the default ones are. Pure: no database, no WeCom.
"""

from __future__ import annotations

import functools
import re

from handlers.intents import Intent, Parsed
from handlers.parsing import names
from handlers.parsing.customers import is_name
from handlers.parsing.message import Message
from scrm.funnel import Funnel


def by_word(msg: Message) -> Parsed | None:
    """阶段 张总 报价 / 进入 报价 张总: a stage word at the front."""
    if msg.command is None or msg.command[1] is not Intent.STAGE:
        return None
    return moved(msg.text, len(msg.command[0]), msg.funnel)


_SUBJECT = re.compile(r"^(?P<name>[^\s,:;]{1,12}?)\s*(?:进入|推进到|推进|进到|转入)(?:了)?\s*(?P<stage>\S+)$")


def by_subject(msg: Message) -> Parsed | None:
    """张总 进入报价阶段: the customer first, then the move (not 王总推进很慢: 很慢 is no stage)."""
    match = _SUBJECT.match(msg.text)
    if match and is_name(match.group("name")) and msg.funnel.match(match.group("stage")):
        return moved(msg.text, match.start("stage"), msg.funnel, customer=match.group("name"))
    return None


def moved(message: str, offset: int, funnel: Funnel, customer: str | None = None) -> Parsed:
    """Who and which stage, after the command word: the stage word is the last or the first word."""
    rest = message[offset:].strip(" ,:;")
    rest = re.sub(r"(?:阶段|环节)?了?$", "", rest)
    words = funnel.words()
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


def moved_named(msg: Message) -> Parsed | None:
    """刘工那边到报价阶段了 / 华为进入谈判 / 需求确认了: an open stage named as where the customer named is now."""
    if msg.subject is None:
        return None
    stage = _stage_named(msg.subject.rest, msg.funnel)
    return Parsed(Intent.STAGE, msg.text, msg.subject.name, stage=stage) if stage else None


def _stage_named(rest: str, funnel: Funnel) -> str | None:
    match = _moves(funnel.stages, tuple(funnel.synonyms.items())).search(rest)
    word = match and (match.group("a") or match.group("b") or match.group("c"))
    return funnel.match(word) if word else None


@functools.lru_cache(maxsize=8)
def _moves(stages: tuple[str, ...], synonyms: tuple[tuple[str, str], ...]) -> re.Pattern:
    """到报价阶段了 / 进入谈判 / 阶段改成需求确认 / 需求确认了, for the open stages of this funnel."""
    funnel = Funnel(stages, dict(synonyms))
    words = "|".join(w for w in funnel.words() if funnel.match(w) not in funnel.closing)
    full = "|".join(funnel.open_stages)
    return re.compile(
        rf"(?:(?<![看收拿得想要听见])到了?|进入了?|推进到|进到|转入|推到|退回到?|回到|阶段改[成为]|阶段|改[成为]|在)\s*[:：]?\s*(?P<a>{words})"
        rf"|(?P<b>{words})\s*(?:阶段|环节)|(?P<c>{full})了"
    )
