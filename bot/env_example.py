""".env.example's job section, written from the job declarations (jobs/table.py): each job's schedule variable
and settings with their defaults and what they mean. `python -m bot.env_example` rewrites the section in place;
a test fails while the file and the declarations disagree."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path

from bot.job_settings import schedule_setting
from jobs.declaration import Job, Setting
from jobs.table import JOBS, SCHEDULER

EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"
WIDTH = 110  # as the rest of the file
HEADER = "# --- Scheduled jobs (scrm scheduler; inside scrm serve by default) -----------------------"
INTRO = (
    "Written from the job declarations (jobs/table.py): change them there, then run `python -m bot.env_example`. "
    "Schedules are cron: minute hour day month weekday (0 or 7 = Sunday, as in crontab), or 6 fields with seconds "
    "first. Jobs that run on working days check China's calendar themselves (cron cannot). WeCom asks senders to "
    "avoid :00 and :30, when every corp sends."
)


def section(jobs: Mapping[str, Job] = JOBS, common: Iterable[Setting] = SCHEDULER) -> str:
    """The job section: the scheduler's settings, then each job's schedule and settings, a paragraph per job."""
    lines = [HEADER, *_comment(INTRO), *_documented(common)]
    for job in jobs.values():
        lines += ["", *_documented((schedule_setting(job), *job.settings))]
    return "\n".join(lines) + "\n"


def _documented(settings: Iterable[Setting]) -> list[str]:
    return [line for s in settings for line in (*_comment(s.help), f"{s.variable}={s.shown}")]


def _comment(text: str) -> list[str]:
    return [f"# {line}" for line in textwrap.wrap(text, WIDTH - 2, break_long_words=False, break_on_hyphens=False)]


def split(text: str) -> tuple[str, str, str]:
    """The file as (before the job section, the section, after it); the section runs from its header to the
    blank line before the next section's."""
    start = text.index(HEADER + "\n")
    end = text.find("\n\n# --- ", start)
    end = len(text) if end < 0 else end + 1
    return text[:start], text[start:end], text[end:]


def rewrite(path: Path = EXAMPLE) -> bool:
    """Write the declarations' section into the file; whether it changed."""
    before, old, after = split(path.read_text(encoding="utf-8"))
    new = section()
    if new != old:
        path.write_text(before + new + after, encoding="utf-8")
    return new != old


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else EXAMPLE
    print(f"{path}: job section {'rewritten' if rewrite(path) else 'already up to date'}")
