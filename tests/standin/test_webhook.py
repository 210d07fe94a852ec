"""Group robot: key check, 20 messages a minute, markdown byte limit."""

import requests


def send(standin, body, key="standin-webhook-key"):
    return requests.post(standin.api_base + "webhook/send", params={"key": key}, json=body, timeout=5).json()


def md(content="**日报** 新增客户 3"):
    return {"msgtype": "markdown", "markdown": {"content": content}}


def test_the_21st_message_in_a_minute_is_45009(standin, clock):
    answers = [send(standin, md(f"#{i}"))["errcode"] for i in range(21)]
    assert answers == [0] * 20 + [45009]
    assert len(standin.delivered("webhook")) == 20
    clock.advance(60)
    assert send(standin, md())["errcode"] == 0


def test_limits_are_per_key(standin):
    standin.register_webhook("second-robot")
    for i in range(20):
        send(standin, md(f"#{i}"))
    assert send(standin, md(), key="second-robot")["errcode"] == 0
    assert standin.delivered("webhook")[-1].recipients == ["second-robot"]


def test_unknown_key_is_93000(standin):
    assert send(standin, md(), key="nope")["errcode"] == 93000


def test_markdown_over_4096_bytes_is_40058(standin):
    answer = send(standin, md("好" * 1366))
    assert answer["errcode"] == 40058
    assert "markdown.content exceed max length 4096" in answer["errmsg"]
    assert send(standin, md("好" * 1365))["errcode"] == 0
