"""Directory events (change_contact): members joined, left or moved, departments and their leaders changed.

Managers are department leaders, so permissions follow the directory. Each event re-reads the whole
directory (the events of apps set up after 2022-08 carry only ids); a burst of events during a
reorganisation costs one read, because an event older than the last read is already in it.
"""

from __future__ import annotations

from datetime import timedelta

from handlers.context import Context
from handlers.events import DirectoryChanged, Kind
from handlers.router import Router
from scrm import members
from scrm.models import SyncCheckpoint
from scrm.wecom import WeComReader

router = Router("directory")
CHECKPOINT = "directory"
CLOCK_SLACK = timedelta(seconds=5)  # WeCom's CreateTime and our clock may disagree a little


@router.on(*Kind.DIRECTORY_CHANGED)
def on_directory_changed(event: DirectoryChanged, ctx: Context) -> None:
    with ctx.read() as session:  # no write lock held across the WeCom reads below
        last = session.get(SyncCheckpoint, CHECKPOINT)
    if last is not None and last.updated_at >= event.at + CLOCK_SLACK:
        return  # the last read came after this change, so it already holds it
    departments, users = directory(ctx.wecom)
    members.sync_directory(ctx.session, departments, users, now=ctx.now)
    checkpoint = ctx.session.get(SyncCheckpoint, CHECKPOINT) or SyncCheckpoint(name=CHECKPOINT, updated_at=ctx.now)
    checkpoint.updated_at = ctx.now
    ctx.session.add(checkpoint)


def directory(wecom: WeComReader) -> tuple[list[dict], list[dict]]:
    """department/list, then user/list per department, each member once."""
    departments = wecom.departments()
    users: dict[str, dict] = {}
    for department in departments:
        for user in wecom.department_members(department["id"]):
            users.setdefault(user["userid"], user)
    return departments, list(users.values())
