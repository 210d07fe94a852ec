"""fail_next, http_error_next and slow_next affect only the next calls and deliver nothing."""

import pytest
import requests

TEXT = {"touser": "zhangsan", "msgtype": "text", "agentid": 1000002, "text": {"content": "提醒"}}


def test_fail_next_answers_the_errcode_then_recovers(standin, api):
    standin.fail_next("message/send", errcode=45009, times=2)
    assert [api.post("message/send", TEXT)["errcode"] for _ in range(3)] == [45009, 45009, 0]
    assert len(standin.delivered("app")) == 1
    assert standin.count("message/send") == 3 and standin.count("message/send", errcode=45009) == 2
    assert [r.injected for r in standin.requests if r.path == "message/send"] == ["fail", "fail", None]


def test_http_error_next_returns_a_non_json_500(standin, api):
    assert api.token
    standin.http_error_next("/cgi-bin/message/send", status=502)
    resp = requests.post(standin.api_base + "message/send", params={"access_token": api.token}, json=TEXT, timeout=5)
    assert resp.status_code == 502 and not resp.headers["Content-Type"].startswith("application/json")
    assert standin.delivered() == []
    assert api.post("message/send", TEXT)["errcode"] == 0


def test_slow_next_makes_a_short_client_timeout_fire(standin, api):
    assert api.token
    standin.slow_next("user/get", seconds=1.0)
    with pytest.raises(requests.Timeout):
        requests.get(standin.api_base + "user/get", params={"access_token": api.token, "userid": "lisi"}, timeout=0.2)
    assert api.get("user/get", userid="lisi")["name"] == "李四"


def test_unknown_api_is_48001(api):
    assert api.post("externalcontact/nonexistent", {})["errcode"] == 48001
