"""The held-out scores: tests/handlers/data/heldout*.yaml, each written blind before the code that reads it.

Set 1 (heldout.yaml, 128 messages) was written for the rep-commands issue; set 2 (heldout_2.yaml, 209
messages) from issue 21 (the records are true), 2026-12-07. Run `python -m tests.handlers.parsing.heldout` (or
`make heldout`). It prints the share of cases read exactly right, by intent, for each set; `--show` lists the
misses. Report the numbers; do not tune the parser to these cases (the development corpus is utterances.yaml).
Not a test: it asserts nothing and never fails the build.

Set 2's conventions, decided before its first scoring (the writer asked): 一早 is 09:00; 半个月后 is 15 days;
a field a case leaves out is not scored (a follow-up without `channel`, a night case without `at`); an `ask` or
`missing:` case is scored on its intent and customer only.
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from tests.handlers.parsing import conversation

SETS = sorted((Path(__file__).parents[1] / "data").glob("heldout*.yaml"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list each miss (reading them spoils the set)")
    args = parser.parse_args()
    for path in SETS:
        print(f"== {path.name}")
        score(yaml.safe_load(path.read_text(encoding="utf-8")), show=args.show)


def score(data: dict, *, show: bool) -> None:
    tz = ZoneInfo(data["tz"])
    now = data["now"] if isinstance(data["now"], datetime) else datetime.fromisoformat(data["now"])
    book, _ = conversation.book_of(data["book"])
    total, right = Counter(), Counter()
    for case in data["cases"]:
        problems = conversation.mismatches(case, now, tz, book)
        total[case["intent"]] += 1
        right[case["intent"]] += not problems
        if problems and show:
            print(f"✗ {case['say']}\n    " + "\n    ".join(problems))
    for intent in sorted(total, key=lambda i: -total[i]):
        print(f"{intent:18} {right[intent]:3}/{total[intent]:<3} {right[intent] / total[intent]:.0%}")
    print(
        f"{'held-out':18} {sum(right.values()):3}/{sum(total.values()):<3} "
        f"{sum(right.values()) / sum(total.values()):.1%}"
    )


if __name__ == "__main__":
    main()
