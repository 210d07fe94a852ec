"""`scrm sync`: departments and members from WeCom into the store (idempotent; safe to run again).

Customers and tags join the backfill in the customer-lifecycle issue.
"""

from __future__ import annotations

from collections import Counter

from bot.wecom import WeComClient
from scrm import members
from scrm.clock import Clock
from scrm.db import Store


def sync_members(client: WeComClient, store: Store, clock: Clock) -> Counter:
    """Every department and its members; a member in several departments is written once."""
    counts: Counter = Counter()
    departments = client.departments()
    seen: dict[str, dict] = {}
    for department in departments:
        for user in client.department_members(department["id"]):
            seen.setdefault(user["userid"], user)
    with store.transaction() as session:
        now = clock.now()
        for department in departments:
            members.upsert_department(session, id=department["id"], name=department["name"],
                                      parent_id=department.get("parentid") or None,
                                      leaders=department.get("department_leader", []), now=now)
            counts["departments"] += 1
        for user in seen.values():
            departments_of = user.get("department", [])
            flags = user.get("is_leader_in_dept", [0] * len(departments_of))
            members.upsert_member(session, userid=user["userid"], name=user.get("name", user["userid"]),
                                  department_ids=departments_of,
                                  leader_of=[d for d, leader in zip(departments_of, flags, strict=False) if leader],
                                  position=user.get("position", ""), active=user.get("status", 1) == 1, now=now)
            counts["members"] += 1
    return counts
