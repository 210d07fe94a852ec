"""externalcontact/get, remark, corp tags and mark_tag against the sample corp."""


def test_get_returns_profile_and_follow_user_with_state(api):
    answer = api.get("externalcontact/get", external_userid="wmCust0001")
    assert answer["external_contact"]["name"] == "张建国"
    assert answer["external_contact"]["corp_name"] == "华为技术有限公司"
    [follow] = answer["follow_user"]
    assert follow["userid"] == "zhangsan" and follow["state"] == "expo2026_booth3"


def test_unknown_customer_is_40096_and_a_deleted_relation_is_84061(standin, api):
    assert api.get("externalcontact/get", external_userid="wmNobody")["errcode"] == 40096
    standin.corp.mark_deleted_by_customer("lisi", "wmCust0003")
    assert api.get("externalcontact/get", external_userid="wmCust0003")["errcode"] == 0
    standin.corp.detach_contact("lisi", "wmCust0003")
    assert api.get("externalcontact/get", external_userid="wmCust0003")["errcode"] == 84061


def test_a_customer_added_by_a_test_is_visible_to_the_api(standin, api):
    standin.corp.add_customer("lisi", "wmNew0001", "赵强", corp_name="苏州精密仪器有限公司", state="website")
    assert "wmNew0001" in api.get("externalcontact/list", userid="lisi")["external_userid"]
    assert api.get("externalcontact/get", external_userid="wmNew0001")["follow_user"][0]["state"] == "website"


def test_add_corp_tag_returns_new_ids_and_refuses_duplicates_and_long_names(api):
    group = api.post("externalcontact/get_corp_tag_list", {})["tag_group"][0]
    assert group["group_name"] == "渠道" and [t["name"] for t in group["tag"]] == ["官网"]
    added = api.post("externalcontact/add_corp_tag", {"group_id": group["group_id"], "tag": [{"name": "展会"}]})
    assert added["errcode"] == 0 and added["tag_group"]["tag"][0]["id"]
    dup = {"group_name": "渠道", "tag": [{"name": "官网"}]}
    assert api.post("externalcontact/add_corp_tag", dup)["errcode"] == 40071
    long = {"group_name": "行业", "tag": [{"name": "很" * 31}]}
    assert api.post("externalcontact/add_corp_tag", long)["errcode"] == 40072


def test_mark_tag_updates_the_follow_user_tags(api):
    tag_id = api.post("externalcontact/get_corp_tag_list", {})["tag_group"][0]["tag"][0]["id"]
    body = {"userid": "lisi", "external_userid": "wmCust0003", "add_tag": [tag_id]}
    assert api.post("externalcontact/mark_tag", body)["errcode"] == 0
    tags = api.get("externalcontact/get", external_userid="wmCust0003")["follow_user"][0]["tags"]
    assert [(t["group_name"], t["tag_name"]) for t in tags] == [("渠道", "官网")]
    bad = {**body, "add_tag": ["etMissing"]}
    assert api.post("externalcontact/mark_tag", bad)["errcode"] == 40068


def test_remark_is_stored_and_length_checked(api):
    body = {
        "userid": "zhangsan",
        "external_userid": "wmCust0002",
        "remark": "李总",
        "description": "年采购 200 万",
    }
    assert api.post("externalcontact/remark", body)["errcode"] == 0
    assert api.get("externalcontact/get", external_userid="wmCust0002")["follow_user"][0]["remark"] == "李总"
    assert api.post("externalcontact/remark", {**body, "remark": "长" * 21})["errcode"] == 40058
