"""Text clean-up shared by the parsers: full-width to half-width, emoji out, spaces squeezed. No parsing here."""

from __future__ import annotations

import re
import unicodedata

# Emoji blocks, dingbats, flags, joiners and variation selectors; WeCom also sends its stickers as text
# codes in brackets ("[强]", "[抱拳]", "[OK]") inside text messages.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0e\ufe0f\u200b-\u200d\u20e3]"
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


def as_typed(original: str, piece: str) -> str:
    """`piece` of normalize(original) as the rep typed it (their own punctuation and full-width characters);
    `piece` itself when it is not a plain substring (the parser stitched it together)."""
    normalized, positions = _aligned(original)
    start = normalized.find(piece)
    if not piece or start < 0:
        return piece
    return original[positions[start] : positions[start + len(piece) - 1] + 1]


def _aligned(text: str) -> tuple[str, list[int]]:
    """normalize(text) and, for each of its characters, the index it came from in `text`."""
    folded = fold(text)
    kept = [(i, c) for i, c in enumerate(_EMOJI.sub(lambda m: " " * len(m.group()), folded))]
    out: list[tuple[int, str]] = []
    for i, char in kept:
        if char.isspace():
            if out and not out[-1][1].isspace():
                out.append((i, " "))
            continue
        out.append((i, char))
    while out and out[-1][1] == " ":
        out.pop()
    return "".join(c for _, c in out), [i for i, _ in out]
