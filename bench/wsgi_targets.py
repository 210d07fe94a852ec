"""App factories for gunicorn, configured by environment variables (set by bench/servers.py).

    gunicorn 'bench.wsgi_targets:bare_app()'    # the baseline: read the body, answer an empty 200
    gunicorn 'bench.wsgi_targets:ingest_app()'  # the project's app, without dispatcher or sender

Each worker touches a file in BENCH_READY_DIR once its app is built, so the benchmark starts the load
only when every worker is ready.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response, request


def _ready() -> None:
    folder = os.environ.get("BENCH_READY_DIR")
    if folder:
        (Path(folder) / str(os.getpid())).touch()


def bare_app() -> Flask:
    app = Flask(__name__)

    @app.post("/wecom/callback")
    def receive() -> Response:
        request.get_data(cache=False)
        return Response("", status=200, mimetype="text/plain")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok", mimetype="text/plain")

    _ready()
    return app


def ingest_app() -> Flask:
    from bot.app import build, create_app
    from bot.settings import load_settings

    settings = load_settings(_env_file=None)
    app = create_app(build(settings, db_schema=os.environ.get("BENCH_DB_SCHEMA") or None))
    _ready()
    return app
