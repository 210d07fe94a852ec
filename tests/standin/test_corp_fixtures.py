"""Corp.sample() holds the documented people; Corp.generated() is deterministic."""

from wecom_standin import Corp


def test_sample_corp_facts():
    corp = Corp.sample()
    assert (corp.corp_id, corp.agent_id, corp.secret) == ("wwstandin0000001", 1000002, "standin-secret")
    assert corp.departments[2].name == "华东销售部" and corp.departments[2].department_leader == ["wangwu"]
    assert {m.userid: m.name for m in corp.members_in(2)} == {
        "wangwu": "王五",
        "zhangsan": "张三",
        "lisi": "李四",
    }
    huawei = corp.external_contacts["wmCust0001"]
    assert huawei.corp_name == "华为技术有限公司" and huawei.follow("zhangsan").state == "expo2026_booth3"
    assert [c.external_userid for c in corp.customers_of("lisi")] == ["wmCust0003"]
    assert [t.name for t in corp.tag_groups[0].tags] == ["官网"]


def test_generated_corp_is_deterministic_and_spreads_customers():
    a, b = Corp.generated(reps=3, customers=250, seed=7), Corp.generated(reps=3, customers=250, seed=7)
    assert [c.name for c in a.external_contacts.values()] == [c.name for c in b.external_contacts.values()]
    assert [len(a.customers_of(f"rep{i:03d}")) for i in (1, 2, 3)] == [84, 83, 83]


def test_add_customer_attaches_it_to_the_rep():
    corp = Corp.sample()
    corp.add_customer("lisi", "wmNew", "赵强", state="website")
    assert corp.external_contacts["wmNew"].follow("lisi").state == "website"
