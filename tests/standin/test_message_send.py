"""message/send: recipients, limits, duplicate check and the silent per-member limit."""


def text(touser="zhangsan", content="明天下午三点复访", **extra):
    return {"touser": touser, "msgtype": "text", "agentid": 1000002, "text": {"content": content}, **extra}


def test_partly_unknown_recipients_are_reported_and_the_rest_delivered(standin, api):
    answer = api.post("message/send", text("zhangsan|Ghost"))
    assert answer["errcode"] == 0 and answer["invaliduser"] == "ghost" and answer["msgid"]
    [item] = standin.delivered("app")
    assert item.recipients == ["zhangsan"] and item.content == "明天下午三点复访"


def test_all_unknown_recipients_is_81013(standin, api):
    assert api.post("message/send", text("ghost|nobody"))["errcode"] == 81013
    assert standin.delivered() == []


def test_toparty_reaches_the_department_members(standin, api):
    api.post("message/send", {**text(""), "toparty": "2"})
    assert sorted(standin.delivered()[0].recipients) == ["lisi", "wangwu", "zhangsan"]


def test_wrong_agentid_is_301002(api):
    assert api.post("message/send", text(agentid=1000003))["errcode"] == 301002


def test_long_text_is_truncated_but_long_markdown_is_40058(standin, api):
    assert api.post("message/send", text(content="好" * 700))["errcode"] == 0
    assert len(standin.delivered()[0].content.encode()) == 2046
    md = {
        "touser": "zhangsan",
        "msgtype": "markdown",
        "agentid": 1000002,
        "markdown": {"content": "好" * 683},
    }
    assert api.post("message/send", md)["errcode"] == 40058


def test_duplicate_check_suppresses_identical_requests_inside_the_interval(standin, api, clock):
    body = text(enable_duplicate_check=1, duplicate_check_interval=600)
    first, second = api.post("message/send", body), api.post("message/send", body)
    assert first["errcode"] == second["errcode"] == 0
    assert len(standin.delivered()) == 1 and len(standin.suppressed("duplicate")) == 1
    clock.advance(601)
    api.post("message/send", body)
    assert len(standin.delivered()) == 2


def test_more_than_30_messages_a_minute_to_one_member_are_silently_dropped(standin, api, clock):
    answers = [api.post("message/send", text(content=f"#{i}"))["errcode"] for i in range(32)]
    assert answers == [0] * 32
    assert len(standin.delivered()) == 30
    assert [s.content for s in standin.suppressed("rate_limited")] == ["#30", "#31"]
    clock.advance(60)
    api.post("message/send", text(content="later"))
    assert standin.delivered()[-1].content == "later"
