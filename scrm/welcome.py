"""Welcome templates per channel: the exact state, else the longest `prefix*`, else the default (empty channel)."""

from __future__ import annotations

import re
import string
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator
from sqlmodel import Session, select

from scrm import files, honorifics
from scrm.models import WelcomeTemplate

# {客户} how a rep addresses the customer (张总, 李经理, 王老师; the name when no title is known)
# {销售} the rep's name · {公司} the customer's company · {我司} our company (SCRM_COMPANY_NAME)
PLACEHOLDERS = ("客户", "销售", "公司", "我司")
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
        raise TemplateError(
            f"unknown placeholder {{{sorted(unknown)[0]}}}; use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
        )
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


class _FileTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    channel: str
    text: str

    @field_validator("text")
    @classmethod
    def _text(cls, text: str) -> str:
        validate(text)
        return text


class _WelcomeFile(BaseModel):
    """`welcome: [{channel, text}]`; channel "" is the default (docs/welcome.example.yaml)."""

    model_config = ConfigDict(extra="forbid")
    welcome: list[_FileTemplate] | None = None


def load_file(session: Session, path: Path, *, now: datetime, replace: bool = False) -> int:
    """Save every template of a YAML or TOML file (see `_WelcomeFile`); with `replace`, drop the others first.

    All are checked before any is saved: a bad file raises FileError (one line per problem) and changes nothing.
    """
    entries = files.load(path, _WelcomeFile).welcome or []
    if not entries:
        raise files.FileError(
            path,
            ["no templates in the file: expected a `welcome:` list of {channel, text} (see docs/welcome.example.yaml)"],
        )
    problems = files.repeated(
        ((files.entry("welcome", n), e.channel.strip()) for n, e in enumerate(entries)), "channel"
    )
    files.refuse(path, problems)
    if replace:
        for template in listed(session):
            session.delete(template)
        session.flush()
    for entry in entries:
        set_template(session, channel=entry.channel, text=entry.text, now=now)
    return len(entries)


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


def render(text: str, *, customer: str, rep: str, company: str, ours: str = "") -> str:
    return text.format(客户=customer, 销售=rep, 公司=company, 我司=ours).strip()


def address(name: str, *, remark: str = "", position: str = "") -> str:
    """How a rep greets the customer: the titled remark (张总-华为 → 张总), else surname + the title their
    position implies (采购经理 张伟 → 张经理), else the name."""
    if greeting := honorifics.titled_remark(remark):
        return greeting
    if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", name or "") and (title := honorifics.position_title(position)):
        return honorifics.surname_of(name) + title
    return name
