"""In-memory model of a small WeCom corp: departments, members, customers, tags, customer groups."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field


@dataclass
class Department:
    id: int
    name: str
    parentid: int = 0
    department_leader: list[str] = field(default_factory=list)
    order: int = 100000000
    name_en: str = ""


@dataclass
class Member:
    userid: str
    name: str
    department: list[int] = field(default_factory=lambda: [1])
    is_leader_in_dept: list[int] = field(default_factory=list)
    position: str = ""
    status: int = 1  # 1 active, 2 disabled, 4 not activated, 5 left
    mobile: str = ""
    gender: str = "0"
    email: str = ""
    direct_leader: list[str] = field(default_factory=list)
    external_contact_enabled: bool = True

    def __post_init__(self) -> None:
        if len(self.is_leader_in_dept) != len(self.department):
            flags = list(self.is_leader_in_dept) + [0] * len(self.department)
            self.is_leader_in_dept = flags[: len(self.department)]


@dataclass
class FollowUser:
    """One member's side of a customer relationship (the `follow_user` entry)."""

    userid: str
    remark: str = ""
    description: str = ""
    createtime: int = 0
    tags: list[str] = field(default_factory=list)  # corp tag ids
    remark_corp_name: str = ""
    remark_mobiles: list[str] = field(default_factory=list)
    add_way: int = 1
    state: str = ""
    oper_userid: str = ""
    deleted_by_customer: bool = False  # del_follow_user: the API still answers


@dataclass
class ExternalContact:
    external_userid: str
    name: str
    type: int = 1  # 1 WeChat user, 2 WeCom user
    corp_name: str = ""
    corp_full_name: str = ""
    position: str = ""
    gender: int = 0
    unionid: str = ""
    avatar: str = ""
    follow_user: list[FollowUser] = field(default_factory=list)
    removed_by: list[str] = field(default_factory=list)  # reps who deleted this customer

    def follow(self, userid: str) -> FollowUser | None:
        return next((f for f in self.follow_user if f.userid == userid), None)


@dataclass
class Tag:
    id: str
    name: str
    order: int = 0
    create_time: int = 0
    deleted: bool = False


@dataclass
class TagGroup:
    group_id: str
    group_name: str
    order: int = 0
    create_time: int = 0
    tags: list[Tag] = field(default_factory=list)
    deleted: bool = False


@dataclass
class ChatMember:
    userid: str
    type: int = 2  # 1 member, 2 external contact
    join_time: int = 0
    join_scene: int = 1  # groupchat/get enum: 1 direct, 2 link, 3 QR
    invitor: str | None = None
    group_nickname: str = ""
    name: str = ""
    unionid: str = ""
    state: str = ""


@dataclass
class GroupChat:
    chat_id: str
    name: str
    owner: str
    create_time: int = 0
    notice: str = ""
    member_list: list[ChatMember] = field(default_factory=list)
    admin_list: list[str] = field(default_factory=list)
    member_version: str = ""
    status: int = 0

    def bump_version(self) -> str:
        ids = ",".join(m.userid for m in self.member_list)
        self.member_version = hashlib.md5(f"{self.chat_id}|{ids}".encode()).hexdigest()
        return self.member_version


@dataclass
class Corp:
    corp_id: str
    agent_id: int
    secret: str
    secrets: dict[str, int | None] = field(default_factory=dict)  # extra secret -> agent id (None: no app)
    departments: dict[int, Department] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    external_contacts: dict[str, ExternalContact] = field(default_factory=dict)
    tag_groups: list[TagGroup] = field(default_factory=list)
    group_chats: dict[str, GroupChat] = field(default_factory=dict)
    callback_token: str = "standinCallbackToken"
    callback_aes_key: str = "c3RhbmRpbkVuY29kaW5nQWVzS2V5MDEyMzQ1Njc4OTA"
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1), repr=False)

    # -- fixtures ------------------------------------------------------------------------------
    @classmethod
    def sample(cls) -> Corp:
        from .fixtures import sample_corp

        return sample_corp()

    @classmethod
    def generated(cls, reps: int, customers: int, seed: int = 0, shared: float = 0.0) -> Corp:
        from .fixtures import generated_corp

        return generated_corp(reps, customers, seed, shared)

    # -- lookups -------------------------------------------------------------------------------
    def valid_secrets(self) -> dict[str, int | None]:
        return {self.secret: self.agent_id, **self.secrets}

    def member(self, userid: str) -> Member | None:
        return self.members.get(userid) or next(
            (m for m in self.members.values() if m.userid.lower() == userid.lower()), None
        )

    def subtree(self, dept_id: int) -> list[int]:
        """dept_id and all its descendants, parents first."""
        out, queue = [], [dept_id]
        while queue:
            current = queue.pop(0)
            out.append(current)
            queue += sorted(d.id for d in self.departments.values() if d.parentid == current and d.id != current)
        return out

    def members_in(self, dept_id: int, recursive: bool = False) -> list[Member]:
        depts = set(self.subtree(dept_id)) if recursive else {dept_id}
        return [m for m in self.members.values() if depts & set(m.department)]

    def customers_of(self, userid: str) -> list[ExternalContact]:
        return [c for c in self.external_contacts.values() if c.follow(userid)]

    def find_tag(self, tag_id: str) -> tuple[TagGroup, Tag] | None:
        for group in self.tag_groups:
            for tag in group.tags:
                if tag.id == tag_id and not tag.deleted and not group.deleted:
                    return group, tag
        return None

    def find_group(self, group_id: str = "", group_name: str = "") -> TagGroup | None:
        for group in self.tag_groups:
            if group.deleted:
                continue
            if (group_id and group.group_id == group_id) or (group_name and group.group_name == group_name):
                return group
        return None

    def new_id(self, prefix: str) -> str:
        n = next(self._ids)
        digest = hashlib.sha1(f"{self.corp_id}:{prefix}:{n}".encode()).hexdigest()[:22]
        return f"{prefix}{n:06d}{digest}"

    # -- mutations -----------------------------------------------------------------------------
    def add_department(self, id: int, name: str, parentid: int = 1, leaders: list[str] | None = None) -> Department:
        dept = Department(id=id, name=name, parentid=parentid, department_leader=list(leaders or []))
        self.departments[id] = dept
        return dept

    def add_member(self, userid: str, name: str, department: list[int] | None = None, **fields) -> Member:
        member = Member(userid=userid, name=name, department=list(department or [1]), **fields)
        self.members[userid] = member
        return member

    def add_external_contact(self, external_userid: str, name: str, **fields) -> ExternalContact:
        """Create (or update the profile of) a customer without any follower yet."""
        contact = self.external_contacts.get(external_userid)
        if contact is None:
            contact = ExternalContact(external_userid=external_userid, name=name, **fields)
            self.external_contacts[external_userid] = contact
        else:
            contact.name = name
            for key, value in fields.items():
                setattr(contact, key, value)
        return contact

    def attach_contact(self, userid: str, external_userid: str, **follow_fields) -> FollowUser:
        """Make `userid` follow the customer (what happens before `add_external_contact` fires)."""
        if userid not in self.members:
            raise KeyError(f"unknown member {userid!r}")
        contact = self.external_contacts[external_userid]
        follow_fields.setdefault("oper_userid", userid)
        existing = contact.follow(userid)
        if existing is not None:
            contact.follow_user.remove(existing)
        follow = FollowUser(userid=userid, **follow_fields)
        contact.follow_user.append(follow)
        if userid in contact.removed_by:
            contact.removed_by.remove(userid)
        return follow

    def add_customer(
        self,
        userid: str,
        external_userid: str,
        name: str,
        *,
        corp_name: str = "",
        state: str = "",
        createtime: int = 0,
        **follow_fields,
    ) -> ExternalContact:
        """add_external_contact + attach_contact in one call."""
        contact = self.add_external_contact(external_userid, name, corp_name=corp_name)
        self.attach_contact(userid, external_userid, state=state, createtime=createtime, **follow_fields)
        return contact

    def detach_contact(self, userid: str, external_userid: str) -> None:
        """The rep deleted the customer (del_external_contact): APIs answer 84061 afterwards."""
        contact = self.external_contacts[external_userid]
        follow = contact.follow(userid)
        if follow is not None:
            contact.follow_user.remove(follow)
            contact.removed_by.append(userid)

    def mark_deleted_by_customer(self, userid: str, external_userid: str) -> None:
        """The customer deleted the rep (del_follow_user): the relation still answers the API."""
        follow = self.external_contacts[external_userid].follow(userid)
        if follow is not None:
            follow.deleted_by_customer = True

    def add_tag_group(
        self,
        group_name: str,
        tag_names: list[str],
        order: int = 0,
        create_time: int = 0,
        group_id: str | None = None,
    ) -> TagGroup:
        group = TagGroup(
            group_id=group_id or self.new_id("etGRP"),
            group_name=group_name,
            order=order,
            create_time=create_time,
        )
        for i, name in enumerate(tag_names):
            group.tags.append(Tag(id=self.new_id("etTAG"), name=name, order=i, create_time=create_time))
        self.tag_groups.append(group)
        return group

    def add_group_chat(self, chat: GroupChat) -> GroupChat:
        if not chat.member_version:
            chat.bump_version()
        self.group_chats[chat.chat_id] = chat
        return chat
