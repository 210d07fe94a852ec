"""Parsing what reps type: words, times, amounts and commands. Pure functions: no database, no WeCom.

Importing is cheap; jieba, the time recognizer and cn2an load on first use, or at boot via warm_up().
"""

from __future__ import annotations

from pathlib import Path


def warm_up(cache_dir: Path | None = None) -> None:
    """Load everything the first message would otherwise wait for (~0.5 s). Call at boot, before forking."""
    from handlers.parsing import numerals, recognizer, tokens

    tokens.warm_up(cache_dir)
    recognizer.warm_up()
    numerals.warm_up()
