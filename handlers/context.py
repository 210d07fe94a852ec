"""What a handler gets besides its event: one transaction, the outbox, a WeCom read client, the time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session

from scrm.outbox import Outbox


class WeComError(Exception):
    """Any failed WeCom call; bot/wecom.py raises subclasses of it."""

    def __init__(self, errcode: int | None, errmsg: str = "") -> None:
        super().__init__(f"WeCom errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class WeComReader(Protocol):
    """The WeCom calls handlers may make. Sending is never one of them: that goes through the outbox."""

    def get_external_contact(self, external_userid: str) -> dict[str, Any]: ...

    def corp_tags(self) -> list[dict[str, Any]]: ...

    def group_chat(self, chat_id: str) -> dict[str, Any]: ...

    def departments(self) -> list[dict[str, Any]]: ...

    def department_members(self, department_id: int) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class HandlerSettings:
    """The few settings handlers need, passed down by the composition root."""

    agent_id: int
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    first_follow_up: str = "next_working_day"  # SOP window for a new customer's first follow-up
    stages: tuple[str, ...] = ("初次接触", "需求确认", "方案报价", "谈判", "成交", "流失")  # the funnel, in order
    company: str = ""  # our company, for {我司} in welcome texts


@dataclass
class Context:
    session: Session
    outbox: Outbox
    wecom: WeComReader
    now: datetime
    settings: HandlerSettings
    inbox_id: int = 0
