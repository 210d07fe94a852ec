"""GET gettoken."""

from __future__ import annotations

import math

from .base import ApiError, Call, route


@route("gettoken", method="GET", auth=False)
def gettoken(call: Call) -> dict:
    corpid = call.query.get("corpid", "")
    secret = call.query.get("corpsecret", "")
    if corpid != call.corp.corp_id:
        raise ApiError(40013)
    if secret not in call.corp.valid_secrets():
        raise ApiError(40001)
    info = call.state.token_for(secret)
    return {"access_token": info.token, "expires_in": max(1, math.ceil(info.expires_at - call.now()))}
