"""The held-out score: tests/handlers/data/heldout.yaml, written blind before the code that reads it.

Run `python -m tests.handlers.parsing.heldout` (or `make heldout`). It prints the share of cases read
exactly right, by intent; `--show` lists the misses. Report the number; do not tune the parser to these
cases (the development corpus is utterances.yaml). Not a test: it asserts nothing and never fails the build.
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from tests.handlers.parsing import conversation

HELDOUT = Path(__file__).parents[1] / "data" / "heldout.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list each miss (reading them spoils the set)")
    args = parser.parse_args()
    data = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    tz = ZoneInfo(data["tz"])
    now = data["now"] if isinstance(data["now"], datetime) else datetime.fromisoformat(data["now"])
    book, _ = conversation.book_of(data["book"])
    total, right = Counter(), Counter()
    for case in data["cases"]:
        problems = conversation.mismatches(case, now, tz, book)
        total[case["intent"]] += 1
        right[case["intent"]] += not problems
        if problems and args.show:
            print(f"✗ {case['say']}\n    " + "\n    ".join(problems))
    for intent in sorted(total, key=lambda i: -total[i]):
        print(f"{intent:18} {right[intent]:3}/{total[intent]:<3} {right[intent] / total[intent]:.0%}")
    print(f"{'held-out':18} {sum(right.values()):3}/{sum(total.values()):<3} "
          f"{sum(right.values()) / sum(total.values()):.1%}")


if __name__ == "__main__":
    main()
