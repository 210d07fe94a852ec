"""Validation of message bodies (text, markdown, cards, news, media) shared by app, appchat and webhook."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from .base import ApiError, Call, truncate_utf8, utf8_len

MEDIA_TYPES = ("image", "voice", "video", "file")


def _section(call: Call, msgtype: str) -> dict[str, Any]:
    section = call.body.get(msgtype)
    if not isinstance(section, dict):
        raise ApiError(40058, f"missing `{msgtype}` object")
    return section


def _text_field(section: dict, name: str, where: str, required: bool = True) -> str:
    value = section.get(name, "")
    if not isinstance(value, str) or (required and not value):
        raise ApiError(44004 if name == "content" else 40058, f"{where}.{name} is empty")
    return value


def _articles(section: dict) -> str:
    articles = section.get("articles")
    if not isinstance(articles, list) or not 1 <= len(articles) <= 8:
        raise ApiError(40058, "news.articles must hold 1 to 8 articles")
    titles = []
    for art in articles:
        if not isinstance(art, dict):
            raise ApiError(40058, "news.articles item is not an object")
        title = _text_field(art, "title", "news.articles")
        if utf8_len(title) > 128 or utf8_len(str(art.get("description", ""))) > 512:
            raise ApiError(40058, "news article title/description too long")
        if utf8_len(str(art.get("url", ""))) > 2048 or utf8_len(str(art.get("picurl", ""))) > 2048:
            raise ApiError(40058, "news article url too long")
        titles.append(title)
    return "\n".join(titles)


def _media(call: Call, section: dict, kind: str) -> str:
    media_id = _text_field(section, "media_id", kind)
    media = call.state.media.get(media_id)
    if media is None or call.now() - media.created_at > 3 * 86400:
        raise ApiError(40007)
    return media_id


def app_content(call: Call, msgtype: str) -> str:
    """Validate an app / appchat message body; return the delivered content (text is truncated)."""
    section = _section(call, msgtype)
    if msgtype == "text":
        return truncate_utf8(_text_field(section, "content", "text"), 2048)
    if msgtype == "markdown":
        content = _text_field(section, "content", "markdown")
        if utf8_len(content) > 2048:
            raise ApiError(40058, "markdown.content exceed max length 2048")
        return content
    if msgtype == "textcard":
        title = _text_field(section, "title", "textcard")
        desc = _text_field(section, "description", "textcard")
        url = _text_field(section, "url", "textcard")
        if len(title) > 128 or len(desc) > 512 or utf8_len(url) > 2048 or len(section.get("btntxt", "")) > 4:
            raise ApiError(40058, "textcard field too long")
        return f"{title}\n{desc}"
    if msgtype == "news":
        return _articles(section)
    if msgtype in MEDIA_TYPES:
        return _media(call, section, msgtype)
    raise ApiError(40008, f"invalid message type `{msgtype}`")


def webhook_content(call: Call, msgtype: str) -> str:
    """Validate a group-robot body; limits differ from app messages (markdown 4096, errors not truncation)."""
    section = _section(call, msgtype)
    if msgtype == "text":
        content = _text_field(section, "content", "text")
        if utf8_len(content) > 2048:
            raise ApiError(40058, "text.content exceed max length 2048")
        return content
    if msgtype in ("markdown", "markdown_v2"):
        content = _text_field(section, "content", msgtype)
        if utf8_len(content) > 4096:
            raise ApiError(40058, f"{msgtype}.content exceed max length 4096")
        return content
    if msgtype == "news":
        return _articles(section)
    if msgtype == "image":
        digest = _text_field(section, "md5", "image")
        try:
            raw = base64.b64decode(_text_field(section, "base64", "image"), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ApiError(40058, "image.base64 is not base64") from exc
        if hashlib.md5(raw).hexdigest() != digest.lower() or len(raw) > 2 * 1024 * 1024:
            raise ApiError(40058, "image md5 mismatch or image too large")
        return digest
    if msgtype in ("file", "voice"):
        return _media(call, section, msgtype)
    if msgtype == "template_card":
        title = section.get("main_title", {})
        return str(title.get("title", "")) if isinstance(title, dict) else ""
    raise ApiError(40008, f"invalid message type `{msgtype}`")
