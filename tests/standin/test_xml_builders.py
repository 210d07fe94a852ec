"""Callback XML builders: CDATA strings, bare numbers, optional fields absent, `]]>` survives."""

from wecom_standin import xml


def test_text_message_matches_the_wecom_shape():
    doc = xml.text_message("zhangsan", "你好", msg_id=7312345678901234567, create_time=1763880000)
    assert "<CreateTime>1763880000</CreateTime>" in doc and "<MsgId>7312345678901234567</MsgId>" in doc
    assert "<AgentID>1000002</AgentID>" in doc and "<Content><![CDATA[你好]]></Content>" in doc
    assert xml.parse(doc)["ToUserName"] == "wwstandin0000001"


def test_cdata_terminator_inside_content_round_trips():
    tricky = "a]]>b<c>&d"
    assert xml.parse(xml.text_message("zhangsan", tricky))["Content"] == tricky


def test_contact_added_omits_missing_welcome_code():
    doc = xml.parse(xml.contact_added("zhangsan", "wmCust0001", state="expo2026_booth3", create_time=1))
    assert doc["FromUserName"] == "sys" and doc["Event"] == "change_external_contact"
    assert doc["State"] == "expo2026_booth3" and "WelcomeCode" not in doc


def test_deletions_and_transfer_failure():
    by_rep = xml.parse(xml.contact_deleted_by_rep("zhangsan", "wmCust0001", source="DELETE_BY_TRANSFER"))
    assert (by_rep["ChangeType"], by_rep["Source"]) == ("del_external_contact", "DELETE_BY_TRANSFER")
    assert xml.parse(xml.contact_deleted_by_customer("lisi", "wmCust0003"))["ChangeType"] == "del_follow_user"
    assert xml.parse(xml.transfer_failed("lisi", "wmCust0003", "customer_limit_exceed"))["FailReason"] == (
        "customer_limit_exceed"
    )


def test_external_chat_lists_members_as_items_and_counts_them():
    raw = xml.external_chat(
        "wrChat", "update", "add_member", join_scene=3, mem_change_list=["wmA", "lisi"], cur_mem_ver="v2"
    )
    assert "<JoinScene>3</JoinScene>" in raw and "<MemChangeCnt>2</MemChangeCnt>" in raw
    assert xml.parse(raw)["MemChangeList"]["Item"] == ["wmA", "lisi"]


def test_external_tag_and_contact_change():
    shuffle = xml.parse(xml.external_tag("etGroup", tag_type=None, change_type="shuffle"))
    assert "TagType" not in shuffle and shuffle["Id"] == "etGroup"
    raw = xml.contact_change("update_user", "zhangsan", department=[1, 5], status=1)
    assert "<ChangeType>update_user</ChangeType>" in raw and "<Status>1</Status>" in raw
    assert xml.parse(raw)["Department"] == "1,5"
