"""Which of a rep's customers a typed name means: exact, then fuzzy, then by pinyin (IME typos).

张总 → 张建国 and 张伟 tie: the caller asks the rep to choose. 张建过 → 张建国 by pinyin. Names are
compared with titles (总, 经理: scrm/honorifics.py) and company suffixes (有限公司, 科技) stripped. Pinyin uses every
reading of a character (heteronyms), since surnames such as 曾 (zeng) and 单 (shan) read differently.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

from pypinyin import Style, pinyin
from rapidfuzz import fuzz

from scrm import honorifics

SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "科技", "技术", "网络", "信息", "实业")
REGION = re.compile(r"[（(][^）)]*[)）]")
FUZZY_MIN, PINYIN_MIN, TIE = 75, 90, 5


@dataclass(frozen=True)
class Candidate:
    external_userid: str
    label: str  # how the rep knows them, for a numbered choice: 张建国（华为技术）
    names: tuple[str, ...]  # name, the rep's remark, corp name, remark corp name


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    score: float
    how: str  # exact | fuzzy | pinyin | surname (王总 → 王芳: only a guess, the rep confirms)


def resolve(query: str, candidates: list[Candidate]) -> list[Match]:
    """The best matches, best first; one entry = sure, several = ask the rep, none = not their customer."""
    query = query.strip()
    if not query:
        return []
    exact = [Match(c, 100, "exact") for c in candidates if query in c.names]
    if exact:
        return exact
    core = clean(query)
    if not core:
        return []
    how = "surname" if len(core) == 1 else "fuzzy"
    scored = [Match(c, max(_fuzzy(core, n) for n in c.names if n), how) for c in candidates if any(c.names)]
    best = _top(scored, FUZZY_MIN)
    if best:
        return best
    keys = _pinyin_keys(core)
    scored = [Match(c, max(_pinyin_score(keys, n) for n in c.names if n), "pinyin") for c in candidates if any(c.names)]
    return _top(scored, PINYIN_MIN)


def clean(name: str) -> str:
    name = REGION.sub("", name.strip())
    for suffix in SUFFIXES:
        name = name.removesuffix(suffix)
    return honorifics.without_title(name).strip()


def _fuzzy(core: str, name: str) -> float:
    other = clean(name)
    if not other:
        return 0
    if len(core) == 1:  # 张总 → 张: a surname matches names that start with it
        return 100 if other.startswith(core) else 0
    return fuzz.partial_ratio(core, other) if len(core) <= len(other) else fuzz.ratio(core, other)


def _pinyin_score(keys: tuple[str, ...], name: str) -> float:
    return max((fuzz.ratio(k, o) for k in keys for o in _pinyin_keys(clean(name))), default=0)


@functools.lru_cache(maxsize=100_000)
def _pinyin_keys(text: str) -> tuple[str, ...]:
    """Every reading of the text as one string (at most 8, for heteronyms); Latin input passes through."""
    if text.isascii():
        return (text.lower().replace(" ", ""),)
    readings = pinyin(text, style=Style.NORMAL, heteronym=True, errors="default")
    return tuple("".join(p) for p in itertools.islice(itertools.product(*readings), 8))


def _top(scored: list[Match], minimum: float) -> list[Match]:
    scored = sorted((m for m in scored if m.score >= minimum), key=lambda m: -m.score)
    if not scored:
        return []
    return [m for m in scored if m.score >= scored[0].score - TIE][:9]


def closest(query: str, candidates: list[Candidate], minimum: float = 50) -> Candidate | None:
    """The rep's customer a name not found comes closest to, to suggest (never to act on)."""
    core = clean(query) or query
    scored = [(max(fuzz.ratio(core, clean(n) or n) for n in c.names if n), c) for c in candidates if any(c.names)]
    best = max(scored, key=lambda pair: pair[0], default=None)
    return best[1] if best and best[0] >= minimum else None
