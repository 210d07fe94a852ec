"""The outbound WeCom client: wechatpy where it covers the call, the rest added here in the same style.

    WeComError (scrm.wecom)           any failed call; .errcode, .errmsg
     ├── TokenInvalid                  40014, 42001, 40001: the token was refreshed once and still failed (pause)
     ├── RateLimited                   45009, 45033: back off, never retry in a tight loop (pause)
     ├── ServerError                   -1, 41096, HTTP 5xx, timeouts, connection errors (pause)
     │    └── OutcomeUnknown           a read timeout: the request left, WeCom may have acted
     ├── AlreadyDone                   41051: the welcome went out already (or they already chatted)
     └── Refused                       everything else: the request or the configuration is wrong (final)

(pause) and (final) are scrm.queue.RetryPolicy's outcomes: a pause waits without spending an attempt.

wechatpy 1.8.18 hard-codes the gettoken URL and refreshes tokens recursively with no cap (an endpoint
that keeps answering 42001 ends in RecursionError), so we override the URL, switch its refresh off
and refresh once ourselves. `access_token` always goes in the query string (41001 otherwise).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from scrm.queue import FINAL, PAUSE
from scrm.wecom import WeComError

TOKEN_CODES = {40001, 40014, 42001}
LIMIT_CODES = {45009, 45033}
RETRY_CODES = {-1, 41096}


class TokenInvalid(WeComError):
    outcome = PAUSE  # a token WeCom keeps refusing after a refresh: every call fails alike, so wait


class RateLimited(WeComError):
    outcome = PAUSE
    min_pause = timedelta(seconds=60)  # WeCom counts per minute: never again within it


class ServerError(WeComError):
    outcome = PAUSE


class OutcomeUnknown(ServerError):
    """The request left and no answer came in time (a read timeout): WeCom may or may not have acted."""


class AlreadyDone(WeComError):
    pass


class Refused(WeComError):
    outcome = FINAL  # the request or the configuration is wrong: the same call would fail again


def classify(errcode: int | None, errmsg: str = "", http_status: int | None = None) -> WeComError:
    if errcode is None:
        return (ServerError if http_status is None or http_status >= 500 else Refused)(None, errmsg)
    if errcode in TOKEN_CODES:
        return TokenInvalid(errcode, errmsg)
    if errcode in LIMIT_CODES:
        return RateLimited(errcode, errmsg)
    if errcode in RETRY_CODES:
        return ServerError(errcode, errmsg)
    if errcode == 41051:
        return AlreadyDone(errcode, errmsg)
    return Refused(errcode, errmsg)


def _transport(error: requests.RequestException) -> ServerError:
    """No answer: before the request left (connecting) nothing happened; after (a read timeout), who knows."""
    unknown = isinstance(error, requests.ReadTimeout | requests.exceptions.ChunkedEncodingError)
    return (OutcomeUnknown if unknown else ServerError)(None, type(error).__name__)


def _from_wechatpy(error: WeChatClientException) -> WeComError:
    response = getattr(error, "response", None)
    status = response.status_code if response is not None else None
    return classify(error.errcode, str(error.errmsg or ""), status)


class WeComClient(WeChatClient):
    """One secret's client. Tokens live in `storage` (Redis when configured, so all processes share one)."""

    def __init__(self, corp_id: str, secret: str, *, api_base: str, storage: SessionStorage, timeout: float = 5.0):
        self.API_BASE_URL = f"{api_base.rstrip('/')}/cgi-bin/"
        super().__init__(corp_id, secret, session=storage, timeout=timeout, auto_retry=False)

    def fetch_access_token(self) -> dict[str, Any]:
        params = {"corpid": self.corp_id, "corpsecret": self.secret}
        try:
            return self._fetch_access_token(url=self.API_BASE_URL + "gettoken", params=params)
        except WeChatClientException as error:
            raise _from_wechatpy(error) from None
        except requests.RequestException as error:
            raise ServerError(None, type(error).__name__) from None

    def drop_token(self) -> None:
        self.session.delete(self.access_token_key)
        self.expires_at = None

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        """One call; on an invalid token, refresh once and try once more."""
        for attempt in (1, 2):
            call = dict(kwargs, params={k: v for k, v in (kwargs.get("params") or {}).items() if k != "access_token"})
            try:
                return super()._request(method, url_or_endpoint, **call)
            except WeChatClientException as error:
                mapped = _from_wechatpy(error)
            except requests.RequestException as error:
                raise _transport(error) from None
            if isinstance(mapped, TokenInvalid) and attempt == 1:
                self.drop_token()
                continue
            raise mapped
        raise AssertionError("unreachable")

    # Reads handlers and sync use.
    def get_external_contact(self, external_userid: str) -> dict[str, Any]:
        return self.get("externalcontact/get", params={"external_userid": external_userid})

    def corp_tags(self) -> list[dict[str, Any]]:
        return self.post("externalcontact/get_corp_tag_list", data={})["tag_group"]

    def group_chat(self, chat_id: str) -> dict[str, Any]:
        return self.post("externalcontact/groupchat/get", data={"chat_id": chat_id, "need_name": 0})["group_chat"]

    def add_corp_tags(self, group_name: str, names: list[str], group_id: str = "") -> dict[str, Any]:
        body: dict[str, Any] = {"tag": [{"name": name} for name in names]}
        body.update({"group_id": group_id} if group_id else {"group_name": group_name})
        return self.post("externalcontact/add_corp_tag", data=body)["tag_group"]

    def mark_tags(self, userid: str, external_userid: str, tag_ids: list[str]) -> None:
        self.post(
            "externalcontact/mark_tag", data={"userid": userid, "external_userid": external_userid, "add_tag": tag_ids}
        )

    def batch_get_by_user(self, userids: list[str], cursor: str = "", limit: int = 100) -> dict[str, Any]:
        """wechatpy 2.0a sends `userid` here; WeCom wants `userid_list`."""
        body = {"userid_list": userids, "cursor": cursor, "limit": limit}
        return self.post("externalcontact/batch/get_by_user", data=body)

    def remark(self, userid: str, external_userid: str, **fields: Any) -> dict[str, Any]:
        return self.post(
            "externalcontact/remark", data={"userid": userid, "external_userid": external_userid, **fields}
        )

    def create_appchat(self, name: str, owner: str, userids: list[str]) -> str:
        """An app group chat (needs the app's visible range to be the whole company); returns its chat id."""
        return self.post("appchat/create", data={"name": name, "owner": owner, "userlist": userids})["chatid"]

    def upload_image(self, png: bytes) -> str:
        """A temporary picture (valid 3 days) for a message; returns its media_id."""
        return self.post("media/upload", params={"type": "image"}, files={"media": ("chart.png", png, "image/png")})[
            "media_id"
        ]

    def departments(self) -> list[dict[str, Any]]:
        return self.get("department/list")["department"]

    def department_members(self, department_id: int) -> list[dict[str, Any]]:
        return self.get("user/list", params={"department_id": department_id})["userlist"]


class WebhookClient:
    """Group robots: the key in the URL is the credential, there is no token."""

    def __init__(self, api_base: str, timeout: float = 5.0) -> None:
        self._url = f"{api_base.rstrip('/')}/cgi-bin/webhook/send"
        self._http = requests.Session()
        self._timeout = timeout

    def send(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._http.post(self._url, params={"key": key}, json=body, timeout=self._timeout)
        except requests.RequestException as error:
            raise _transport(error) from None
        if response.status_code != 200:
            raise classify(None, f"HTTP {response.status_code}", response.status_code)
        try:
            result = response.json()
        except ValueError:
            raise ServerError(None, "response is not JSON") from None
        if result.get("errcode", 0) != 0:
            raise classify(int(result["errcode"]), str(result.get("errmsg", "")))
        return result
