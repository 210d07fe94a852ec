"""jieba behind tokens.py: built once per machine, reused by every later process; nothing heavy at import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from handlers.parsing import tokens

ROOT = Path(__file__).parents[3]
WARM_UP = """
import logging, sys
from pathlib import Path
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
from handlers.parsing import tokens
tokens.warm_up(Path(sys.argv[1]))
print("|".join(tokens.cut("跟进张总电话沟通")))
"""


def _start_process(cache: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", WARM_UP, str(cache)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )


def test_a_second_process_loads_the_cached_dictionary_instead_of_rebuilding_it(tmp_path: Path) -> None:
    # Given a process that found no cache and built one
    first = _start_process(tmp_path)
    assert "Dumping model to file cache" in first.stderr
    assert len(list(tmp_path.glob("jieba-*.cache"))) == 1

    # When a second process starts with the same cache directory
    second = _start_process(tmp_path)

    # Then it loads the cache and does not rebuild, and cuts the same way
    assert "Loading model from cache" in second.stderr
    assert "Dumping model to file cache" not in second.stderr
    assert second.stdout == first.stdout


def test_importing_the_parsers_loads_neither_jieba_nor_the_recognizer_nor_cn2an() -> None:
    probe = (
        "import sys, handlers.parsing.commands, handlers.parsing.tokens; "
        "print(sorted(m for m in ('jieba', 'recognizers_date_time', 'cn2an') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_added_words_come_out_whole() -> None:
    assert "欧阳建国" not in tokens.cut("跟进欧阳建国电话沟通")
    tokens.add_words(["欧阳建国", "钱多多科技"])
    assert tokens.cut("跟进钱多多科技欧阳建国 张总")[:3] == ["跟进", "钱多多科技", "欧阳建国"]


def test_the_cache_lives_in_an_app_owned_directory_or_scrm_cache_dir(tmp_path: Path) -> None:
    assert tokens.cache_dir() == Path.home() / ".cache" / "wecom-scrm" / "jieba"
    assert tokens.cache_dir(tmp_path) == tmp_path / "jieba"
