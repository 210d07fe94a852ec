"""Ready-made corps: `sample_corp()` (a handful of people) and `generated_corp()` (large, deterministic)."""

from __future__ import annotations

import random

from .corp import ChatMember, Corp, GroupChat

SAMPLE_CORP_ID = "wwstandin0000001"
SAMPLE_AGENT_ID = 1000002
SAMPLE_SECRET = "standin-secret"
SAMPLE_CONTACT_SECRET = "standin-contact-secret"
CHANNEL_GROUP_ID = "etStandinGroupChannel0001"
WEBSITE_TAG_ID = "etStandinTagWebsite0001"
SAMPLE_CHAT_ID = "wrStandinChat0001"
BASE_TIME = 1763880000

_SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦许何吕施张孔曹严华金魏陶姜"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国雪梅志红"
_CITIES = ["杭州", "上海", "苏州", "宁波", "南京", "合肥", "无锡", "温州"]
_TRADES = ["机械制造", "电子科技", "精密仪器", "化工", "物流", "自动化设备", "新材料", "包装"]
_STATES = ["", "", "expo2026_booth3", "website", "referral"]


def _base(corp_id: str = SAMPLE_CORP_ID) -> Corp:
    corp = Corp(corp_id=corp_id, agent_id=SAMPLE_AGENT_ID, secret=SAMPLE_SECRET, secrets={SAMPLE_CONTACT_SECRET: None})
    corp.add_department(1, "公司", parentid=0)
    return corp


def sample_corp() -> Corp:
    """One sales department (leader wangwu), three members, three customers, one tag group."""
    corp = _base()
    corp.add_department(2, "华东销售部", parentid=1, leaders=["wangwu"])
    corp.add_member("wangwu", "王五", [2], is_leader_in_dept=[1], position="销售经理")
    corp.add_member("zhangsan", "张三", [2], position="销售代表", direct_leader=["wangwu"])
    corp.add_member("lisi", "李四", [2], position="销售代表", direct_leader=["wangwu"])
    group = corp.add_tag_group("渠道", ["官网"], order=1, create_time=BASE_TIME - 86400, group_id=CHANNEL_GROUP_ID)
    group.tags[0].id = WEBSITE_TAG_ID
    corp.add_customer(
        "zhangsan",
        "wmCust0001",
        "张建国",
        corp_name="华为技术有限公司",
        state="expo2026_booth3",
        createtime=BASE_TIME - 3600,
        add_way=1,
    )
    corp.external_contacts["wmCust0001"].position = "采购经理"
    corp.add_customer(
        "zhangsan",
        "wmCust0002",
        "李雪梅",
        corp_name="杭州机械制造有限公司",
        createtime=BASE_TIME - 7200,
        add_way=1,
        tags=[WEBSITE_TAG_ID],
    )
    corp.add_customer("lisi", "wmCust0003", "王芳", createtime=BASE_TIME - 10800, add_way=3)
    corp.external_contacts["wmCust0003"].gender = 2
    corp.add_group_chat(
        GroupChat(
            chat_id=SAMPLE_CHAT_ID,
            name="华为项目群",
            owner="zhangsan",
            create_time=BASE_TIME - 3000,
            member_list=[
                ChatMember("zhangsan", type=1, join_time=BASE_TIME - 3000, join_scene=1, name="张三"),
                ChatMember("lisi", type=1, join_time=BASE_TIME - 2900, join_scene=1, invitor="zhangsan", name="李四"),
                ChatMember(
                    "wmCust0001",
                    type=2,
                    join_time=BASE_TIME - 2800,
                    join_scene=3,
                    invitor="zhangsan",
                    name="张建国",
                ),
            ],
            admin_list=["lisi"],
        )
    )
    return corp


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def generated_corp(reps: int, customers: int, seed: int = 0, shared: float = 0.0) -> Corp:
    """`reps` members in department 2 (rep001 leads it); customer i is followed by rep i % reps.

    `shared` (0 to 1): the share of customers who added one or two more reps as well (WeCom's ordinary shape for
    a customer who knows several people of the company), each rep with their own remark, tags, add time, way and
    channel. The corp without them is the same as with `shared=0`.
    """
    if reps < 1:
        raise ValueError("reps must be >= 1")
    if not 0 <= shared <= 1 or (shared and reps < 2):
        raise ValueError("shared must be between 0 and 1, and needs at least 2 reps")
    rng = random.Random(seed)
    corp = _base()
    corp.add_department(2, "销售部", parentid=1, leaders=["rep001"])
    for i in range(1, reps + 1):
        corp.add_member(
            f"rep{i:03d}",
            _person(rng),
            [2],
            is_leader_in_dept=[1 if i == 1 else 0],
            position="销售经理" if i == 1 else "销售代表",
            direct_leader=[] if i == 1 else ["rep001"],
        )
    group = corp.add_tag_group(
        "渠道", ["官网", "展会", "转介绍"], order=1, create_time=BASE_TIME - 86400, group_id=CHANNEL_GROUP_ID
    )
    group.tags[0].id = WEBSITE_TAG_ID
    tag_ids = [t.id for t in group.tags]
    for i in range(customers):
        rep = f"rep{i % reps + 1:03d}"
        company = f"{rng.choice(_CITIES)}{rng.choice(_TRADES)}有限公司" if rng.random() < 0.8 else ""
        tags = [rng.choice(tag_ids)] if rng.random() < 0.5 else []
        corp.add_customer(
            rep,
            f"wmGen{i + 1:06d}",
            _person(rng),
            corp_name=company,
            state=rng.choice(_STATES),
            createtime=BASE_TIME - 60 * (customers - i),
            add_way=rng.choice((1, 2, 3)),
            tags=tags,
        )
    if shared:
        _share(corp, reps, shared, random.Random(f"{seed}:shared"), tag_ids)
    return corp


def _share(corp: Corp, reps: int, shared: float, rng: random.Random, tag_ids: list[str]) -> None:
    """Give about `shared` of the customers one or two more reps (their own random draw: the rest stays as is)."""
    for contact in list(corp.external_contacts.values()):
        if rng.random() >= shared:
            continue
        first = contact.follow_user[0]
        others = [f"rep{i:03d}" for i in range(1, reps + 1) if f"rep{i:03d}" != first.userid]
        for userid in rng.sample(others, min(rng.choice((1, 2)), len(others))):
            corp.attach_contact(
                userid,
                contact.external_userid,
                remark=f"{contact.name}-{userid}",
                createtime=first.createtime + rng.randrange(3600, 30 * 86400),
                state=rng.choice(_STATES),
                add_way=rng.choice((1, 2, 3)),
                tags=rng.sample(tag_ids, rng.choice((0, 1, 2))),
            )
