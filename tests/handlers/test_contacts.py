"""Customer lifecycle over real encrypted callbacks and the stand-in, on every backend."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from scrm import tagging, welcome
from scrm.clock import FrozenClock
from scrm.models import Customer, CustomerRep, CustomerTag, Deal, FollowUp, Interaction, OutboxMessage
from tests.conftest import drain
from wecom_standin import xml
from wecom_standin.fixtures import WEBSITE_TAG_ID

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 27, 15, 0, tzinfo=SHANGHAI))  # a Friday afternoon


@pytest.fixture
def rules(services, clock):
    with services.store.transaction() as session:
        tagging.add(session, kind="channel", pattern="expo2026*", group="渠道", tag="展会", now=clock.now())
        tagging.add(session, kind="keyword", pattern="制造,工厂,机械", group="行业", tag="制造", now=clock.now())


def at(clock, offset: int = 0) -> int:
    return int(clock.now().timestamp()) + offset


def new_customer(
    standin,
    external="wmNew0001",
    name="陈志强",
    corp_name="苏州精密机械制造有限公司",
    state="expo2026_booth3",
    rep="zhangsan",
    remark="",
):
    standin.corp.add_external_contact(external, name, corp_name=corp_name, position="采购经理")
    standin.corp.attach_contact(rep, external, state=state, remark=remark)
    return standin.issue_welcome_code(rep, external)


def added(
    standin,
    clock,
    external="wmNew0001",
    state="expo2026_booth3",
    code=None,
    rep="zhangsan",
    offset=0,
    change_type="add_external_contact",
):
    return xml.contact_added(
        user_id=rep,
        external_user_id=external,
        state=state,
        welcome_code=code,
        create_time=at(clock, offset),
        corp_id=standin.corp.corp_id,
        change_type=change_type,
    )


def rows(services, model, *where):
    with services.store.transaction() as session:
        return list(session.exec(select(model).where(*where)).all())


def test_a_new_customer_is_welcomed_tagged_by_both_rule_kinds_and_scheduled(wecom, standin, services, clock, rules):
    code = new_customer(standin)
    for _ in range(3):  # WeCom's retries
        wecom.send(added(standin, clock, code=code))
    drain(services)
    [welcome_message] = standin.delivered("welcome")
    assert welcome_message.content.startswith("陈经理您好，我是张三")  # surname + title from 采购经理
    assert standin.count("externalcontact/add_corp_tag") == 2  # 渠道:展会 and 行业:制造, each created once
    assert standin.count("externalcontact/mark_tag") == 1
    follow = standin.corp.external_contacts["wmNew0001"].follow("zhangsan")
    marked = {standin.corp.find_tag(tag_id)[1].name for tag_id in follow.tags}
    local = {(t.group_name, t.tag_name): t for t in rows(services, CustomerTag)}
    assert set(local) == {("渠道", "展会"), ("行业", "制造")}
    assert all(t.tag_id and t.marked_at for t in local.values())
    assert local[("行业", "制造")].rule.startswith("keyword#")
    assert marked == {"展会", "制造"}
    [follow_up] = rows(services, FollowUp)
    assert follow_up.due_at.astimezone(SHANGHAI) == datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)  # Monday
    assert follow_up.userid == "zhangsan" and follow_up.note == "新客户首次跟进"  # no internal channel code for reps


def test_without_rules_the_state_becomes_a_channel_tag(wecom, standin, services, clock):
    code = new_customer(standin, state="website_form", corp_name="某某贸易")
    wecom.send(added(standin, clock, state="website_form", code=code))
    drain(services)
    [tag] = rows(services, CustomerTag)
    assert (tag.group_name, tag.tag_name, tag.rule) == ("渠道", "website_form", "default:state")
    assert tag.tag_id  # created in WeCom under the existing 渠道 group and marked


def test_an_existing_wecom_tag_is_reused_not_created_again(wecom, standin, services, clock):
    code = new_customer(standin, state="官网", corp_name="某某贸易")  # the sample corp has 渠道:官网
    wecom.send(added(standin, clock, state="官网", code=code))
    drain(services)
    assert standin.count("externalcontact/add_corp_tag") == 0
    assert standin.count("externalcontact/mark_tag") == 1


def test_the_welcome_template_of_the_channel_is_used(wecom, standin, services, clock):
    with services.store.transaction() as session:
        welcome.set_template(session, channel="", text="您好{客户}！", now=clock.now())
        welcome.set_template(
            session, channel="expo2026*", text="{客户}您好，我是{销售}，展会上聊的{公司}方案稍后发您。", now=clock.now()
        )
    code = new_customer(standin)
    wecom.send(added(standin, clock, code=code))
    drain(services)
    [message] = standin.delivered("welcome")
    assert message.content == "陈经理您好，我是张三，展会上聊的苏州精密机械制造有限公司方案稍后发您。"


def test_a_customer_deleting_the_rep_alerts_rep_and_manager_and_puts_deals_at_risk(wecom, standin, services, clock):
    code = new_customer(standin, state="")
    wecom.send(added(standin, clock, state="", code=code))
    drain(services)
    with services.store.transaction() as session:
        session.add(
            Deal(
                external_userid="wmNew0001",
                userid="zhangsan",
                stage="方案报价",
                opened_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    standin.corp.mark_deleted_by_customer("zhangsan", "wmNew0001")
    clock.advance(minutes=5)
    wecom.send(
        xml.contact_deleted_by_customer("zhangsan", "wmNew0001", create_time=at(clock), corp_id=standin.corp.corp_id)
    )
    drain(services)
    alerts = {tuple(m.recipients): m.content for m in standin.delivered("app")}
    assert "删除了你" in alerts[("zhangsan",)] and "1 个进行中的商机已标为风险" in alerts[("zhangsan",)]
    assert "删除了销售张三" in alerts[("wangwu",)]
    [deal] = rows(services, Deal)
    assert deal.at_risk and deal.status == "open"
    [rel] = rows(services, CustomerRep)
    assert rel.status == "lost"


def test_a_customer_adding_a_second_rep_and_leaving_one_changes_only_that_reps_relation(
    wecom, standin, services, clock, rules
):
    """陈志强 added 张三 through the expo, then 李四 through the website; 李四 edits his remark and tags; then he
    deletes 张三. Each step touches only the relation, tags, follow-ups and deals of the rep it is about."""
    wecom.send(added(standin, clock, code=new_customer(standin)))
    drain(services)
    clock.advance(hours=1)
    standin.corp.attach_contact("lisi", "wmNew0001", state="website", remark="陈总-苏州")
    wecom.send(added(standin, clock, state="website", code=standin.issue_welcome_code("lisi", "wmNew0001"), rep="lisi"))
    drain(services)
    relations = {r.userid: r for r in rows(services, CustomerRep)}
    assert len(rows(services, Customer)) == 1 and set(relations) == {"zhangsan", "lisi"}
    assert (relations["zhangsan"].state, relations["zhangsan"].remark) == ("expo2026_booth3", "")
    assert (relations["lisi"].state, relations["lisi"].remark) == ("website", "陈总-苏州")
    assert relations["lisi"].added_at == clock.now() and relations["zhangsan"].added_at < clock.now()
    welcomes = [m.content for m in standin.delivered("welcome")]  # each rep welcomes, as they call him
    assert [
        w.startswith(start) for w, start in zip(welcomes, ("陈经理您好，我是张三", "陈总您好，我是李四"), strict=True)
    ] == [True, True]
    assert sorted(f.userid for f in rows(services, FollowUp, FollowUp.status == "open")) == ["lisi", "zhangsan"]
    zhangsans_tags = {(t.group_name, t.tag_name) for t in rows(services, CustomerTag, CustomerTag.userid == "zhangsan")}
    assert zhangsans_tags == {("渠道", "展会"), ("行业", "制造")}

    follow = standin.corp.external_contacts["wmNew0001"].follow("lisi")
    follow.remark, follow.tags = "陈总", [WEBSITE_TAG_ID]  # 李四 edits in the client
    wecom.send(xml.contact_edited("lisi", "wmNew0001", create_time=at(clock, 60), corp_id=standin.corp.corp_id))
    drain(services)
    relations = {r.userid: r for r in rows(services, CustomerRep)}
    assert (relations["lisi"].remark, relations["zhangsan"].remark) == ("陈总", "")
    assert {(t.group_name, t.tag_name) for t in rows(services, CustomerTag, CustomerTag.userid == "lisi")} == {
        ("渠道", "官网")
    }
    assert {
        (t.group_name, t.tag_name) for t in rows(services, CustomerTag, CustomerTag.userid == "zhangsan")
    } == zhangsans_tags

    with services.store.transaction() as session:
        for rep in ("zhangsan", "lisi"):
            session.add(
                Deal(
                    external_userid="wmNew0001",
                    userid=rep,
                    stage="方案报价",
                    opened_at=clock.now(),
                    updated_at=clock.now(),
                )
            )
    standin.reset_records()
    standin.corp.mark_deleted_by_customer("zhangsan", "wmNew0001")
    wecom.send(
        xml.contact_deleted_by_customer(
            "zhangsan", "wmNew0001", create_time=at(clock, 120), corp_id=standin.corp.corp_id
        )
    )
    drain(services)
    assert {r.userid: r.status for r in rows(services, CustomerRep)} == {"zhangsan": "lost", "lisi": "active"}
    assert {d.userid: d.at_risk for d in rows(services, Deal)} == {"zhangsan": True, "lisi": False}
    assert sorted(tuple(m.recipients) for m in standin.delivered("app")) == [("wangwu",), ("zhangsan",)]
    assert "lisi" in {f.userid for f in rows(services, FollowUp, FollowUp.status == "open")}


def test_a_handover_is_recorded_as_a_transfer_and_raises_no_alert(wecom, standin, services, clock):
    code = new_customer(standin, state="")
    wecom.send(added(standin, clock, state="", code=code))
    drain(services)
    standin.reset_records()
    wecom.send(
        xml.contact_deleted_by_rep(
            "zhangsan",
            "wmNew0001",
            source="DELETE_BY_TRANSFER",
            create_time=at(clock, 60),
            corp_id=standin.corp.corp_id,
        )
    )
    drain(services)
    assert standin.delivered("app") == []
    [rel] = rows(services, CustomerRep)
    assert rel.status == "transferred"
    assert {f.status for f in rows(services, FollowUp)} == {"cancelled"}


def test_a_rep_deleting_a_customer_tells_the_manager(wecom, standin, services, clock):
    code = new_customer(standin, state="")
    wecom.send(added(standin, clock, state="", code=code))
    drain(services)
    standin.corp.detach_contact("zhangsan", "wmNew0001")
    wecom.send(
        xml.contact_deleted_by_rep("zhangsan", "wmNew0001", create_time=at(clock, 60), corp_id=standin.corp.corp_id)
    )
    drain(services)
    [notice] = [m for m in standin.delivered("app") if m.recipients == ["wangwu"]]
    assert "销售张三" in notice.content and "删除了客户「陈志强」" in notice.content
    assert rows(services, CustomerRep)[0].status == "deleted_by_rep"


def test_an_edit_before_its_add_gives_the_in_order_result(wecom, standin, services, clock, rules):
    code = new_customer(standin, remark="陈总")
    wecom.send(xml.contact_edited("zhangsan", "wmNew0001", create_time=at(clock, 30), corp_id=standin.corp.corp_id))
    wecom.send(added(standin, clock, code=code))
    drain(services)
    [rel] = rows(services, CustomerRep)
    assert (rel.status, rel.remark, rel.state) == ("active", "陈总", "expo2026_booth3")
    assert len(standin.delivered("welcome")) == 1 and len(rows(services, FollowUp)) == 1
    assert {t.tag_name for t in rows(services, CustomerTag)} == {"展会", "制造"}


def test_a_delete_that_overtakes_its_add_leaves_the_customer_lost_and_unwelcomed(wecom, standin, services, clock):
    code = new_customer(standin, state="")
    standin.corp.mark_deleted_by_customer("zhangsan", "wmNew0001")
    wecom.send(
        xml.contact_deleted_by_customer("zhangsan", "wmNew0001", create_time=at(clock, 5), corp_id=standin.corp.corp_id)
    )
    wecom.send(added(standin, clock, state="", code=code))
    drain(services)
    [rel] = rows(services, CustomerRep)
    assert rel.status == "lost"
    assert standin.delivered("welcome") == [] and rows(services, FollowUp) == []


def test_a_delete_for_a_customer_never_seen_does_not_crash(wecom, standin, services, clock):
    wecom.send(xml.contact_deleted_by_rep("zhangsan", "wmGhost", create_time=at(clock), corp_id=standin.corp.corp_id))
    drain(services)
    [rel] = rows(services, CustomerRep)
    assert rel.status == "deleted_by_rep"
    assert [m for m in standin.delivered("app") if "（未知客户）" in m.content]


def test_a_half_add_welcomes_once_and_the_full_add_completes_it(wecom, standin, services, clock):
    code = new_customer(standin, state="")
    wecom.send(added(standin, clock, state="", code=code, change_type="add_half_external_contact"))
    drain(services)
    assert rows(services, CustomerRep)[0].status == "half" and rows(services, FollowUp) == []
    wecom.send(added(standin, clock, state="", offset=40))  # WeCom sends no code on the later add
    drain(services)
    assert rows(services, CustomerRep)[0].status == "active"
    assert len(standin.delivered("welcome")) == 1 and len(rows(services, FollowUp)) == 1


def test_a_failed_handover_is_recorded(wecom, standin, services, clock):
    wecom.send(
        xml.transfer_failed(
            "zhangsan",
            "wmCust0001",
            fail_reason="customer_refused",
            create_time=at(clock),
            corp_id=standin.corp.corp_id,
        )
    )
    drain(services)
    [entry] = rows(services, Interaction, Interaction.kind == "transfer_failed")
    assert "客户拒绝" in entry.text


def test_tag_library_changes_are_mirrored(wecom, standin, services, clock):
    from scrm.models import Tag, TagGroup

    standin.corp.add_tag_group("意向", ["高", "中", "低"])
    wecom.send(
        xml.external_tag(
            "etWhatever",
            tag_type="tag_group",
            change_type="create",
            create_time=at(clock),
            corp_id=standin.corp.corp_id,
        )
    )
    drain(services)
    groups = {g.name for g in rows(services, TagGroup)}
    assert groups == {"渠道", "意向"}
    assert {t.name for t in rows(services, Tag)} >= {"官网", "高", "中", "低"}


def test_customer_group_chats_are_recorded_and_dismissed(wecom, standin, services, clock):
    from scrm.models import GroupChat

    chat_id = "wrStandinChat0001"
    wecom.send(xml.external_chat(chat_id, change_type="create", create_time=at(clock), corp_id=standin.corp.corp_id))
    drain(services)
    [chat] = rows(services, GroupChat)
    assert (chat.name, chat.owner, chat.members, chat.external_members) == ("华为项目群", "zhangsan", 3, 1)
    wecom.send(
        xml.external_chat(chat_id, change_type="dismiss", create_time=at(clock, 10), corp_id=standin.corp.corp_id)
    )
    drain(services)
    assert rows(services, GroupChat)[0].status == "dismissed"


def test_nothing_is_sent_twice_when_every_event_arrives_twice(wecom, standin, services, clock, rules):
    code = new_customer(standin)
    events = [
        added(standin, clock, code=code),
        xml.contact_deleted_by_customer(
            "zhangsan", "wmNew0001", create_time=at(clock, 60), corp_id=standin.corp.corp_id
        ),
    ]
    for event in events + events:
        wecom.send(event)
    drain(services)
    keys = [m.key for m in rows(services, OutboxMessage)]
    assert len(keys) == len(set(keys))
    assert len(standin.delivered("welcome")) == 1
    assert sorted(tuple(m.recipients) for m in standin.delivered("app")) == [("wangwu",), ("zhangsan",)]


def test_directory_changes_keep_members_and_managers_current(wecom, standin, services, clock):
    from scrm.models import Member

    standin.corp.add_member("zhaoliu", "赵六", [2], position="销售代表")
    del standin.corp.members["lisi"]  # left the company
    standin.reset_records()
    for userid, change in (("zhaoliu", "create_user"), ("lisi", "delete_user")):
        wecom.send(xml.contact_change(change, userid, create_time=at(clock), corp_id=standin.corp.corp_id))
    clock.advance(seconds=10)  # handled a little after they happened
    drain(services)
    by_id = {m.userid: m for m in rows(services, Member)}
    assert by_id["zhaoliu"].active and by_id["zhaoliu"].department_ids == [2]
    assert not by_id["lisi"].active
    assert standin.count("department/list") == 1  # the second event was already in the first read
