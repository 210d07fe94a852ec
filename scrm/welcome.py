"""Welcome templates per channel: the exact state, else the longest `prefix*`, else the default (empty channel)."""

from __future__ import annotations

import string
from datetime import datetime

from sqlmodel import Session, select

from scrm.models import WelcomeTemplate

PLACEHOLDERS = ("客户", "销售", "公司")
MAX_BYTES = 4000  # WeCom: send_welcome_msg text.content is at most 4000 bytes


class TemplateError(ValueError):
    pass


def validate(text: str) -> None:
    """Refuse unknown placeholders and over-long texts before they are saved."""
    if not text.strip():
        raise TemplateError("the welcome text is empty")
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as error:
        raise TemplateError(f"unbalanced braces: {error}") from None
    unknown = names - set(PLACEHOLDERS)
    if unknown:
        raise TemplateError(f"unknown placeholder {{{sorted(unknown)[0]}}}; use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}")
    if len(text.encode()) > MAX_BYTES - 300:  # leave room for the names filled in
        raise TemplateError(f"too long: WeCom takes {MAX_BYTES} bytes")


def set_template(session: Session, *, channel: str, text: str, now: datetime) -> WelcomeTemplate:
    validate(text)
    channel = channel.strip()
    template = session.exec(select(WelcomeTemplate).where(WelcomeTemplate.channel == channel)).first()
    template = template or WelcomeTemplate(channel=channel, text=text, updated_at=now)
    template.text, template.updated_at = text, now
    session.add(template)
    return template


def remove(session: Session, channel: str) -> bool:
    template = session.exec(select(WelcomeTemplate).where(WelcomeTemplate.channel == channel.strip())).first()
    if template:
        session.delete(template)
    return template is not None


def listed(session: Session) -> list[WelcomeTemplate]:
    return list(session.exec(select(WelcomeTemplate).order_by(WelcomeTemplate.channel)).all())


def choose(session: Session, state: str) -> WelcomeTemplate | None:
    best, best_len = None, -1
    for template in listed(session):
        channel = template.channel
        if channel == state and state:
            return template
        if channel.endswith("*") and state.startswith(channel[:-1]) and len(channel) > best_len:
            best, best_len = template, len(channel)
        elif channel == "" and best is None:
            best = template
    return best


def render(text: str, *, customer: str, rep: str, company: str) -> str:
    return text.format(客户=customer, 销售=rep, 公司=company).strip()
