"""`/metrics` and `/healthz` stay cheap whatever the history and however often they are asked, and can be kept
to a token or a network without breaking probes (issue 19: 32 clients looping on /metrics over 300,000 old rows
a queue slowed callback acks to 1.8 s)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event, insert, text

from scrm.models import InboxEvent, JobTick, OutboxMessage
from wecom_standin import xml

TOKEN = "s3cret-Metrics-Token-0123456789"


@pytest.fixture
def redis_url():
    """Redis plays no part here: one variant less of every test."""
    return None


def samples(page: str) -> dict[tuple[str, tuple], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(page)
        for s in family.samples
    }


def queue_rows(page: str, queue: str, status: str) -> float | None:
    return samples(page).get(("scrm_queue_rows", (("queue", queue), ("status", status))))


def add_history(store, clock, rows: int, start: int = 0) -> None:
    """`rows` finished inbox and outbox rows and done ticks, days old: the history that grows."""
    old = clock.now() - timedelta(days=3)
    with store.transaction() as session:
        session.execute(
            insert(InboxEvent),
            [
                {
                    "dedup_key": f"old-{n}",
                    "kind": "text",
                    "payload": {"Content": "跟进 张总"},
                    "received_at": old,
                    "next_try_at": old,
                    "status": "done",
                    "done_at": old,
                    "attempts": 1,
                    "deliveries": 1,
                }
                for n in range(start, start + rows)
            ],
        )
        session.execute(
            insert(OutboxMessage),
            [
                {
                    "key": f"old-{n}",
                    "channel": "app",
                    "payload": {"text": "已记录"},
                    "priority": 5,
                    "created_at": old,
                    "next_try_at": old,
                    "status": "sent",
                    "sent_at": old,
                    "attempts": 1,
                }
                for n in range(start, start + rows)
            ],
        )
        session.execute(
            insert(JobTick),
            [
                {
                    "job": "reminders",
                    "scheduled_for": old - timedelta(minutes=n),
                    "status": "done",
                    "attempts": 1,
                    "started_at": old,
                    "runner": "",
                    "summary": "",
                }
                for n in range(start, start + rows)
            ],
        )


def add_live(store, clock) -> None:
    """What a scrape reports: two callbacks waiting, a dead one, a message failing, a skipped tick."""
    now = clock.now()
    with store.transaction() as session:
        for key, status in (("wait-1", "pending"), ("wait-2", "pending"), ("died", "dead")):
            session.add(
                InboxEvent(dedup_key=key, kind="text", payload={}, received_at=now, next_try_at=now, status=status)
            )
        session.add(
            OutboxMessage(
                key="failing",
                channel="app",
                payload={},
                created_at=now,
                status="failed",
                next_try_at=now + timedelta(minutes=1),
                last_error="WeComError: -1",
            )
        )
        session.add(JobTick(job="reminders", scheduled_for=now - timedelta(days=1), status="skipped", started_at=now))


class DatabaseWork:
    """What the store's engine did while a block ran: statements, and how much of the tables they read (SQLite:
    virtual machine steps; PostgreSQL: rows its scans read, from EXPLAIN ANALYZE of the same statements)."""

    def __init__(self, engine) -> None:
        self.engine, self.statements, self.steps, self._on = engine, [], [0], False
        event.listen(engine, "before_cursor_execute", self._statement)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "checkout", lambda dbapi, *_: dbapi.set_progress_handler(self._step, 1))
            event.listen(engine, "checkin", lambda dbapi, *_: dbapi.set_progress_handler(None, 1))

    def _statement(self, _connection, _cursor, statement, parameters, *_) -> None:
        if self._on:
            self.statements.append((statement, parameters))

    def _step(self) -> int:
        self.steps[0] += self._on
        return 0

    def __enter__(self) -> DatabaseWork:
        self.statements.clear()
        self.steps[0], self._on = 0, True
        return self

    def __exit__(self, *_) -> None:
        self._on = False

    def read(self) -> int:
        if self.engine.dialect.name == "sqlite":
            return self.steps[0]
        with self.engine.connect() as connection:
            cursor = connection.connection.dbapi_connection.cursor()
            cursor.execute("ANALYZE")
            total = 0
            for statement, parameters in self.statements:
                if statement.lstrip().upper().startswith("SELECT"):
                    cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters)
                    found = cursor.fetchone()[0]
                    total += _rows_scanned((json.loads(found) if isinstance(found, str) else found)[0]["Plan"])
            connection.rollback()
        return total


def _rows_scanned(plan: dict) -> int:
    """Rows the plan's scans read (kept or filtered out), over all their loops."""
    scanned = 0
    if "Scan" in plan["Node Type"] and "Bitmap Index" not in plan["Node Type"]:
        read = (
            plan.get("Actual Rows", 0)
            + plan.get("Rows Removed by Filter", 0)
            + plan.get("Rows Removed by Index Recheck", 0)
        )
        scanned += read * plan.get("Actual Loops", 1)
    return scanned + sum(_rows_scanned(child) for child in plan.get("Plans", []))


@pytest.mark.parametrize("settings_overrides", [{"scrm_metrics_cache_seconds": 0}])
def test_a_scrape_reads_as_much_of_the_database_with_a_hundred_times_the_history(server, services, clock):
    add_live(services.store, clock)
    add_history(services.store, clock, 30)
    work = DatabaseWork(services.store.engine)
    with work:
        small = requests.get(f"{server}/metrics", timeout=30)
    small_work = work.read()
    add_history(services.store, clock, 3_000, start=30)
    with work:
        large = requests.get(f"{server}/metrics", timeout=30)
    large_work = work.read()
    assert small.status_code == large.status_code == 200
    assert large_work <= small_work * 1.1 + 50, (small_work, large_work)  # it used to grow with the history
    assert queue_rows(large.text, "inbox", "pending") == 2 and queue_rows(large.text, "inbox", "dead") == 1
    assert queue_rows(large.text, "outbox", "failed") == 1
    assert samples(large.text)[("scrm_job_ticks", (("job", "reminders"), ("status", "skipped")))] == 1
    assert ("scrm_job_last_done_timestamp_seconds", (("job", "reminders"),)) in samples(large.text)


def test_scrapes_within_the_cache_do_no_database_work(server, services, wecom, standin, clock):
    def callbacks_answered(page: str) -> float:
        return samples(page).get(("scrm_callbacks_total", (("status", "200"),)), 0)

    first = requests.get(f"{server}/metrics", timeout=10).text
    wecom.send(
        xml.text_message(
            from_user="zhangsan",
            content="帮助",
            msg_id="81",
            agent_id=standin.corp.agent_id,
            corp_id=standin.corp.corp_id,
            create_time=int(clock.now().timestamp()),
        )
    )
    engines = [services.store.engine, *([services.spool.engine] if services.spool else [])]
    works = [DatabaseWork(engine) for engine in engines]
    for work in works:
        work.__enter__()
    try:
        cached = [requests.get(f"{server}/metrics", timeout=10).text for _ in range(5)]
    finally:
        for work in works:
            work.__exit__()
    assert [len(work.statements) for work in works] == [0] * len(works)
    assert cached == [first] * 5  # the page made at the first scrape, for 5 s
    clock.advance(seconds=5)
    fresh = requests.get(f"{server}/metrics", timeout=10).text
    assert queue_rows(fresh, "inbox", "arriving" if services.spool else "pending") == 1
    assert callbacks_answered(fresh) == callbacks_answered(first) + 1


@pytest.mark.parametrize("settings_overrides", [{"scrm_metrics_token": TOKEN}])
def test_with_a_token_only_its_bearer_reads_metrics_and_health_details_and_probes_still_get_the_status(
    server, services, settings, clock, caplog
):
    caplog.set_level(logging.DEBUG)
    work = DatabaseWork(services.store.engine)
    with work:
        refused = [
            requests.get(f"{server}/metrics", headers=headers, timeout=10)
            for headers in (
                {},
                {"Authorization": "Bearer wrong-token-0123456789"},
                {"Authorization": TOKEN},
                {"Authorization": f"Basic {TOKEN}"},
            )
        ]
    assert [r.status_code for r in refused] == [401] * 4 and work.statements == []  # refused before any database work
    assert refused[0].headers["WWW-Authenticate"] == "Bearer" and "scrm_" not in refused[0].text
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    allowed = requests.get(f"{server}/metrics", headers=bearer, timeout=10)
    assert allowed.status_code == 200 and "scrm_queue_rows" in allowed.text

    probe = requests.get(f"{server}/healthz", timeout=10)
    assert probe.status_code == 200 and probe.text == ""
    details = requests.get(f"{server}/healthz", headers=bearer, timeout=10)
    assert details.status_code == 200 and details.json()["status"] == "ok" and "inbox" in details.json()
    with services.store.engine.begin() as connection:  # the database behind this code's schema
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        connection.execute(text("UPDATE alembic_version SET version_num = '0009'"))
    try:
        details = requests.get(f"{server}/healthz", headers=bearer, timeout=10)
        assert details.status_code == 503 and "run `scrm db upgrade`" in details.json()["schema"]
        with work:  # others' probes are answered from what was read less than 5 s ago
            assert requests.get(f"{server}/healthz", timeout=10).status_code == 200
        assert work.statements == []
        clock.advance(seconds=5)
        probe = requests.get(f"{server}/healthz", timeout=10)
        assert probe.status_code == 503 and probe.text == ""
    finally:
        with services.store.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})
    assert TOKEN not in caplog.text and TOKEN not in repr(settings)


@pytest.mark.parametrize(
    "settings_overrides, allowed",
    [
        ({"scrm_metrics_networks": "10.0.0.0/8, 192.168.7.1"}, False),
        ({"scrm_metrics_networks": "10.0.0.0/8,127.0.0.0/8"}, True),
        ({"scrm_metrics_networks": "10.0.0.0/8", "scrm_metrics_token": TOKEN}, False),
        ({"scrm_metrics_networks": "::1, 127.0.0.1"}, True),
    ],
)
def test_an_allowed_network_reads_metrics_and_health_details_others_get_the_status_alone(server, allowed):
    metrics = requests.get(f"{server}/metrics", timeout=10)  # the test's server listens on 127.0.0.1
    health = requests.get(f"{server}/healthz", timeout=10)
    if allowed:
        assert metrics.status_code == 200 and "scrm_queue_rows" in metrics.text
        assert health.status_code == 200 and health.json()["database"] == "ok"
    else:
        assert metrics.status_code in (401, 403) and "scrm_" not in metrics.text
        assert health.status_code == 200 and health.text == ""


def test_access_reads_the_peer_and_the_bearer_only():
    import ipaddress

    from bot.access import Access

    nets = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"))
    access = Access(TOKEN.encode(), nets)
    assert Access().allows("203.0.113.9", None)  # nothing set: open, as before
    assert access.allows("10.1.2.3", None) and access.allows("::ffff:10.1.2.3", None)
    assert access.allows("fd00::7", None) and not access.allows("fe80::1%eth0", None)
    assert not access.allows("203.0.113.9", None) and not access.allows(None, None)
    assert not access.allows("not an address", "Bearer nope") and not access.allows("203.0.113.9", "Bearer")
    assert access.allows("203.0.113.9", f"bearer  {TOKEN} ")
    assert not access.allows("203.0.113.9", f"Bearer {TOKEN}x")


@pytest.mark.parametrize(
    "name, value, said",
    [
        (
            "scrm_metrics_networks",
            "10.0.0.0/8,intranet",
            "SCRM_METRICS_NETWORKS: 'intranet' is not a network or an address",
        ),
        ("scrm_metrics_token", "short secret", "SCRM_METRICS_TOKEN: must be 16-200 characters without spaces"),
        ("scrm_keep_history_days", "3", "SCRM_KEEP_HISTORY_DAYS:"),
        ("scrm_keep_ledger_days", "30", "SCRM_KEEP_LEDGER_DAYS:"),
    ],
)
def test_a_bad_access_or_retention_setting_is_one_line_naming_it_and_never_the_token(name, value, said):
    from bot.settings import ConfigError, load_settings

    good = dict(
        wecom_corp_id="ww1",
        wecom_agent_id="1000002",
        wecom_agent_secret="s",
        wecom_token="Tok3n",
        wecom_encoding_aes_key="a" * 43,
        _env_file=None,
    )
    with pytest.raises(ConfigError) as error:
        load_settings(**good, **{name: value})
    assert str(error.value).startswith(said) and "\n" not in str(error.value)
    assert "short secret" not in str(error.value)
