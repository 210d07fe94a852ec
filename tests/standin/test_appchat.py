"""appchat/create, get and send, with their error codes."""


def test_create_get_send(standin, api):
    body = {
        "chatid": "team7sales",
        "name": "华东销售群",
        "owner": "wangwu",
        "userlist": ["wangwu", "zhangsan"],
    }
    assert api.post("appchat/create", body) == {"errcode": 0, "errmsg": "ok", "chatid": "team7sales"}
    info = api.get("appchat/get", chatid="team7sales")["chat_info"]
    assert info["owner"] == "wangwu" and info["userlist"] == ["wangwu", "zhangsan"]
    msg = {"chatid": "team7sales", "msgtype": "markdown", "markdown": {"content": "**周报**"}}
    assert api.post("appchat/send", msg)["errcode"] == 0
    [item] = standin.delivered("appchat")
    assert item.recipients == ["team7sales"] and item.content == "**周报**"


def test_existing_chatid_is_86215_unknown_member_86216_unknown_chat_86003(api):
    body = {"chatid": "team7sales", "name": "群", "userlist": ["wangwu", "zhangsan"]}
    api.post("appchat/create", body)
    assert api.post("appchat/create", body)["errcode"] == 86215
    assert api.post("appchat/create", {**body, "chatid": "x2", "userlist": ["wangwu", "ghost"]})["errcode"] == 86216
    msg = {"chatid": "nochat", "msgtype": "text", "text": {"content": "hi"}}
    assert api.post("appchat/send", msg)["errcode"] == 86003
