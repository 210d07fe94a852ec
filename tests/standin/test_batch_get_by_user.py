"""batch/get_by_user pages with cursors, lists a customer once per requested rep who follows them, and refuses
the singular `userid` field."""

from collections import Counter

from wecom_standin import Corp


def fetch_all(api, userids, limit=None):
    cursor, pages, rows = "", 0, []
    while True:
        body = {"userid_list": userids, "cursor": cursor, **({"limit": limit} if limit else {})}
        answer = api.post("externalcontact/batch/get_by_user", body)
        assert answer["errcode"] == 0
        rows += answer["external_contact_list"]
        pages += 1
        cursor = answer["next_cursor"]
        if not cursor:
            return rows, pages


def test_pages_of_100_cover_every_customer_once(big_api):
    rows, pages = fetch_all(big_api, ["rep001", "rep002", "rep003"], limit=100)
    ids = [r["external_contact"]["external_userid"] for r in rows]
    assert pages == 3 and len(ids) == 250 and len(set(ids)) == 250
    assert {r["follow_info"]["userid"] for r in rows} == {"rep001", "rep002", "rep003"}
    assert all(isinstance(r["follow_info"]["tag_id"], list) for r in rows)


def test_default_limit_is_50(big_api):
    rows, pages = fetch_all(big_api, ["rep001"])
    assert len(rows) == 84 and pages == 2


def test_singular_userid_is_40058(big_api):
    answer = big_api.post("externalcontact/batch/get_by_user", {"userid": "rep001"})
    assert answer["errcode"] == 40058 and "userid_list" in answer["errmsg"]


def test_more_than_100_userids_and_foreign_cursors_are_40058(big_api):
    users = [f"rep{i:03d}" for i in range(1, 102)]
    assert big_api.post("externalcontact/batch/get_by_user", {"userid_list": users})["errcode"] == 40058
    first = big_api.post("externalcontact/batch/get_by_user", {"userid_list": ["rep001"]})
    other = {"userid_list": ["rep002"], "cursor": first["next_cursor"]}
    assert big_api.post("externalcontact/batch/get_by_user", other)["errcode"] == 40058


def test_a_customer_with_several_reps_is_listed_once_per_rep_across_pages(shared_api):
    corp = Corp.generated(reps=6, customers=300, shared=0.1)
    wanted = ["rep001", "rep002", "rep004", "rep005"]
    expected = {
        (c.external_userid, f.userid): f
        for c in corp.external_contacts.values()
        for f in c.follow_user
        if f.userid in wanted
    }
    rows, pages = fetch_all(shared_api, wanted, limit=30)
    pairs = [(r["external_contact"]["external_userid"], r["follow_info"]["userid"]) for r in rows]
    assert len(pairs) == len(set(pairs)) and set(pairs) == set(expected) and pages > 5
    assert max(Counter(e for e, _ in pairs).values()) > 1  # a customer comes once per requested rep following them
    for r in rows:
        follow = expected[(r["external_contact"]["external_userid"], r["follow_info"]["userid"])]
        assert (r["follow_info"]["remark"], r["follow_info"]["createtime"], r["follow_info"]["state"]) == (
            follow.remark,
            follow.createtime,
            follow.state,
        )


def test_the_shared_customers_are_about_a_tenth_with_their_own_follow_info():
    corp = Corp.generated(reps=6, customers=300, shared=0.1)
    plain = Corp.generated(reps=6, customers=300)
    counts = Counter(len(c.follow_user) for c in corp.external_contacts.values())
    assert set(counts) == {1, 2, 3} and 20 <= counts[2] + counts[3] <= 40
    several = next(c for c in corp.external_contacts.values() if len(c.follow_user) == 3)
    assert len({(f.userid, f.remark, f.createtime) for f in several.follow_user}) == 3
    assert [(c.name, c.follow_user[0]) for c in plain.external_contacts.values()] == [
        (c.name, c.follow_user[0]) for c in corp.external_contacts.values()
    ]  # the first reps are as without
