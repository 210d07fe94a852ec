"""Settings from the environment or an env file, validated when a command starts (see .env.example).

Each command loads only what it uses: logging (every command), the database (commands that only touch the
store), or everything (the server, worker, scheduler and commands that call WeCom). The env file is
SCRM_ENV_FILE when set, else `.env` in the current directory; the environment wins over both.
"""

from __future__ import annotations

import ipaddress
import os
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.job_settings import job_settings, with_jobs
from jobs.table import JobSettings
from scrm import follow_ups, funnel
from scrm.dates import DEFAULT_TIMEZONE
from scrm.queue import RetryPolicy

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DATABASE_URL_HELP = "sqlite:///scrm.db or postgresql://user:password@host:5432/scrm"


class ConfigError(Exception):
    """Settings are missing or malformed; the message has one line per variable."""


class LogSettings(BaseSettings):
    """What every command needs first: how to log."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    scrm_log_level: str = "INFO"
    scrm_log_format: Literal["text", "json"] = "text"

    @field_validator("scrm_log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.strip().upper() not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return value.strip().upper()


class DatabaseSettings(LogSettings):
    """What commands that only touch the store need: no WeCom secrets."""

    database_url: str = "sqlite:///scrm.db"
    scrm_timezone: str = DEFAULT_TIMEZONE.key  # every day the product names is this zone's
    scrm_holidays_file: Path | None = None

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        """SQLite or PostgreSQL (psycopg 3); `postgres://`, as many hosts hand it out, is PostgreSQL too."""
        try:
            url = make_url(value.strip())
        except ArgumentError:
            raise ValueError(f"not a database URL; e.g. {DATABASE_URL_HELP}") from None
        if url.host and "@" in url.host:  # the password's own @ split the URL: the host would hold part of it
            raise ValueError("URL-encode an @ in the user or password as %40")
        backend = url.get_backend_name()
        if backend in ("postgres", "postgresql"):
            url = url.set(drivername="postgresql+psycopg")
        elif backend != "sqlite":
            raise ValueError(f"{backend}:// is not supported; use {DATABASE_URL_HELP}")
        elif url.database and url.database != ":memory:" and not url.database.startswith("file:"):
            folder = Path(url.database).expanduser().resolve().parent
            if not folder.is_dir():
                raise ValueError(f"the folder {folder} does not exist")
        return url.render_as_string(hide_password=False)

    @field_validator("scrm_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("scrm_holidays_file", mode="before")
    @classmethod
    def _empty_path_is_unset(cls, value):
        return value or None

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.scrm_timezone)

    @property
    def database_shown(self) -> str:
        """The URL without its password, for logs."""
        return make_url(self.database_url).render_as_string(hide_password=True)


class CoreSettings(DatabaseSettings):
    """Everything but the jobs' own variables, which `Settings` adds from the job declarations (jobs/table.py)."""

    wecom_corp_id: str = Field(min_length=1)
    wecom_agent_id: int
    wecom_agent_secret: SecretStr
    wecom_contact_secret: SecretStr | None = None
    wecom_token: SecretStr
    wecom_encoding_aes_key: SecretStr
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    wecom_callback_max_age: int = Field(default=300, ge=10)
    redis_url: str | None = None
    scrm_redis_prefix: str = Field(default="scrm", pattern=r"^[A-Za-z0-9_.-]{1,40}$")
    scrm_first_follow_up: str = "next_working_day"
    scrm_stages: str = ",".join(funnel.DEFAULT_STAGES)
    scrm_cache_dir: Path | None = None
    scrm_company_name: str = Field(default="", max_length=64)
    scrm_big_deal_amount: Decimal = Field(default=Decimal(100_000), gt=0)
    scrm_stage_limits: str = ""  # empty: funnel.DEFAULT_LIMITS for the stages that exist
    scrm_stage_synonyms: str = ""  # more words for stages, beside funnel.DEFAULT_SYNONYMS: POC:需求确认
    # Reliability: who hears when messages are dropped, and after how long.
    scrm_operators: str = Field(default="", pattern=r"^[A-Za-z0-9_.@,-]*$")
    scrm_admins: str = Field(default="", pattern=r"^[A-Za-z0-9_.@, -]*$")
    scrm_message_max_age_hours: int = Field(default=24, ge=1, le=24 * 7)
    scrm_send_lease_seconds: int = Field(default=60, ge=2, le=600)
    # While callbacks pour in, the dispatcher rests after each busy step so that it takes at most this share of
    # its time, its database work included (bot/runner.py); 1: never rests (workers on hosts of their own).
    scrm_processing_share: float = Field(default=0.25, gt=0, le=1)
    # Who may read /metrics and /healthz's details (empty: everyone); each web process makes the /metrics page at
    # most once every SCRM_METRICS_CACHE_SECONDS, however often it is asked.
    scrm_metrics_token: SecretStr | None = None
    scrm_metrics_networks: str = ""
    scrm_metrics_cache_seconds: int = Field(default=5, ge=0, le=300)
    # Set by `scrm serve` for its processes: where wake-ups travel between them without Redis.
    scrm_wake_dir: Path | None = None

    @field_validator("wecom_encoding_aes_key")
    @classmethod
    def _aes_key(cls, value: SecretStr) -> SecretStr:
        key = value.get_secret_value()
        if len(key) != 43:
            raise ValueError(f"must be 43 characters, got {len(key)}")
        if not re.fullmatch(r"[A-Za-z0-9]{43}", key):
            raise ValueError("may only hold letters and digits")
        return value

    @field_validator("wecom_token")
    @classmethod
    def _token(cls, value: SecretStr) -> SecretStr:
        if not re.fullmatch(r"[A-Za-z0-9]{1,32}", value.get_secret_value()):
            raise ValueError("must be 1-32 letters or digits")
        return value

    @field_validator("wecom_api_base")
    @classmethod
    def _api_base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://, e.g. redis://127.0.0.1:6379/0")
        return value

    @field_validator("scrm_first_follow_up")
    @classmethod
    def _first_follow_up(cls, value: str) -> str:
        if not follow_ups.valid_rule(value):
            raise ValueError("must be next_working_day, or hours/days such as 4h or 2d")
        return value.strip()

    @field_validator("scrm_stages")
    @classmethod
    def _stages(cls, value: str) -> str:
        return ",".join(funnel.parse_stages(value))

    @field_validator("scrm_stage_limits")
    @classmethod
    def _stage_limits(cls, value: str, info: ValidationInfo) -> str:
        funnel.parse_limits(value, _stages_of(info))
        return value

    @field_validator("scrm_stage_synonyms")
    @classmethod
    def _stage_synonyms(cls, value: str, info: ValidationInfo) -> str:
        funnel.parse_synonyms(value, _stages_of(info))
        return value

    @field_validator("scrm_metrics_token")
    @classmethod
    def _metrics_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[\x21-\x7e]{16,200}", value.get_secret_value()):
            raise ValueError("must be 16-200 characters without spaces, e.g. the output of `openssl rand -hex 16`")
        return value

    @field_validator("scrm_metrics_networks")
    @classmethod
    def _metrics_networks(cls, value: str) -> str:
        return ",".join(str(network) for network in _networks(value))

    @field_validator("redis_url", "scrm_cache_dir", "scrm_wake_dir", "scrm_metrics_token", mode="before")
    @classmethod
    def _empty_is_unset(cls, value):
        return value or None

    @property
    def redis_shown(self) -> str:
        """REDIS_URL without its password, for logs."""
        if not self.redis_url:
            return "none"
        parts = urlsplit(self.redis_url)
        return (
            urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
            if "@" in parts.netloc
            else self.redis_url
        )

    @property
    def funnel(self) -> funnel.Funnel:
        return funnel.from_settings(self.scrm_stages, self.scrm_stage_synonyms, self.scrm_stage_limits)

    @property
    def jobs(self) -> JobSettings:
        return job_settings(self, dict(timezone=self.timezone, funnel=self.funnel))

    @property
    def metrics_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return _networks(self.scrm_metrics_networks)

    @property
    def retry_policy(self) -> RetryPolicy:
        """The one retry policy, shared by the dispatcher, the sender and the scheduler."""
        return RetryPolicy(max_age=timedelta(hours=self.scrm_message_max_age_hours))

    @property
    def operators(self) -> tuple[str, ...]:
        return tuple(u.strip() for u in self.scrm_operators.split(",") if u.strip())

    @property
    def admins(self) -> frozenset[str]:
        """Members who see everyone's customers and numbers (scrm/roles.py), and, later, the settings pages."""
        return frozenset(u.strip() for u in self.scrm_admins.split(",") if u.strip())

    @property
    def contact_secret(self) -> SecretStr:
        """客户联系 calls use the app's own secret unless a separate one is configured."""
        return self.wecom_contact_secret or self.wecom_agent_secret


def _stages_of(info: ValidationInfo) -> tuple[str, ...]:
    """The funnel's stages, for checking the variables that name them (SCRM_STAGES is checked before them)."""
    return funnel.parse_stages(info.data.get("scrm_stages") or ",".join(funnel.DEFAULT_STAGES))


def _networks(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """`10.0.0.0/8, 192.168.1.7, ::1`: networks in CIDR form, or single addresses."""
    found = []
    for part in re.split(r"[\s,]+", value.strip()):
        if part:
            try:
                found.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"{part!r} is not a network or an address; e.g. 10.0.0.0/8,192.168.1.7") from None
    return tuple(found)


Settings = with_jobs(CoreSettings)  # the jobs' variables added, each with its default and check

Loaded = TypeVar("Loaded", bound=LogSettings)


def env_file() -> Path | None:
    """SCRM_ENV_FILE when set (it must exist), else `.env` in the current directory when there is one."""
    named = os.environ.get("SCRM_ENV_FILE")
    if named:
        if not Path(named).is_file():
            raise ConfigError(f"SCRM_ENV_FILE: no file {named}")
        return Path(named)
    return Path(".env") if Path(".env").is_file() else None


def load(kind: type[Loaded], **overrides) -> Loaded:
    """Read and validate; raise ConfigError naming each bad variable (never its value)."""
    overrides.setdefault("_env_file", env_file())
    try:
        return kind(**overrides)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            name = str(problem["loc"][0]).upper() if problem["loc"] else "SETTINGS"
            message = "is required" if problem["type"] == "missing" else problem["msg"].removeprefix("Value error, ")
            lines.append(f"{name}: {message}")
        raise ConfigError("\n".join(lines)) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{overrides['_env_file']}: not UTF-8 text") from None


def load_settings(**overrides) -> Settings:
    return load(Settings, **overrides)
