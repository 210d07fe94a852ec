"""What the domain needs of WeCom: the error every failed call raises, and the read calls handlers and jobs
may make. The client itself lives in bot/wecom.py; sending always goes through the outbox."""

from __future__ import annotations

from typing import Any, Protocol


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
