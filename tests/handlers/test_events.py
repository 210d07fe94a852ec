from handlers.events import (
    ContactAdded,
    ContactDeletedByRep,
    ExternalChatChanged,
    TextReceived,
    Unknown,
    dedup_key,
    kind_of,
    parse,
)


def added(external: str, at: str = "1763880123", **extra) -> dict:
    return {
        "ToUserName": "ww1",
        "FromUserName": "sys",
        "CreateTime": at,
        "MsgType": "event",
        "Event": "change_external_contact",
        "ChangeType": "add_external_contact",
        "UserID": "zhangsan",
        "ExternalUserID": external,
        **extra,
    }


def test_two_customers_added_to_one_rep_in_the_same_second_get_two_keys():
    assert dedup_key(added("wmA")) != dedup_key(added("wmB"))


def test_the_same_event_delivered_again_gets_the_same_key():
    assert dedup_key(added("wmA", State="expo")) == dedup_key(added("wmA", State="expo"))


def test_add_and_delete_in_the_same_second_get_two_keys():
    deleted = added("wmA", ChangeType="del_follow_user")
    assert dedup_key(added("wmA")) != dedup_key(deleted)


def test_messages_are_keyed_on_their_msg_id():
    fields = {"MsgType": "text", "MsgId": "7312345678901234567", "AgentID": "1000002", "Content": "hi"}
    assert dedup_key(fields) == "msg:1000002:7312345678901234567"


def test_group_chat_member_changes_in_one_second_stay_apart():
    base = {
        "MsgType": "event",
        "Event": "change_external_chat",
        "ChatId": "wr1",
        "ChangeType": "update",
        "UpdateDetail": "add_member",
        "CreateTime": "1",
    }
    first = dict(base, MemChangeList={"Item": "wmA"})
    second = dict(base, MemChangeList={"Item": ["wmB", "wmC"]})
    assert dedup_key(first) != dedup_key(second)


def test_kinds_join_msgtype_event_and_changetype():
    assert kind_of(added("wmA")) == "event/change_external_contact/add_external_contact"
    assert kind_of({"MsgType": "text"}) == "text"


def test_contact_added_carries_state_and_welcome_code():
    event = parse(added("wmA", State="expo2026_booth3", WelcomeCode="CODE"))
    assert event == ContactAdded("zhangsan", "wmA", "expo2026_booth3", "CODE", event.at)
    assert event.at.timestamp() == 1763880123


def test_a_handover_is_not_a_deletion():
    event = parse(added("wmA", ChangeType="del_external_contact", Source="DELETE_BY_TRANSFER"))
    assert isinstance(event, ContactDeletedByRep) and event.is_transfer


def test_member_change_list_is_flattened_whether_one_or_many():
    base = {"MsgType": "event", "Event": "change_external_chat", "ChangeType": "update", "ChatId": "wr1"}
    assert parse(dict(base, MemChangeList={"Item": "wmA"})).member_changes == ("wmA",)
    many = parse(dict(base, MemChangeList={"Item": ["wmA", "lisi"]}, JoinScene="3"))
    assert isinstance(many, ExternalChatChanged) and many.member_changes == ("wmA", "lisi") and many.join_scene == 3


def test_unknown_kinds_parse_to_unknown_not_an_error():
    event = parse({"MsgType": "event", "Event": "some_future_event", "CreateTime": "x"})
    assert isinstance(event, Unknown) and event.kind == "event/some_future_event"


def test_text_message_with_bad_create_time_still_parses():
    event = parse(
        {"MsgType": "text", "FromUserName": "zhangsan", "Content": "帮助", "MsgId": "1", "CreateTime": "oops"}
    )
    assert isinstance(event, TextReceived) and event.content == "帮助"
