"""The composition root: builds the store, clients, router, dispatcher and sender once, and the Flask app.

The CLI, gunicorn, the demo and the tests all go through `build()` / `create_app()`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import redis
from flask import Flask, jsonify, request
from sqlalchemy.exc import OperationalError
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

from bot import metrics
from bot.access import Access
from bot.callback import callback_blueprint
from bot.crypto import MAX_BODY, CallbackCrypto
from bot.dispatch import Dispatcher
from bot.ingest import Ingest
from bot.locks import RedisJobLock
from bot.migrate import schema_of
from bot.ratelimit import SendLimits
from bot.sender import Sender
from bot.settings import ConfigError, DatabaseSettings, Settings, load_settings
from bot.wake import Signal
from bot.wecom import WebhookClient, WeComClient
from handlers import build_router
from handlers.context import HandlerSettings
from jobs.runner import Runner
from scrm import health, workdays
from scrm.clock import Clock, SystemClock
from scrm.db import Store, make_engine
from scrm.spool import Spool, SpoolDamaged

log = logging.getLogger(__name__)
REDIS_TIMEOUTS = {"socket_timeout": 2, "socket_connect_timeout": 2}


@dataclass
class Services:
    settings: Settings
    store: Store
    clock: Clock
    redis: redis.Redis | None
    ingest: Ingest
    dispatcher: Dispatcher
    sender: Sender
    app_client: WeComClient
    contact_client: WeComClient
    inbox_signal: Signal
    outbox_signal: Signal
    jobs: Runner
    spool: Spool | None = None


@dataclass
class Local:
    """What commands that only touch the store need (no WeCom secrets)."""

    settings: DatabaseSettings
    store: Store
    clock: Clock


def open_local(settings: DatabaseSettings) -> Local:
    use_calendar(settings)
    return Local(settings, open_store(settings), SystemClock())


def open_store(settings: DatabaseSettings, *, db_schema: str | None = None) -> Store:
    """The store, checked: it answers and its schema is this code's; else ConfigError with one line."""
    store = Store(make_engine(settings.database_url, schema=db_schema))
    try:
        problem = schema_of(store.engine).problem()
    except OperationalError as error:
        raise cannot_open(settings, error) from None
    if problem:
        raise ConfigError(problem)
    return store


def cannot_open(settings: DatabaseSettings, error: OperationalError) -> ConfigError:
    """The driver's first line (host, port, file: never the password), e.g. `Connection refused`."""
    reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
    return ConfigError(f"DATABASE_URL: cannot open {settings.database_shown}: {reason}")


def use_calendar(settings: DatabaseSettings) -> None:
    try:
        workdays.use(workdays.load(settings.scrm_holidays_file))
    except workdays.CalendarFileError as error:
        raise ConfigError(f"SCRM_HOLIDAYS_FILE: {error}") from None


def build(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    store: Store | None = None,
    db_schema: str | None = None,
) -> Services:
    settings = settings or load_settings()
    use_calendar(settings)
    clock = clock or SystemClock()
    store = store or Store(make_engine(settings.database_url, schema=db_schema))
    # Bounded waits: a Redis that hangs must not hang the sender (it then waits, see bot/sender.py).
    redis_client = redis.Redis.from_url(settings.redis_url, **REDIS_TIMEOUTS) if settings.redis_url else None
    prefix = settings.scrm_redis_prefix
    tokens = RedisStorage(redis_client, prefix=f"{prefix}:wechatpy") if redis_client else MemoryStorage()

    def client(secret: str) -> WeComClient:
        return WeComClient(settings.wecom_corp_id, secret, api_base=settings.wecom_api_base, storage=tokens)

    app_client = client(settings.wecom_agent_secret.get_secret_value())
    contact_client = client(settings.contact_secret.get_secret_value())
    inbox_signal = Signal(f"{prefix}:wake:inbox", redis_client, local_dir=settings.scrm_wake_dir)
    outbox_signal = Signal(f"{prefix}:wake:outbox", redis_client, local_dir=settings.scrm_wake_dir)
    crypto = CallbackCrypto(
        settings.wecom_token.get_secret_value(),
        settings.wecom_encoding_aes_key.get_secret_value(),
        settings.wecom_corp_id,
    )
    spool = Spool.beside(store)
    ingest = Ingest(
        crypto, store, clock, max_age=settings.wecom_callback_max_age, on_new=inbox_signal.notify, spool=spool
    )
    handler_settings = HandlerSettings(
        agent_id=settings.wecom_agent_id,
        timezone=settings.timezone,
        first_follow_up=settings.scrm_first_follow_up,
        funnel=settings.funnel,
        company=settings.scrm_company_name,
        big_deal_amount=settings.scrm_big_deal_amount,
        admins=settings.admins,
        honor_titles=settings.jobs.honor_metrics,
    )
    policy = settings.retry_policy
    dispatcher = Dispatcher(
        store,
        build_router(),
        contact_client,
        clock,
        handler_settings,
        policy=policy,
        on_outbox=outbox_signal.notify,
        spool=spool,
    )
    sender = Sender(
        store,
        app_client,
        contact_client,
        WebhookClient(settings.wecom_api_base),
        SendLimits(settings.redis_url, namespace=prefix, **REDIS_TIMEOUTS),
        clock,
        agent_id=settings.wecom_agent_id,
        policy=policy,
        operators=settings.operators,
        lease=timedelta(seconds=settings.scrm_send_lease_seconds),
    )
    jobs = Runner(
        store,
        settings.jobs,
        clock,
        on_outbox=outbox_signal.notify,
        lock=RedisJobLock(redis_client, prefix) if redis_client else None,
        policy=policy,
    )
    return Services(
        settings,
        store,
        clock,
        redis_client,
        ingest,
        dispatcher,
        sender,
        app_client,
        contact_client,
        inbox_signal,
        outbox_signal,
        jobs,
        spool,
    )


def create_app(services: Services | None = None) -> Flask:
    services = services or build()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.extensions["scrm"] = services
    app.register_blueprint(callback_blueprint(services.ingest))
    settings = services.settings
    token = settings.scrm_metrics_token
    access = Access(token.get_secret_value().encode() if token else None, settings.metrics_networks)
    exposition = metrics.Exposition(
        services.store,
        services.clock,
        services.spool,
        jobs=tuple(services.jobs.table),
        cache=timedelta(seconds=settings.scrm_metrics_cache_seconds),
    )

    def allowed() -> bool:
        return access.allows(request.remote_addr, request.headers.get("Authorization"))

    @app.get("/metrics")
    def metrics_page():
        if not allowed():  # refused before any database work
            refused = app.response_class("forbidden\n", status=401 if token else 403, mimetype="text/plain")
            if token:
                refused.headers["WWW-Authenticate"] = "Bearer"
            return refused
        body, content_type = exposition.render()
        return app.response_class(body, mimetype=None, content_type=content_type)

    def health_now() -> tuple[dict, int]:
        try:
            return _health(services)
        except Exception as error:  # reachability only, never the URL or the message
            log.warning("health check failed: %s", type(error).__name__)
            return {"status": "down", "error": type(error).__name__}, 503

    probe = metrics.Cached(
        services.clock, timedelta(seconds=settings.scrm_metrics_cache_seconds), lambda _now: health_now()[1]
    )

    @app.get("/healthz")
    def healthz():
        """200 while callbacks can be taken, with what is degraded named; else 503; always JSON, whatever fails.
        When access is restricted, others get the status code alone (probes keep working), read at most once a
        cache period per process."""
        if not allowed():
            return app.response_class(status=probe.get(), mimetype="text/plain")
        body, status = health_now()
        return jsonify(body), status

    return app


def _health(services: Services) -> tuple[dict, int]:
    checks = _database_checks(services.store)
    if services.redis is not None:
        checks["redis"] = _check(services.redis.ping)
    if "unreachable" in checks.values() or checks.get("schema") != "ok":
        return {"status": "down", **checks}, 503
    spooled, incidents = (0, None), []
    if services.spool:
        try:
            spooled = services.spool.waiting()
        except SpoolDamaged as damaged:
            return {"status": "down", **checks, "spool": f"{damaged}: callbacks are refused until it is made anew"}, 503
        incidents = [f"spool damaged before: {note}" for note in services.spool.incidents()]
    with services.store.read() as session:
        report, problems = health.queues(session, services.clock.now(), spooled)
    problems += incidents
    return {"status": "degraded" if problems else "ok", "problems": problems, **checks, **report}, 200


def _database_checks(store: Store) -> dict[str, str]:
    try:
        schema = schema_of(store.engine)
    except Exception as error:  # reachability only, never the URL or the message
        log.warning("health check failed: %s", type(error).__name__)
        return {"database": "unreachable"}
    return {"database": "ok", "schema": "ok" if schema.at_head else schema.problem()}


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as error:  # report reachability only, never the settings or the message
        log.warning("health check failed: %s", type(error).__name__)
        return "unreachable"
