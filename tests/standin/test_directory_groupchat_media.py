"""Members, departments, customer groups and media upload shapes."""

import requests


def test_departments_and_leaders(api):
    depts = api.get("department/list")["department"]
    assert [(d["id"], d["name"], d["parentid"]) for d in depts] == [(1, "公司", 0), (2, "华东销售部", 1)]
    assert depts[1]["department_leader"] == ["wangwu"]
    wangwu = api.get("user/get", userid="wangwu")
    assert wangwu["is_leader_in_dept"] == [1] and wangwu["department"] == [2]
    assert api.get("user/get", userid="ghost")["errcode"] == 60111


def test_simplelist_and_follow_users(api):
    names = {u["userid"]: u["name"] for u in api.get("user/simplelist", department_id=2)["userlist"]}
    assert names == {"wangwu": "王五", "zhangsan": "张三", "lisi": "李四"}
    assert sorted(api.get("externalcontact/get_follow_user_list")["follow_user"]) == [
        "lisi",
        "wangwu",
        "zhangsan",
    ]


def test_groupchat_get_uses_the_api_join_scene_enum(api):
    chats = api.post("externalcontact/groupchat/list", {"limit": 10})["group_chat_list"]
    chat = api.post("externalcontact/groupchat/get", {"chat_id": chats[0]["chat_id"], "need_name": 1})["group_chat"]
    customer = next(m for m in chat["member_list"] if m["type"] == 2)
    assert customer["join_scene"] == 3 and customer["name"] == "张建国" and chat["member_version"]
    assert api.post("externalcontact/groupchat/get", {"chat_id": "wrNope"})["errcode"] == 40050


def test_media_upload_returns_a_string_created_at(standin, api):
    files = {"media": ("report.csv", "name,count\n张三,3\n".encode(), "text/csv")}
    answer = requests.post(
        standin.api_base + "media/upload",
        params={"access_token": api.token, "type": "file"},
        files=files,
        timeout=5,
    ).json()
    assert answer["errcode"] == 0 and answer["type"] == "file" and isinstance(answer["created_at"], str)
    msg = {
        "touser": "zhangsan",
        "msgtype": "file",
        "agentid": 1000002,
        "file": {"media_id": answer["media_id"]},
    }
    assert api.post("message/send", msg)["errcode"] == 0
