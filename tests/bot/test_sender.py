"""The sender against the stand-in over HTTP: token trouble, rate limits and outages never lose or double a message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from wechatpy.session.memorystorage import MemoryStorage

from bot.ratelimit import SendLimits
from bot.sender import Sender
from bot.wecom import WebhookClient, WeComClient
from scrm import outbox
from scrm.models import OutboxMessage
from scrm.outbox import AppText, Outbox, WebhookMarkdown, Welcome

ROBOT = "standin-webhook-key"


def queue_texts(services, n: int, to: str = "zhangsan") -> None:
    with services.store.transaction() as session:
        for i in range(n):
            Outbox(session, services.clock.now()).add(AppText(to=(to,), text=f"提醒 {i}"), key=f"t{i}")


def statuses(services) -> list[tuple[str, int | None]]:
    with services.store.transaction() as session:
        return [(m.status, m.errcode) for m in session.exec(select(OutboxMessage).order_by(OutboxMessage.id))]


def delivered_texts(standin) -> list[str]:
    return sorted(m.content for m in standin.delivered("app"))


def test_an_invalidated_token_is_refreshed_once_and_every_message_arrives_once(services, standin):
    queue_texts(services, 3)
    services.sender.run_once(limit=1)
    standin.invalidate_tokens()
    services.sender.run_pending()
    assert delivered_texts(standin) == ["提醒 0", "提醒 1", "提醒 2"]
    assert standin.count("gettoken") == 2
    assert statuses(services) == [("sent", 0)] * 3


def test_a_token_that_never_works_is_not_refreshed_in_a_loop(services, standin):
    """wechatpy alone would recurse until RecursionError; we refresh once and pause."""
    queue_texts(services, 1)
    standin.fail_next("message/send", errcode=42001, times=50)
    services.sender.run_pending()
    assert standin.count("message/send") == 2 and standin.count("gettoken") <= 2
    assert statuses(services) == [("pending", 42001)]  # paused, the errcode kept for `scrm outbox list`


def test_45009_pauses_the_message_and_it_is_delivered_once_later(services, standin, clock):
    queue_texts(services, 2)
    standin.fail_next("message/send", errcode=45009)
    services.sender.run_pending()
    assert delivered_texts(standin) == ["提醒 1"]
    clock.advance(seconds=61)
    services.sender.run_pending()
    assert delivered_texts(standin) == ["提醒 0", "提醒 1"]
    assert [s for s, _ in statuses(services)] == ["sent", "sent"]


def test_server_errors_pause_the_message_without_spending_attempts(services, standin, clock):
    queue_texts(services, 1)
    standin.http_error_next("message/send", status=500, times=2)
    services.sender.run_pending()
    clock.advance(seconds=6)
    services.sender.run_pending()
    assert delivered_texts(standin) == [] and standin.count("message/send") == 1  # paused for 10 s
    clock.advance(seconds=5)
    services.sender.run_pending()  # the second 500
    clock.advance(seconds=10)
    services.sender.run_pending()
    assert delivered_texts(standin) == ["提醒 0"] and statuses(services) == [("sent", 0)]
    with services.store.transaction() as session:
        assert session.exec(select(OutboxMessage.attempts)).one() == 1  # only the send that worked counted


def test_a_refused_message_is_recorded_and_not_retried(services, standin, clock):
    queue_texts(services, 1, to="nobody-here")
    services.sender.run_pending()
    clock.advance(hours=2)
    services.sender.run_pending()
    assert statuses(services) == [("dead", 81013)] and standin.count("message/send") == 1


def test_a_robot_never_gets_more_than_its_20_messages_a_minute(services, standin):
    with services.store.transaction() as session:
        for i in range(25):
            Outbox(session, services.clock.now()).add(
                WebhookMarkdown(webhook_key=ROBOT, content=f"**喜报** {i}"), key=f"w{i}"
            )
    services.sender.run_pending()
    assert standin.count("webhook/send", errcode=45009) == 0
    assert len(standin.delivered("webhook")) == 18
    assert [s for s, _ in statuses(services)].count("pending") == 7  # waiting for the window, not failed


def test_a_welcome_goes_out_once_and_a_used_code_is_not_retried(services, standin):
    code = standin.issue_welcome_code("zhangsan", "wmCust0001")
    with services.store.transaction() as session:
        box = outbox.Outbox(session, services.clock.now())
        box.add(Welcome(welcome_code=code, text="您好"), key="welcome:1")
        box.add(Welcome(welcome_code=code, text="您好"), key="welcome:2")  # another app got the same code
    services.sender.run_pending()
    assert len(standin.delivered("welcome")) == 1
    assert sorted(statuses(services)) == [("sent", 0), ("sent", 41051)]


def test_a_welcome_that_could_not_leave_within_20_seconds_expires(services, standin, clock):
    code = standin.issue_welcome_code("zhangsan", "wmCust0001")
    with services.store.transaction() as session:
        outbox.Outbox(session, clock.now()).add(Welcome(welcome_code=code, text="您好"), key="welcome:1")
    clock.advance(seconds=21)
    services.sender.run_pending()
    assert statuses(services) == [("expired", None)] and standin.count("externalcontact/send_welcome_msg") == 0


def test_welcomes_jump_the_queue(services, standin):
    queue_texts(services, 30)
    code = standin.issue_welcome_code("zhangsan", "wmCust0001")
    with services.store.transaction() as session:
        outbox.Outbox(session, services.clock.now()).add(Welcome(welcome_code=code, text="您好"), key="welcome:1")
    services.sender.run_once(limit=1)
    assert [m.kind for m in standin.delivered()] == ["welcome"]


def test_processes_sharing_redis_fetch_one_token_between_them(settings, store, clock, standin, redis_server):
    from bot.app import build

    shared = settings.model_copy(update={"redis_url": redis_server})
    first, second = build(shared, clock=clock, store=store), build(shared, clock=clock, store=store)
    queue_texts(first, 2)
    first.sender.run_once(limit=1)
    second.sender.run_once(limit=1)
    assert len(standin.delivered("app")) == 2 and standin.count("gettoken") == 1


def test_a_malformed_row_is_parked_not_retried_forever(services, standin, clock):
    from scrm.models import OutboxMessage as Row

    with services.store.transaction() as session:
        session.add(
            Row(
                key="bad",
                channel="app",
                payload={"type": "NoSuchMessage"},
                created_at=clock.now(),
                next_try_at=clock.now(),
            )
        )
    for _ in range(8):
        services.sender.run_pending()
        clock.advance(hours=2)
    [(status, _)] = statuses(services)
    assert status == "dead" and standin.count("message/send") == 0


def test_two_identical_answers_both_arrive(services, standin):
    with services.store.transaction() as session:
        for key in ("a", "b"):
            queued = AppText(to=("zhangsan",), text="你的客户里没有找到「王芳」。", repeatable=True)
            Outbox(session, services.clock.now()).add(queued, key=key)
    services.sender.run_pending()
    assert len(standin.delivered("app")) == 2
    first, second = _sent_bodies(standin)
    assert first["enable_duplicate_check"] == 1 and "enable_duplicate_check" not in second  # WeCom would drop it


def test_every_app_message_carries_the_duplicate_check_a_reply_for_an_hour(services, standin, clock):
    """A reply's first send carries the check too, so a copy sent after a crash is dropped; an identical reply
    more than the hour later carries it again."""
    with services.store.transaction() as session:
        Outbox(session, clock.now()).add(AppText(to=("zhangsan",), text="⏰ 到点跟进：…"), key="reminder")
        Outbox(session, clock.now()).add(AppText(to=("zhangsan",), text="帮助…", repeatable=True), key="reply")
    services.sender.run_pending()
    clock.advance(hours=1, minutes=6)
    with services.store.transaction() as session:
        Outbox(session, clock.now()).add(AppText(to=("zhangsan",), text="帮助…", repeatable=True), key="again")
    services.sender.run_pending()
    reminder, reply, again = _sent_bodies(standin)
    assert reminder["enable_duplicate_check"] == 1 and reminder["duplicate_check_interval"] == 4 * 3600
    assert reply["enable_duplicate_check"] == 1 and reply["duplicate_check_interval"] == 3600
    assert again == reply and delivered_texts(standin) == ["⏰ 到点跟进：…", "帮助…", "帮助…"]


class Killed(BaseException):
    """The worker dies: nothing after this point runs, no row is recorded."""


class DiesAfterSending:
    """The app's client in a worker killed the moment WeCom took its request, before the answer was recorded."""

    def __init__(self, client) -> None:
        self._client = client

    def post(self, path: str, data: dict) -> dict:
        self._client.post(path, data=data)
        raise Killed

    def __getattr__(self, name: str):
        return getattr(self._client, name)


def other_worker(services, app) -> Sender:
    return Sender(
        services.store,
        app,
        services.contact_client,
        WebhookClient(services.settings.wecom_api_base),
        SendLimits(),
        services.clock,
        agent_id=services.settings.wecom_agent_id,
        lease=timedelta(seconds=60),
    )


def queue_replies(services, *keys: str, text: str = "今天没有待跟进的客户。") -> None:
    with services.store.transaction() as session:
        for key in keys:
            Outbox(session, services.clock.now()).add(AppText(to=("zhangsan",), text=text, repeatable=True), key=key)


def test_a_reply_whose_first_send_was_not_recorded_arrives_once(services, standin, clock):
    """Issue 19, finding 6: the worker died after WeCom took the reply; the copy sent after the lease carries the
    check its first send carried, and WeCom drops it (it used to arrive twice)."""
    queue_replies(services, "reply:1")
    with pytest.raises(Killed):
        other_worker(services, DiesAfterSending(services.app_client)).run_once()
    clock.advance(seconds=61)  # the dead worker's lease runs out
    services.sender.run_pending()
    assert len(standin.delivered("app")) == 1 and len(standin.suppressed("duplicate")) == 1
    assert statuses(services) == [("sent", 0)]


def test_a_rep_who_asked_twice_gets_two_answers_when_the_first_send_died(services, standin, clock):
    queue_replies(services, "reply:1", "reply:2")
    with pytest.raises(Killed):
        other_worker(services, DiesAfterSending(services.app_client)).run_once(limit=1)
    clock.advance(seconds=61)
    services.sender.run_pending()
    assert len(standin.delivered("app")) == 2  # the copy dropped, the second answer delivered (it was 3)
    assert statuses(services) == [("sent", 0), ("sent", 0)]


def test_an_identical_reply_in_flight_elsewhere_does_not_make_wecom_drop_the_second(services, standin, clock):
    """Another worker has the first answer and died (or is waiting for WeCom's answer): the second one goes without
    the check, or WeCom would drop it as a copy of the first. This is the window left: the first one's copy, sent
    after its lease, then goes without the check too, and arrives a second time."""
    queue_replies(services, "reply:1", "reply:2")
    with pytest.raises(Killed):
        other_worker(services, DiesAfterSending(services.app_client)).run_once(limit=1)
    services.sender.run_pending()
    assert len(standin.delivered("app")) == 2 and "enable_duplicate_check" not in _sent_bodies(standin)[1]
    clock.advance(seconds=61)
    services.sender.run_pending()
    assert len(standin.delivered("app")) == 3 and statuses(services) == [("sent", 0), ("sent", 0)]


def test_an_identical_reply_whose_answer_is_late_does_not_make_wecom_drop_the_second(services, standin, clock):
    """The first answer timed out (WeCom may have it): the second goes without the check."""
    impatient = WeComClient(
        services.settings.wecom_corp_id,
        services.settings.wecom_agent_secret.get_secret_value(),
        api_base=services.settings.wecom_api_base,
        storage=MemoryStorage(),
        timeout=0.5,
    )
    queue_replies(services, "reply:1", "reply:2")
    standin.answer_late("message/send", seconds=2)
    other_worker(services, impatient).run_once(limit=1)
    assert _rows(services)[0].last_error.startswith("bot.wecom.OutcomeUnknown")
    services.sender.run_pending()
    assert len(standin.delivered("app")) == 2 and "enable_duplicate_check" not in _sent_bodies(standin)[1]


def _sent_bodies(standin) -> list[dict]:
    return [r.json for r in standin.requests if r.path == "message/send"]


def test_a_send_whose_answer_never_came_is_sent_again_and_wecom_drops_the_copy(services, standin, clock):
    """WeCom took the reminder but answered after our 5 s timeout: the outcome is unknown, so the row pauses
    and is sent again, identical and with the duplicate check, and WeCom drops the copy."""
    queue_texts(services, 1)
    standin.answer_late("message/send", seconds=6)  # delivered at once, answered past the client's 5 s
    services.sender.run_pending()
    [row] = [r for r in _rows(services)]
    assert (row.status, row.attempts) == ("pending", 0) and row.last_error.startswith("bot.wecom.OutcomeUnknown")
    clock.advance(seconds=11)
    services.sender.run_pending()
    assert delivered_texts(standin) == ["提醒 0"] and len(standin.suppressed("duplicate")) == 1
    assert statuses(services) == [("sent", 0)]


def _rows(services) -> list[OutboxMessage]:
    with services.store.transaction() as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))
