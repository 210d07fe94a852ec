"""What declaring a job means: its name, function, default schedule, settings and texts (jobs/table.py holds
the declarations), and the values jobs read, made from them.

From the declarations follow the job table, the settings operators set (bot/job_settings.py), `scrm jobs
list` and the job section of .env.example (bot/env_example.py). Nothing here knows a particular job.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import ModuleType
from typing import Any

from jobs.config import Done, Run, Shared


@dataclass(frozen=True)
class Setting:
    """One operator setting: its variable, its default as the variable holds it, what it means (for .env.example)
    and the checks of a value. Jobs read it as `run.settings.<into>` (several fields when `into` is a tuple),
    turned by `read` into the form they want (minutes into a timedelta)."""

    variable: str
    default: int | float | str
    into: str | tuple[str, ...]
    help: str
    read: Callable[[Any], Any] | None = None
    check: Callable[[str], str] | None = None  # a text's check: it returns the text tidied or raises ValueError
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None

    @property
    def shown(self) -> str:
        """The default as .env.example writes it (2.0 as 2)."""
        return format(self.default, "g") if isinstance(self.default, float) else str(self.default)

    @property
    def bounds(self) -> dict[str, float]:
        return {k: v for k, v in (("ge", self.ge), ("gt", self.gt), ("le", self.le), ("lt", self.lt)) if v is not None}

    def values(self, value: Any) -> dict[str, Any]:
        """The fields jobs read, from the variable's value."""
        read = self.read(value) if self.read else value
        if isinstance(self.into, str):
            return {self.into: read}
        return dict(zip(self.into, read, strict=True))


@dataclass(frozen=True)
class Job:
    """A scheduled job. `tuning` holds values it reads that no operator sets (tests and benches change them)."""

    name: str
    run: Callable[[Run], Done]
    schedule: str  # the default cron; SCRM_SCHEDULE_<NAME> changes it
    about: str
    texts: ModuleType  # where its Chinese is
    settings: tuple[Setting, ...] = ()
    tuning: Mapping[str, Any] = field(default_factory=dict)

    @property
    def schedule_variable(self) -> str:
        return "SCRM_SCHEDULE_" + self.name.upper().replace("-", "_")


def table(*jobs: Job) -> dict[str, Job]:
    """The jobs by name, in the order declared (which `scrm jobs list` and .env.example follow)."""
    named = {job.name: job for job in jobs}
    if len(named) != len(jobs):
        raise ValueError("two jobs have the same name")
    return named


def settings_class(jobs: Iterable[Job], common: Iterable[Setting]) -> type[Shared]:
    """The values jobs read (`run.settings`): what all share, every job's schedule, and each setting's and
    tuning's fields with their defaults. A name given twice fails here, at import."""
    jobs = list(jobs)
    schedules = {job.name: job.schedule for job in jobs}
    defaults: dict[str, Any] = {"schedules": schedules}
    for setting in [*common, *(s for job in jobs for s in job.settings)]:
        defaults.update(_once(defaults, setting.values(setting.default)))
    for job in jobs:
        defaults.update(_once(defaults, job.tuning))
    made = dataclasses.make_dataclass(
        "JobSettings",
        [(name, type(value), _default(value)) for name, value in defaults.items()],
        bases=(Shared,),
        frozen=True,
    )
    made.__module__ = "jobs.table"
    made.__doc__ = "What jobs read: the business time zone, the funnel, the schedules, and the jobs' settings."
    return made


def _once(defaults: dict[str, Any], more: Mapping[str, Any]) -> Mapping[str, Any]:
    if twice := set(more) & set(defaults):
        raise ValueError(f"job settings declared twice: {', '.join(sorted(twice))}")
    return more


def _default(value: Any) -> Any:
    if value.__hash__ is None:  # a dict: each JobSettings gets its own copy
        return field(default_factory=lambda: type(value)(value))
    return field(default=value)


def checked(parse: Callable[[str], object]) -> Callable[[str], str]:
    """A check from a parser: the text, stripped, once it parses (the parser's ValueError says what is wrong)."""

    def check(text: str) -> str:
        parse(text)
        return text.strip()

    return check


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def words(text: str) -> tuple[str, ...]:
    """`won_amount,on_time`: a comma-separated list, in its order."""
    return tuple(word.strip() for word in text.split(",") if word.strip())
