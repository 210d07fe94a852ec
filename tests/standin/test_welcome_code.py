"""send_welcome_msg: codes are single use and live 20 seconds on the stand-in clock."""


def welcome(code, content="您好，我是张三"):
    return {"welcome_code": code, "text": {"content": content}}


def test_a_code_works_once_then_answers_41051(standin, api):
    code = standin.issue_welcome_code("zhangsan", "wmCust0001")
    assert api.post("externalcontact/send_welcome_msg", welcome(code))["errcode"] == 0
    assert api.post("externalcontact/send_welcome_msg", welcome(code))["errcode"] == 41051
    [item] = standin.delivered("welcome")
    assert item.recipients == ["wmCust0001"] and item.content == "您好，我是张三"


def test_a_code_expires_after_20_seconds(standin, api, clock):
    fresh = standin.issue_welcome_code("zhangsan", "wmCust0001")
    stale = standin.issue_welcome_code("zhangsan", "wmCust0002")
    clock.advance(19)
    assert api.post("externalcontact/send_welcome_msg", welcome(fresh))["errcode"] == 0
    clock.advance(2)
    assert api.post("externalcontact/send_welcome_msg", welcome(stale))["errcode"] == 41050
    assert len(standin.delivered("welcome")) == 1


def test_unknown_missing_and_oversized(standin, api):
    assert api.post("externalcontact/send_welcome_msg", welcome("WCnope"))["errcode"] == 41050
    assert api.post("externalcontact/send_welcome_msg", {"text": {"content": "x"}})["errcode"] == 41049
    code = standin.issue_welcome_code("zhangsan", "wmCust0001")
    assert api.post("externalcontact/send_welcome_msg", welcome(code, "好" * 1334))["errcode"] == 40058
    assert api.post("externalcontact/send_welcome_msg", welcome(code))["errcode"] == 0
