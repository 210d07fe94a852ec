"""Text clean-up shared by the parsers: full-width to half-width, emoji out, spaces squeezed. No parsing here."""

from __future__ import annotations

import re
import unicodedata

# Emoji blocks, dingbats, flags, joiners and variation selectors; WeCom also sends its stickers as text
# codes in brackets ("[强]", "[抱拳]", "[OK]") inside text messages.
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF\uFE0E\uFE0F\u200B-\u200D\u20E3]"
    r"|\[[\u4e00-\u9fffA-Za-z]{1,4}\]"
)
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """NFKC character by character where it maps one to one (３天后 → 3天后, ，→ ,), so offsets survive."""
    out = []
    for char in text:
        folded = unicodedata.normalize("NFKC", char) if ord(char) > 0x7F else char
        out.append(folded if len(folded) == 1 else char)
    return "".join(out)


def normalize(text: str) -> str:
    """What command parsing works on: folded, no emoji, one space between words, trimmed."""
    text = _EMOJI.sub(" ", fold(text))
    return _SPACES.sub(" ", text).strip()
