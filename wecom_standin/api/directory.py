"""Members and departments: user/get, user/simplelist, user/list, user/list_id, department/list."""

from __future__ import annotations

from ..corp import Department, Member
from .base import ApiError, Call, route


def member_profile(m: Member) -> dict:
    return {
        "userid": m.userid,
        "name": m.name,
        "department": list(m.department),
        "order": [0] * len(m.department),
        "position": m.position,
        "mobile": m.mobile,
        "gender": m.gender,
        "email": m.email,
        "biz_mail": "",
        "is_leader_in_dept": list(m.is_leader_in_dept),
        "direct_leader": list(m.direct_leader),
        "avatar": "",
        "thumb_avatar": "",
        "telephone": "",
        "alias": "",
        "address": "",
        "open_userid": f"wo{m.userid}",
        "main_department": m.department[0],
        "extattr": {"attrs": []},
        "status": m.status,
        "qr_code": "",
        "external_position": "",
        "external_profile": {"external_attr": []},
    }


def _dept_members(call: Call) -> list[Member]:
    raw = call.arg("department_id")
    if not raw.isdigit() or int(raw) not in call.corp.departments:
        raise ApiError(60123)
    return call.corp.members_in(int(raw), recursive=call.query.get("fetch_child") == "1")


@route("user/get", method="GET")
def user_get(call: Call) -> dict:
    member = call.corp.member(call.arg("userid"))
    if member is None:
        raise ApiError(60111)
    return member_profile(member)


@route("user/simplelist", method="GET")
def user_simplelist(call: Call) -> dict:
    return {
        "userlist": [
            {
                "userid": m.userid,
                "name": m.name,
                "department": list(m.department),
                "open_userid": f"wo{m.userid}",
            }
            for m in _dept_members(call)
        ]
    }


@route("user/list", method="GET")
def user_list(call: Call) -> dict:
    return {"userlist": [member_profile(m) for m in _dept_members(call)]}


@route("user/list_id")
def user_list_id(call: Call) -> dict:
    limit = call.get("limit", int, required=False, default=10000)
    cursor = call.get("cursor", required=False, default="") or "0"
    if not 1 <= limit <= 10000 or not cursor.isdigit():
        raise ApiError(40058, "bad limit or cursor")
    rows = [{"userid": m.userid, "department": d} for m in call.corp.members.values() for d in m.department]
    start = int(cursor)
    end = start + limit
    return {"next_cursor": str(end) if end < len(rows) else "", "dept_user": rows[start:end]}


def _dept(d: Department) -> dict:
    return {
        "id": d.id,
        "name": d.name,
        "name_en": d.name_en,
        "department_leader": list(d.department_leader),
        "parentid": d.parentid,
        "order": d.order,
    }


@route("department/list", method="GET")
def department_list(call: Call) -> dict:
    raw = call.query.get("id", "")
    corp = call.corp
    if not raw:
        ids = sorted(corp.departments)
    elif raw.isdigit() and int(raw) in corp.departments:
        ids = corp.subtree(int(raw))
    else:
        raise ApiError(60123)
    return {"department": [_dept(corp.departments[i]) for i in ids]}
