"""What a handler gets besides its event: one transaction, the outbox, a WeCom read client, the time."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session

from scrm.dates import DEFAULT_TIMEZONE, business_time
from scrm.funnel import DEFAULT, Funnel
from scrm.kpis import HONOR_TITLES
from scrm.outbox import Outbox
from scrm.wecom import WeComReader


@dataclass(frozen=True)
class HandlerSettings:
    """The few settings handlers need, passed down by the composition root."""

    agent_id: int
    timezone: ZoneInfo = DEFAULT_TIMEZONE  # SCRM_TIMEZONE: every day a handler names is this zone's
    first_follow_up: str = "next_working_day"  # SOP window for a new customer's first follow-up
    funnel: Funnel = DEFAULT  # its stages in order, the words reps use for them, and their day limits
    company: str = ""  # our company, for {我司} in welcome texts
    big_deal_amount: Decimal = Decimal(100_000)  # a deal won at or above it is announced to the team at once
    admins: frozenset[str] = frozenset()  # SCRM_ADMINS: members who see everything (scrm/roles.py)
    honor_titles: tuple[str, ...] = HONOR_TITLES  # 排行's titles, in order, as the honor board's (SCRM_HONOR_TITLES)


@dataclass
class Context:
    session: Session
    outbox: Outbox
    wecom: WeComReader
    now: datetime
    settings: HandlerSettings
    inbox_id: int = 0
    # A separate read-only transaction, for a look-up before a WeCom call: `session`'s first statement takes
    # SQLite's write lock, which would then be held across the HTTP call (and every callback would wait).
    store_read: Callable[[], AbstractContextManager[Session]] | None = None

    def __post_init__(self) -> None:
        # The handlers' entry: `now` on the business clock, so the parser's 今天 and every day shown is its day.
        self.now = business_time(self.now, self.settings.timezone)

    def read(self) -> AbstractContextManager[Session]:
        return self.store_read() if self.store_read else nullcontext(self.session)
