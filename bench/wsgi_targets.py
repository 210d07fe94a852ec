"""App factories for gunicorn, configured by environment variables (set by bench/ingest.py).

    gunicorn 'bench.wsgi_targets:bare_app()'    # the baseline: read the body, answer an empty 200
    gunicorn 'bench.wsgi_targets:ingest_app()'  # the project's app, without dispatcher or sender

Each worker touches a file in BENCH_READY_DIR once its app is built, so the benchmark starts the load
only when every worker is ready; with BENCH_TIMINGS_DIR both apps are timed (bench/timing.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response, request

from bench.timing import TimedStore, Totals, timed


def _serve(app: Flask):
    folder = os.environ.get("BENCH_READY_DIR")
    if folder:
        (Path(folder) / str(os.getpid())).touch()
    return app


def _totals() -> Totals | None:
    folder = os.environ.get("BENCH_TIMINGS_DIR")
    return Totals(folder) if folder else None


def bare_app():
    app = Flask(__name__)

    @app.post("/wecom/callback")
    def receive() -> Response:
        request.get_data(cache=False)
        return Response("", status=200, mimetype="text/plain")

    totals = _totals()
    if totals:
        app.wsgi_app = timed(app.wsgi_app, totals)  # type: ignore[method-assign]
    return _serve(app)


def ingest_app():
    from bot.app import build, create_app
    from bot.settings import load_settings
    from scrm.db import Store, make_engine

    settings = load_settings(_env_file=None)
    engine = make_engine(settings.database_url, schema=os.environ.get("BENCH_DB_SCHEMA") or None)
    totals = _totals()
    app = create_app(build(settings, store=TimedStore(engine, totals) if totals else Store(engine)))
    if totals:
        app.wsgi_app = timed(app.wsgi_app, totals)  # type: ignore[method-assign]
    return _serve(app)
