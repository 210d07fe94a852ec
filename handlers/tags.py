"""Tag-library events (change_external_tag): keep our copy of the corp tag library in step with WeCom.

Any create, update, delete or shuffle of a tag or group re-reads the whole library: the events say
only what changed, not to what, and a deleted last tag silently deletes its group.
"""

from __future__ import annotations

from handlers.context import Context
from handlers.events import ExternalTagChanged, Kind
from handlers.router import Router
from scrm import tags

router = Router("tags")


@router.on(*Kind.TAGS_CHANGED)
def on_tag_library_changed(event: ExternalTagChanged, ctx: Context) -> None:
    tags.sync_library(ctx.session, ctx.wecom.corp_tags(), now=ctx.now)
