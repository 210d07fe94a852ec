"""Group robot (webhook/send, webhook/upload_media) and media/upload."""

from __future__ import annotations

import secrets

from ..records import Delivered, Media
from .base import ApiError, Call, route
from .content import MEDIA_TYPES, webhook_content

MAX_BYTES = {"image": 10 << 20, "voice": 2 << 20, "video": 10 << 20, "file": 20 << 20}


def _webhook_key(call: Call) -> str:
    key = call.query.get("key", "")
    if key not in call.state.webhook_keys:
        raise ApiError(93000)
    return key


@route("webhook/send", auth=False)
def webhook_send(call: Call) -> dict:
    key = _webhook_key(call)
    msgtype = call.get("msgtype")
    content = webhook_content(call, msgtype)
    now = call.now()
    if not call.state.webhook_windows.allows(key, now):
        raise ApiError(45009, "api freq out of limit (robot: 20 messages per minute)")
    call.state.webhook_windows.add(key, now)
    call.state.deliver(Delivered("webhook", [key], msgtype, content, call.body, now))
    return {}


def _store_upload(call: Call, media_type: str, allowed: tuple[str, ...]) -> dict:
    if media_type not in allowed:
        raise ApiError(40004)
    upload = call.files.get("media")
    if upload is None:
        raise ApiError(41005)
    data = upload.read()
    if len(data) <= 5:
        raise ApiError(40006)
    if len(data) > MAX_BYTES[media_type]:
        raise ApiError(45001)
    created = int(call.now())
    media = Media("3" + secrets.token_urlsafe(40), media_type, upload.filename or "", len(data), created, data)
    call.state.media[media.media_id] = media
    return {"type": media_type, "media_id": media.media_id, "created_at": str(created)}


@route("media/upload")
def media_upload(call: Call) -> dict:
    return _store_upload(call, call.query.get("type", ""), MEDIA_TYPES)


@route("webhook/upload_media", auth=False)
def webhook_upload_media(call: Call) -> dict:
    _webhook_key(call)
    return _store_upload(call, call.query.get("type", ""), ("file", "voice"))
