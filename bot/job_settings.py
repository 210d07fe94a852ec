"""The jobs' settings, made from their declarations (jobs/table.py): a SCRM_SCHEDULE_<JOB> variable per job
and each job's own variables, with their defaults and checks, added to the settings (bot/settings.py); and the
values jobs read (JobSettings), taken from loaded settings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import Field, ValidationInfo, create_model, field_validator
from pydantic_settings import BaseSettings

from jobs import schedule
from jobs.config import Shared
from jobs.declaration import Job, Setting
from jobs.table import JOBS, SCHEDULER, JobSettings


def schedule_setting(job: Job) -> Setting:
    """The job's SCRM_SCHEDULE_<NAME>: a cron expression (its value goes to JobSettings.schedules)."""
    return Setting(job.schedule_variable, job.schedule, (), f"{job.name}: {job.about}.", check=schedule.check)


def variables(jobs: Mapping[str, Job] = JOBS, common: Iterable[Setting] = SCHEDULER) -> list[Setting]:
    """Every variable of the jobs: the scheduler's, then each job's schedule and its own settings."""
    return [*common, *(s for job in jobs.values() for s in (schedule_setting(job), *job.settings))]


def with_jobs(
    base: type[BaseSettings], jobs: Mapping[str, Job] = JOBS, common: Iterable[Setting] = SCHEDULER
) -> type[BaseSettings]:
    """`base` with a field for every job variable: its default, its bounds, and its check as a validator."""
    declared = variables(jobs, common)
    fields: dict[str, Any] = {
        s.variable.lower(): (type(s.default), Field(default=s.default, **s.bounds)) for s in declared
    }
    checks = {s.variable.lower(): s.check for s in declared if s.check is not None}

    def check(cls, value: str, info: ValidationInfo) -> str:
        return checks[info.field_name](value)  # a ValueError becomes the one line naming the variable

    return create_model(
        base.__name__.removeprefix("Core"),
        __base__=base,
        __module__=base.__module__,
        __validators__={"_job_checks": field_validator(*checks)(check)},
        **fields,
    )


def job_settings(
    settings: BaseSettings,
    shared: Mapping[str, Any],
    jobs: Mapping[str, Job] = JOBS,
    common: Iterable[Setting] = SCHEDULER,
    made: type[Shared] = JobSettings,
) -> Shared:
    """What jobs read, from loaded settings; `shared` holds what is not a job's own (time zone, funnel)."""
    values: dict[str, Any] = {
        "schedules": {name: getattr(settings, job.schedule_variable.lower()) for name, job in jobs.items()}
    }
    for s in [*common, *(s for job in jobs.values() for s in job.settings)]:
        values.update(s.values(getattr(settings, s.variable.lower())))
    return made(**shared, **values)
