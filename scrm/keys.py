"""The keys that make a message or a unit of work happen once: one builder per family, used everywhere it is needed.

An outbox row and a job-ledger row are unique on their key, so a replayed event, a re-run tick or a second
scheduler finds the key taken and sends nothing again. A key must therefore never change between releases: after
an upgrade, a family whose key changed would find no row under the new key and send again. tests/scrm/test_keys.py
pins each family's shape on a sample, and checks that no two families, and no two different inputs, give the same
key. (The inbox's dedup key, built from WeCom's own fields, has its builder in handlers/events.py.)
"""

from __future__ import annotations

from datetime import date, datetime


def _stamp(at: datetime) -> str:
    """An instant, as the keys have always written it: seconds since the epoch."""
    return f"{at.timestamp():.0f}"


# --- outbox: replies, welcomes, notes to managers -------------------------------------------------------------
def reply(message: str | int) -> str:
    """The answer to one message of a member (its MsgId, or the inbox row for a message without one)."""
    return f"reply:{message}"


def welcome(welcome_code: str) -> str:
    return f"welcome:{welcome_code}"


def tag_customer(userid: str, external_userid: str, inbox_id: int) -> str:
    """The tags a rule gave a customer on an add, written back to WeCom."""
    return f"tag:{userid}:{external_userid}:{inbox_id}"


def rep_deleted_customer(userid: str, external_userid: str, at: datetime) -> str:
    return f"rep-deleted:{userid}:{external_userid}:{_stamp(at)}"


def churn(userid: str, external_userid: str, at: datetime) -> str:
    """A customer deleted the rep: the rep's note."""
    return f"churn:{userid}:{external_userid}:{_stamp(at)}"


def to_managers(key: str) -> str:
    """The managers' copy of a note whose key is `key`."""
    return f"{key}:managers"


def big_deal(deal_id: int, department_id: int) -> str:
    return f"big-deal:{deal_id}:team-{department_id}"


def team_hello(department_id: int, chat: str, at: datetime) -> str:
    """The hello that shows a team's new chat works (one each time a chat is set)."""
    return f"team-hello:{department_id}:{chat}:{at:%Y%m%d%H%M%S}"


def team_chat_disabled(department_id: int, chat: str, at: datetime) -> str:
    return f"team-disabled:{department_id}:{chat}:{at:%Y%m%d%H%M%S}"


def operators_expired(at: datetime) -> str:
    """The operators' note that messages expired, at most one an hour."""
    return f"{_OPERATORS}expired:{at:%Y%m%d%H}"


def for_operators(key: str) -> bool:
    """Whether a message is one the sender itself wrote to the operators."""
    return key.startswith(_OPERATORS)


_OPERATORS = "operators:"


# --- follow-ups ---------------------------------------------------------------------------------------------------
def first_follow_up(userid: str, external_userid: str) -> str:
    """The SOP's first follow-up of a new customer, once per rep and customer."""
    return f"first:{userid}:{external_userid}"


# --- the job ledger (and the messages the jobs send under the same keys) --------------------------------------
def reminder(follow_up_id: int, due_at: datetime) -> str:
    return f"reminder:followup-{follow_up_id}:{due_at:%Y%m%d%H%M}"


def escalated(follow_up_id: int, due_at: datetime) -> str:
    return f"escalation:followup-{follow_up_id}:{due_at:%Y%m%d%H%M}"


def escalation_list(manager: str, day: date, first: str) -> str:
    """A manager's list of the day's escalations, named by the first follow-up in it."""
    return f"escalation:{manager}:{day:%Y-%m-%d}:{first}"


def morning_list(userid: str, day: date) -> str:
    return f"morning:{userid}:{day:%Y-%m-%d}"


def mornings_done(day: date) -> str:
    """Every morning list of a day has been sent (later ticks that day skip the work)."""
    return f"morning-done:{day:%Y-%m-%d}"


def team_post(job: str, department_id: int, period: str) -> str:
    """A job's post in a team's chat for a period (the daily and weekly digests, the boards)."""
    return f"{job}:team-{department_id}:{period}"


def chart_of(key: str) -> str:
    """The chart that goes with the post whose key is `key`."""
    return f"{key}:chart"


def no_team_chat(department_id: int) -> str:
    """The log line, once, that a team has no chat to post to."""
    return f"no-chat:team-{department_id}"


def silent_rep(userid: str, since: date | None) -> str:
    """A rep who logged nothing since `since` (None: never logged anything)."""
    return f"silent:{userid}:{'never' if since is None else f'{since:%Y-%m-%d}'}"


def overdue_jump(userid: str, year: int, week: int) -> str:
    return f"overdue-jump:{userid}:{year}-W{week:02d}"


def deletions(userid: str, day: date) -> str:
    return f"deletions:{userid}:{day:%Y-%m-%d}"


def stalled_deal(deal_id: int, stage: str, since: datetime) -> str:
    return f"stalled:deal-{deal_id}:{stage}:{since:%Y%m%d}"


def anomaly_kind(key: str) -> str:
    """The kind of alert a key stands for (silent, overdue-jump, deletions, stalled)."""
    return key.split(":", 1)[0]


def anomalies_list(manager: str, day: date, first: str) -> str:
    """A manager's message of the day's alerts, named by the first alert in it."""
    return f"anomalies:{manager}:{day:%Y-%m-%d}:{first}"
