"""The callback blueprint: translates HTTP to `Ingest` and back; all logic lives in bot/ingest.py."""

from __future__ import annotations

import time

from flask import Blueprint, Response, request

from bot import metrics
from bot.ingest import Ack, Ingest


def callback_blueprint(ingest: Ingest) -> Blueprint:
    blueprint = Blueprint("wecom", __name__)

    @blueprint.get("/wecom/callback")
    def verify() -> Response:
        started = time.perf_counter()
        return _respond(ingest.verify(request.args), started)

    @blueprint.post("/wecom/callback")
    def receive() -> Response:
        started = time.perf_counter()
        return _respond(ingest.receive(request.args, request.get_data(cache=False)), started)

    return blueprint


def _respond(ack: Ack, started: float) -> Response:
    metrics.CALLBACKS.labels(str(ack.status)).inc()
    metrics.ACK_SECONDS.observe(time.perf_counter() - started)
    # WeCom wants the bare echostr: no quotes, no BOM, no trailing newline.
    return Response(ack.body, status=ack.status, mimetype="text/plain")
