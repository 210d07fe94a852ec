"""The one sender: outbox rows to WeCom, within its limits, each outcome recorded on the row.

A crash or an outage delays a message and never loses it: a row is only closed after WeCom answered, and
failures are paused, retried or closed as scrm.queue.RetryPolicy says. When we cannot know whether WeCom
took a message (the process died after sending, or the answer came after our timeout), it is sent again:
- an app message carries WeCom's `enable_duplicate_check` from its first send, so the copy is identical JSON
  and WeCom drops it: reminders, alerts and every other system message for 4 h, a reply (`repeatable`) for
  an hour (REPLY_CHECK_SECONDS);
- but a rep who asks twice must get the answer twice: a reply identical to one that may have reached WeCom
  within that hour (our rows say so: sent, being sent, or sent without an answer) goes without the check,
  since WeCom would drop it. That reply alone, if the worker dies sending it, can arrive twice;
- a welcome's code works once (41051 on the copy);
- group robots and app group chats have no check at all.
"""

from __future__ import annotations

import contextlib
import logging
from base64 import b64decode
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis

from bot import metrics
from bot.ratelimit import SendLimits
from bot.tag_writer import TagWriter
from bot.wecom import AlreadyDone, OutcomeUnknown, Refused, WebhookClient, WeComClient
from scrm import keys, outbox, queue, teams, texts
from scrm.clock import Clock
from scrm.db import Store
from scrm.models import OutboxMessage
from scrm.outbox import (
    TEAM_CHAT,
    AppChatImage,
    AppChatMarkdown,
    AppMarkdown,
    AppText,
    Message,
    Outbox,
    TagCustomer,
    WebhookImage,
    WebhookMarkdown,
    Welcome,
)
from scrm.statuses import QueueStatus

log = logging.getLogger(__name__)

DUPLICATE_CHECK_SECONDS = 4 * 3600  # WeCom's longest: a copy sent again after an outage is still caught
# A reply's copy comes after the lease (at most 10 min), a paused or retried try, or a restarted worker; an
# identical earlier reply within it makes a new one go unchecked, so no longer than the copies need.
REPLY_CHECK_SECONDS = 3600
CLOCK_MARGIN = timedelta(minutes=5)  # our clock against WeCom's, when we look back over the interval
UNKNOWN = f"{OutcomeUnknown.__module__}.{OutcomeUnknown.__name__}"  # how a row's last_error starts after a timeout


@dataclass(frozen=True)
class Route:
    """Where a message goes: an API path on the app's client, or a robot key."""

    path: str
    body: dict[str, Any]


def render(message: Message, agent_id: int, *, check: bool = True, media_id: str = "") -> Route:
    """The WeCom request body for a message (only the sender knows WeCom's JSON); an app message carries the
    duplicate check unless `check` is False; a picture for an app chat needs the `media_id` its upload returned."""
    match message:
        case AppText(to=to, text=text, repeatable=repeatable):
            return Route(
                "message/send",
                {
                    "touser": "|".join(to),
                    "msgtype": "text",
                    "agentid": agent_id,
                    "text": {"content": text},
                    **_once(repeatable, check),
                },
            )
        case AppMarkdown(to=to, content=content, repeatable=repeatable):
            return Route(
                "message/send",
                {
                    "touser": "|".join(to),
                    "msgtype": "markdown",
                    "agentid": agent_id,
                    "markdown": {"content": content},
                    **_once(repeatable, check),
                },
            )
        case AppChatMarkdown(chat_id=chat_id, content=content):
            return Route("appchat/send", {"chatid": chat_id, "msgtype": "markdown", "markdown": {"content": content}})
        case AppChatImage(chat_id=chat_id):
            return Route("appchat/send", {"chatid": chat_id, "msgtype": "image", "image": {"media_id": media_id}})
        case WebhookImage(base64=data, md5=md5):
            return Route("webhook/send", {"msgtype": "image", "image": {"base64": data, "md5": md5}})
        case WebhookMarkdown(content=content, mentions=mentions):
            text = content + "".join(f"\n<@{userid}>" for userid in mentions)
            return Route("webhook/send", {"msgtype": "markdown", "markdown": {"content": text}})
        case Welcome(welcome_code=code, text=text):  # a used code answers 41051: the check is built in
            return Route("externalcontact/send_welcome_msg", {"welcome_code": code, "text": {"content": text}})
    raise TypeError(f"no route for {type(message).__name__}")


def _once(repeatable: bool, check: bool) -> dict[str, int]:
    if not check:
        return {}
    return {
        "enable_duplicate_check": 1,
        "duplicate_check_interval": REPLY_CHECK_SECONDS if repeatable else DUPLICATE_CHECK_SECONDS,
    }


class Sender:
    def __init__(
        self,
        store: Store,
        app: WeComClient,
        contact: WeComClient,
        webhooks: WebhookClient,
        limits: SendLimits,
        clock: Clock,
        *,
        agent_id: int,
        policy: queue.RetryPolicy = queue.RetryPolicy(),
        lease: timedelta = timedelta(seconds=60),
        operators: tuple[str, ...] = (),
    ) -> None:
        self._store, self._app, self._contact, self._webhooks = store, app, contact, webhooks
        self._limits, self._clock, self._agent_id = limits, clock, agent_id
        self._policy, self._lease, self._operators = policy, lease, operators
        self._tag_writer = TagWriter(store, contact, clock)

    def run_once(self, limit: int = 5) -> int:
        """Deliver up to `limit` due messages, urgent ones (welcomes) first; returns how many were tried.

        Small batches: a welcome that arrives meanwhile waits for at most `limit` other messages.
        """
        with self._store.transaction() as session:
            claim = queue.claim(
                session,
                OutboxMessage,
                now=self._clock.now(),
                lease=self._lease,
                limit=limit,
                order=(OutboxMessage.priority,),
            )
        for n, row_id in enumerate(claim.ids):
            try:  # the rows after this one, unless a dead worker had them, have not reached WeCom yet
                self._deliver(row_id, claim.token, untried=frozenset(claim.ids[n + 1 :]) - claim.recovered)
            except Exception as error:  # a malformed row must not stop the sender, nor come back forever
                log.exception("outbox %s: cannot be delivered", row_id)
                with self._store.transaction() as session:
                    row = session.get(OutboxMessage, row_id)
                    queue.settle(
                        session,
                        OutboxMessage,
                        row_id,
                        claim.token,
                        error,
                        now=self._clock.now(),
                        policy=self._policy,
                        attempts=row.attempts,
                        waited=self._clock.now() - row.created_at,
                    )
        return len(claim.ids)

    def run_pending(self) -> int:
        """Deliver everything due now (tests and the demo); returns how many attempts were made."""
        return queue.drain(self.run_once)

    def _deliver(self, row_id: int, token: str, *, untried: frozenset[int] = frozenset()) -> None:
        with self._store.transaction() as session:
            row = session.get(OutboxMessage, row_id)
        message = outbox.load(row.payload)
        now = self._clock.now()
        if row.expires_at and now > row.expires_at:  # a welcome code lives 20 s
            return self._close(row_id, token, QueueStatus.EXPIRED, None, {"note": "not sent before it expired"})
        if now - row.created_at > self._policy.max_age:
            return self._expire(row, token)
        try:
            wait = self._limits.wait(message)
            if wait:
                return self._pause(row_id, token, now + timedelta(seconds=wait))
            result = self._send(message, self._check(message, row_id, untried))
        except AlreadyDone as done:
            self._close(row_id, token, QueueStatus.SENT, done.errcode, {"errmsg": done.errmsg})
        except Exception as error:  # paused, dead or retried, as the policy says
            self._settle(row, token, error)
            if isinstance(error, Refused) and isinstance(message, TEAM_CHAT):
                self._team_chat_refused(message, error.errcode)
        else:
            self._close(row_id, token, QueueStatus.SENT, 0, _answer(result))
            with contextlib.suppress(redis.RedisError):  # sent is sent: a Redis hiccup must not resend it
                self._limits.sent(message)

    def _settle(self, row: OutboxMessage, token: str, error: Exception) -> None:
        now = self._clock.now()
        with self._store.transaction() as session:
            status = queue.settle(
                session,
                OutboxMessage,
                row.id,
                token,
                error,
                now=now,
                policy=self._policy,
                attempts=row.attempts,
                waited=now - row.created_at,
                errcode=getattr(error, "errcode", None),
            )
        metrics.SENDS.labels(status, str(getattr(error, "errcode", None) or type(error).__name__)).inc()
        level = logging.ERROR if status == QueueStatus.DEAD else logging.WARNING
        log.log(
            level,
            "outbox %s: %s (errcode %s), attempt %d -> %s",
            row.id,
            type(error).__name__,
            getattr(error, "errcode", None),
            row.attempts,
            status,
        )

    def _expire(self, row: OutboxMessage, token: str) -> None:
        """Too old to be useful (WeCom failed for longer than max_age): dropped, recorded, operators told once
        an hour."""
        now = self._clock.now()
        metrics.SENDS.labels(QueueStatus.EXPIRED, "0").inc()
        log.error(
            "outbox %s: not sent within %s (kept failing: %s); dropped as expired, see `scrm outbox list "
            "--status expired`",
            row.id,
            self._policy.max_age,
            (row.last_error or "")[:200],
        )
        with self._store.transaction() as session:
            if not queue.finish(
                session,
                OutboxMessage,
                row.id,
                token,
                status=QueueStatus.EXPIRED,
                response={"note": f"older than {self._policy.max_age} when it could go"},
            ):
                return
            if self._operators and not keys.for_operators(row.key):
                Outbox(session, now).add(
                    AppText(
                        to=self._operators,
                        text=texts.MESSAGES_EXPIRED.format(hours=round(self._policy.max_age / timedelta(hours=1))),
                    ),
                    key=keys.operators_expired(now),
                )

    def _pause(self, row_id: int, token: str, until: datetime, error: str | None = None) -> None:
        """Back in the queue until `until`, without counting an attempt (a limit or an outage said wait)."""
        with self._store.transaction() as session:
            queue.release(session, OutboxMessage, row_id, token, until=until, error=error)

    def _check(self, message: Message, row_id: int, untried: frozenset[int]) -> bool:
        """Whether an app message carries WeCom's duplicate check: always, but for a reply identical to another
        message that may have reached WeCom within the reply's interval (WeCom would drop this one)."""
        if not getattr(message, "repeatable", False):
            return True
        since = self._clock.now() - timedelta(seconds=REPLY_CHECK_SECONDS) - CLOCK_MARGIN
        with self._store.read() as session:
            return not outbox.may_have_reached_wecom(
                session, outbox.digest(message), since=since, other_than=untried | {row_id}, unknown=UNKNOWN
            )

    def _send(self, message: Message, check: bool) -> dict[str, Any]:
        if isinstance(message, TagCustomer):
            return self._tag_writer.apply(message)
        media_id = self._app.upload_image(b64decode(message.base64)) if isinstance(message, AppChatImage) else ""
        route = render(message, self._agent_id, check=check, media_id=media_id)
        if isinstance(message, WebhookMarkdown | WebhookImage):
            return self._webhooks.send(message.webhook_key, route.body)
        client = self._contact if isinstance(message, Welcome) else self._app
        return client.post(route.path, data=route.body)

    def _close(self, row_id: int, token: str, status: QueueStatus, errcode: int | None, response: dict) -> None:
        metrics.SENDS.labels(status, str(errcode or 0)).inc()
        with self._store.transaction() as session:
            closed = queue.finish(
                session,
                OutboxMessage,
                row_id,
                token,
                status=status,
                errcode=errcode,
                response=response,
                sent_at=self._clock.now() if status == QueueStatus.SENT else None,
            )
        if not closed:
            log.warning("outbox %s: claim lost before recording %s", row_id, status)

    def _team_chat_refused(self, message: TEAM_CHAT, errcode: int | None) -> None:
        """A chat WeCom says is gone is disabled (and its managers told), not tried again and again."""
        kind, target = (
            ("robot", message.webhook_key)
            if isinstance(message, WebhookMarkdown | WebhookImage)
            else ("appchat", message.chat_id)
        )
        with self._store.transaction() as session:
            teams.refused(session, kind=kind, target=target, errcode=errcode, now=self._clock.now())


def _answer(result: dict[str, Any]) -> dict[str, Any]:
    """What to keep of WeCom's answer: ids and partial failures, never echoed content."""
    keep = ("errmsg", "msgid", "invaliduser", "invalidparty", "invalidtag", "unlicenseduser", "created")
    return {k: v for k, v in result.items() if k in keep and v}
