"""Who a command is about and how the rep reached them: the customer word at the front, the channel words.

Only splits text; whether 张总 is a real customer is for the caller (rapidfuzz + pypinyin on the store).
"""

from __future__ import annotations

import re

from handlers.parsing import name_words, tokens, vocab
from scrm import honorifics

_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
_SEPARATORS = re.compile(r"[\s,;:。、!?~()【】「」《》\[\]]+")
_LEADING = " ,;:。、!?~@()【】「」《》[]"
_AFTER_NAME = " ,;:。、!?~)】」》]"
_NAME_CHAR = r"[^的对说了在是和与跟给,:;。 ]"
_HONORIFIC = re.compile(rf"^({_NAME_CHAR}{{1,6}}?(?:{honorifics.TITLE}))(?!部|司|裁|结|共|价|体|额|数|量|之)")
_COMPANY = re.compile(rf"^({_NAME_CHAR}{{1,12}}?(?:{'|'.join(name_words.COMPANY_SUFFIXES)}))")
_STARTER = re.compile("|".join(re.escape(w) for w in sorted(name_words.NOTE_STARTERS, key=len, reverse=True)))
_CHANNEL = re.compile(
    "|".join(
        f"(?P<{key}>{'|'.join(words)})"
        for key, words in zip(("phone", "visit", "wechat", "meeting"), vocab.CHANNELS.values(), strict=True)
    )
)
_CHANNEL_NAMES = dict(zip(("phone", "visit", "wechat", "meeting"), vocab.CHANNELS, strict=True))
_PLANNED = tuple(vocab.PLANNED)


def split_customer(rest: str, stop: int | None = None) -> tuple[str | None, int]:
    """(customer, where the note starts in `rest`): 张总 电话沟通了 → ("张总", 3); 电话沟通了 → (None, 0).

    The name ends by `stop` at the latest (where a time or an amount begins: 张总5万, 华为128000元).
    """
    lead = len(rest) - len(rest.lstrip(_LEADING))
    token = _SEPARATORS.split(rest[lead:stop], maxsplit=1)[0]
    if not token or token.startswith(name_words.NOT_A_NAME) or token[0].isdigit():
        return None, lead
    name = _name_in(token, truncated=stop is not None and lead + len(token) >= stop)
    if not name:
        return None, lead
    end = lead + len(name)
    return name, end + len(rest[end:]) - len(rest[end:].lstrip(_AFTER_NAME))


def _name_in(token: str, truncated: bool = False) -> str | None:
    """The name a token starts with; the whole token when it is short and ends at a space."""
    for pattern in (_HONORIFIC, _COMPANY):
        if match := pattern.match(token):
            return match.group(1)
    if len(token) <= 4 and not truncated:
        return token
    if (starter := _STARTER.search(token, 2)) and starter.start() <= 8:
        return token[: starter.start()]
    words = tokens.cut(token)
    first = words[0]
    if len(words) > 1 and (first in honorifics.COMPOUND_SURNAMES or len(first) == 1) and len(words[1]) <= 2:
        first += words[1]
    return first


def looks_like_name(text: str) -> bool:
    """A bare message that may be a customer: 2–4 CJK characters, or a name with an honorific or company suffix."""
    if text.lower() in vocab.SMALL_TALK or text.endswith(("吗", "呢", "吧", "啊", "?", "么")):
        return False
    if any(word in text for word in ("啥", "什么", "谁", "哪", "怎")):  # 中午吃啥 asks, it names nobody
        return False
    if text.startswith(name_words.NOT_A_NAME):  # 客户嫌贵, 他说不要
        return False
    if _CJK_NAME.fullmatch(text):
        return True
    short = len(text) <= 16 and " " not in text
    return short and bool(_COMPANY.fullmatch(text) or _HONORIFIC.fullmatch(text))


def channel_of(note: str, ignore: tuple[int, int] | None = None) -> str | None:
    """The channel the earliest channel word names, skipping plans (约了周五见面) and the `ignore` span
    (the clause holding the next step's time: 明天下午3点电话回访 is a plan, not what happened)."""
    lowered = note.lower()
    for match in _CHANNEL.finditer(lowered):
        if ignore and ignore[0] <= match.start() < ignore[1]:
            continue
        if lowered[: match.start()].rstrip().endswith(_PLANNED):
            continue
        return _CHANNEL_NAMES[match.lastgroup or ""]
    return None
