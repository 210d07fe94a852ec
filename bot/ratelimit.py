"""WeCom's send limits, kept on our side because some of them drop messages silently (errcode 0).

Moving windows (never more than N in any 60 s, so no fixed minute WeCom counts can see more), shared
through Redis when configured so that every sender process counts together.
"""

from __future__ import annotations

import hashlib
import time

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from scrm.outbox import (
    AppChatImage,
    AppChatMarkdown,
    AppMarkdown,
    AppText,
    Message,
    WebhookImage,
    WebhookMarkdown,
)

# WeCom: a robot takes 20 messages a minute; the app 30 a minute and 1000 an hour per member, past
# which messages vanish without an error. We keep a small margin under each.
ROBOT = parse("18/minute")
MEMBER_MINUTE = parse("28/minute")
MEMBER_HOUR = parse("950/hour")
APPCHAT = parse("150/minute")


class SendLimits:
    def __init__(self, redis_url: str | None = None, namespace: str = "scrm", **redis_options) -> None:
        if redis_url:
            storage = storage_from_string(redis_url, key_prefix=f"{namespace}-limits", **redis_options)
        else:
            storage = storage_from_string("memory://")
        self._limiter = MovingWindowRateLimiter(storage)

    def wait(self, message: Message) -> float:
        """0 if the message may go now, else the seconds until it may. Nothing is counted yet: `sent` counts
        it once WeCom took it, so a send that failed in an outage spends nothing. (Two senders racing for the
        last slot of a window can pass it by one: inside the margin kept below WeCom's limits.)"""
        for item, key in _limits_for(message):
            if not self._limiter.test(item, key):
                reset_at = self._limiter.get_window_stats(item, key).reset_time
                return max(reset_at - time.time(), 1.0)
        return 0.0

    def sent(self, message: Message) -> None:
        for item, key in _limits_for(message):
            self._limiter.hit(item, key)


def _limits_for(message: Message) -> list[tuple[RateLimitItem, str]]:
    if isinstance(message, WebhookMarkdown | WebhookImage):
        robot = hashlib.sha256(message.webhook_key.encode()).hexdigest()[:16]  # never the key itself
        return [(ROBOT, f"robot:{robot}")]
    if isinstance(message, AppText | AppMarkdown):
        return [(item, f"member:{userid}") for userid in message.to for item in (MEMBER_MINUTE, MEMBER_HOUR)]
    if isinstance(message, AppChatMarkdown | AppChatImage):
        return [(APPCHAT, f"appchat:{message.chat_id}")]
    return []
