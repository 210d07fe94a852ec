"""gettoken, where the token must travel, and what invalidated or expired tokens answer."""

import requests


def test_gettoken_returns_the_same_token_while_it_is_valid(api):
    first = api.gettoken()
    assert first["errcode"] == 0 and first["expires_in"] == 7200
    assert api.gettoken()["access_token"] == first["access_token"]


def test_several_secrets_are_accepted_and_get_their_own_token(api):
    app = api.gettoken()["access_token"]
    contact = api.gettoken(secret="standin-contact-secret")
    assert contact["errcode"] == 0 and contact["access_token"] != app


def test_wrong_corpid_is_40013_and_wrong_secret_is_40001(api):
    assert api.gettoken(corpid="wwsomebodyelse")["errcode"] == 40013
    assert api.gettoken(secret="nope")["errcode"] == 40001


def test_token_in_the_body_is_41001(standin, api):
    body = {
        "access_token": api.token,
        "touser": "zhangsan",
        "msgtype": "text",
        "agentid": 1000002,
        "text": {"content": "hi"},
    }
    answer = requests.post(standin.api_base + "message/send", json=body, timeout=5).json()
    assert answer["errcode"] == 41001 and "query string" in answer["errmsg"] and answer["hint"]
    assert standin.delivered() == []


def test_invalidated_tokens_answer_40014_until_a_new_one_is_fetched(standin, api):
    old = api.token
    assert api.get("user/get", userid="zhangsan")["errcode"] == 0
    standin.invalidate_tokens()
    assert api.get("user/get", userid="zhangsan")["errcode"] == 40014
    api.forget_token()
    assert api.token != old
    assert api.get("user/get", userid="zhangsan")["errcode"] == 0


def test_expired_tokens_answer_42001_manually_and_after_7200_seconds(standin, api, clock):
    assert api.token
    standin.expire_tokens()
    assert api.get("user/get", userid="zhangsan")["errcode"] == 42001
    api.forget_token()
    assert api.get("user/get", userid="zhangsan")["errcode"] == 0
    clock.advance(7200)
    assert api.get("user/get", userid="zhangsan")["errcode"] == 42001
