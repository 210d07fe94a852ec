"""The callback blueprint: translates HTTP to `Ingest` and back; all logic lives in bot/ingest.py."""

from __future__ import annotations

from flask import Blueprint, Response, request

from bot.ingest import Ack, Ingest


def callback_blueprint(ingest: Ingest) -> Blueprint:
    blueprint = Blueprint("wecom", __name__)

    @blueprint.get("/wecom/callback")
    def verify() -> Response:
        return _respond(ingest.verify(request.args))

    @blueprint.post("/wecom/callback")
    def receive() -> Response:
        return _respond(ingest.receive(request.args, request.get_data(cache=False)))

    return blueprint


def _respond(ack: Ack) -> Response:
    # WeCom wants the bare echostr: no quotes, no BOM, no trailing newline.
    return Response(ack.body, status=ack.status, mimetype="text/plain")
