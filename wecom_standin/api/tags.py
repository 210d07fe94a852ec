"""Corp customer tags: get_corp_tag_list, add_corp_tag, edit_corp_tag, del_corp_tag, mark_tag."""

from __future__ import annotations

from ..corp import Tag, TagGroup
from .base import ApiError, Call, route
from .external import relation

MAX_TAGS = 3000


def _tag(t: Tag) -> dict:
    return {"id": t.id, "name": t.name, "create_time": t.create_time, "order": t.order, "deleted": False}


def _group(g: TagGroup, tags: list[Tag]) -> dict:
    return {
        "group_id": g.group_id,
        "group_name": g.group_name,
        "create_time": g.create_time,
        "order": g.order,
        "deleted": False,
        "tag": [_tag(t) for t in tags],
    }


def _live(g: TagGroup) -> list[Tag]:
    return [t for t in g.tags if not t.deleted]


def _id_list(call: Call, name: str) -> list[str]:
    return [str(v) for v in call.get(name, list, required=False, default=[])]


@route("externalcontact/get_corp_tag_list")
def get_corp_tag_list(call: Call) -> dict:
    group_ids, tag_ids = _id_list(call, "group_id"), _id_list(call, "tag_id")
    out = []
    for g in call.corp.tag_groups:
        if g.deleted:
            continue
        if group_ids:
            if g.group_id in group_ids:
                out.append(_group(g, _live(g)))
        elif tag_ids:
            chosen = [t for t in _live(g) if t.id in tag_ids]
            if chosen:
                out.append(_group(g, chosen))
        else:
            out.append(_group(g, _live(g)))
    return {"tag_group": out}


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name or len(name) > 30:
        raise ApiError(40072)
    return name


@route("externalcontact/add_corp_tag")
def add_corp_tag(call: Call) -> dict:
    corp, now = call.corp, int(call.now())
    group_id = call.get("group_id", required=False, default="")
    group_name = call.get("group_name", required=False, default="")
    new_tags = call.get("tag", list, required=False, default=[])
    if not new_tags or not all(isinstance(t, dict) for t in new_tags):
        raise ApiError(40058, "tag list is empty")
    if group_id:
        group = corp.find_group(group_id=group_id)
        if group is None:
            raise ApiError(40068)
    elif group_name:
        group = corp.find_group(group_name=_check_name(group_name))
    else:
        raise ApiError(40058, "group_id or group_name required")
    names = [_check_name(t.get("name")) for t in new_tags]
    existing = {t.name for t in _live(group)} if group else set()
    if len(set(names)) != len(names) or existing & set(names):
        raise ApiError(40071)
    if sum(len(_live(g)) for g in corp.tag_groups if not g.deleted) + len(names) > MAX_TAGS:
        raise ApiError(40126)
    if group is None:
        group = TagGroup(corp.new_id("etGRP"), group_name, int(call.body.get("order", 0) or 0), now)
        corp.tag_groups.append(group)
    created = [
        Tag(corp.new_id("etTAG"), name, int(t.get("order", 0) or 0), now)
        for name, t in zip(names, new_tags, strict=True)
    ]
    group.tags.extend(created)
    return {"tag_group": _group(group, created)}


@route("externalcontact/edit_corp_tag")
def edit_corp_tag(call: Call) -> dict:
    target_id = call.get("id")
    name = call.get("name", required=False)
    order = call.get("order", int, required=False)
    group = call.corp.find_group(group_id=target_id)
    found = call.corp.find_tag(target_id)
    if group is None and found is None:
        raise ApiError(40068)
    target: TagGroup | Tag = group if group is not None else found[1]
    if name is not None:
        _check_name(name)
        siblings = (
            [t.name for t in _live(found[0]) if t is not target]
            if found
            else [g.group_name for g in call.corp.tag_groups if g is not group and not g.deleted]
        )
        if name in siblings:
            raise ApiError(40071)
        if isinstance(target, TagGroup):
            target.group_name = name
        else:
            target.name = name
    if order is not None:
        target.order = order
    return {}


@route("externalcontact/del_corp_tag")
def del_corp_tag(call: Call) -> dict:
    tag_ids, group_ids = _id_list(call, "tag_id"), _id_list(call, "group_id")
    if not tag_ids and not group_ids:
        raise ApiError(40058, "tag_id and group_id are both empty")
    corp = call.corp
    groups = [corp.find_group(group_id=g) for g in group_ids]
    tags = [corp.find_tag(t) for t in tag_ids]
    if None in groups or None in tags:
        raise ApiError(40068)
    for group in groups:
        group.deleted = True
    for group, tag in tags:
        tag.deleted = True
        if not _live(group):
            group.deleted = True
    return {}


@route("externalcontact/mark_tag")
def mark_tag(call: Call) -> dict:
    _, follow = relation(call, call.get("userid"), call.get("external_userid"))
    add, remove = _id_list(call, "add_tag"), _id_list(call, "remove_tag")
    if not add and not remove:
        raise ApiError(40058, "add_tag and remove_tag are both empty")
    if any(call.corp.find_tag(t) is None for t in add + remove):
        raise ApiError(40068)
    follow.tags = [t for t in dict.fromkeys(follow.tags + add) if t not in remove]
    return {}
