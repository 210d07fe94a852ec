"""Word segmentation behind a tiny interface (jieba today; rjieba is a drop-in if speed or RAM matter).

jieba builds its prefix dictionary on first use (~0.4 s) and marshals it to a cache file; we point the
cache at an app-owned directory so every process after the first loads it instead of rebuilding.
Nothing runs at import: jieba itself is imported on first use, and `warm_up()` is for boot.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

_lock = threading.Lock()
_jieba: ModuleType | None = None
_known: set[str] = set()


def cache_dir(base: Path | None = None) -> Path:
    """Where jieba's dictionary cache lives: <base>/jieba (SCRM_CACHE_DIR), else ~/.cache/wecom-scrm/jieba."""
    return (base or Path.home() / ".cache" / "wecom-scrm") / "jieba"


def warm_up(directory: Path | None = None) -> None:
    """Load (or, the first time on this machine, build and cache) the dictionary now.

    Call it at boot, before gunicorn forks, rather than paying ~0.35 s on the first message.
    """
    _ensure(directory)


def add_words(words: Iterable[str]) -> None:
    """Teach the tokenizer names and keywords it would otherwise split (欧阳建国, 钱多多科技)."""
    jieba = _ensure()
    with _lock:
        for word in words:
            if word and word not in _known:
                jieba.add_word(word)
                _known.add(word)


def cut(text: str) -> list[str]:
    return [token for token in _ensure().lcut(text) if token.strip()]


def frequency(word: str) -> int:
    """How common a word is in the general dictionary (0 when unknown): 理想 3988, 小米 396, 蔚来 0."""
    return _ensure().get_FREQ(word) or 0


def _ensure(directory: Path | None = None) -> ModuleType:
    global _jieba
    if _jieba is not None:
        return _jieba
    with _lock:
        if _jieba is None:
            import jieba

            jieba.dt.tmp_dir = str(_usable(directory or cache_dir()))
            jieba.dt.cache_file = _cache_name(jieba)
            # jieba logs to its own stderr handler at DEBUG; hand its records to the app's logging instead
            # ("Loading model from cache …" / "Dumping model to file cache …" at DEBUG).
            jieba.default_logger.removeHandler(jieba.log_console)
            jieba.default_logger.setLevel(logging.NOTSET)
            jieba.initialize()
            _jieba = jieba
    return _jieba


def _cache_name(jieba: ModuleType) -> str:
    """jieba trusts a cache of its default dictionary blindly; name ours after the dictionary it came from,
    so an upgraded jieba (or a changed dict.txt) builds a fresh one instead of loading a stale one."""
    stat = Path(jieba.__file__).with_name("dict.txt").stat()
    return f"jieba-{jieba.__version__}-{stat.st_size}-{int(stat.st_mtime)}.cache"


def _usable(directory: Path) -> Path:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        return directory
    except OSError:
        return Path(tempfile.gettempdir())
