"""batch/get_by_user pages with cursors and refuses the singular `userid` field."""


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
