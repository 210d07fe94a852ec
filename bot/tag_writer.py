"""Carries out `TagCustomer` for the sender: create the corp tags WeCom lacks (once), then mark them.

WeCom sends no callback for API-made tag changes, so our copy of the library and of the customer's
tags is updated here. Another process may create the same tag at the same moment: WeCom then answers
40071 (name exists) and we read the library again instead of creating it twice.
"""

from __future__ import annotations

from collections import defaultdict

from bot.wecom import Refused, WeComClient
from scrm import tags
from scrm.clock import Clock
from scrm.db import Store
from scrm.outbox import TagCustomer

NAME_EXISTS = 40071

Pair = tuple[str, str]


class TagWriter:
    def __init__(self, store: Store, client: WeComClient, clock: Clock) -> None:
        self._store, self._client, self._clock = store, client, clock

    def apply(self, message: TagCustomer) -> dict:
        ids = self._known(message.tags)
        missing = [pair for pair in message.tags if pair not in ids]
        if missing:
            self._refresh_library()
            ids.update(self._known(missing))
            missing = [pair for pair in missing if pair not in ids]
        if missing:
            ids.update(self._create(missing))
        self._client.mark_tags(message.userid, message.external_userid, sorted(set(ids.values())))
        with self._store.transaction() as session:
            tags.mark_applied(
                session, external_userid=message.external_userid, userid=message.userid, ids=ids, now=self._clock.now()
            )
        return {"errmsg": "ok", "created": [f"{g}:{n}" for g, n in missing]}

    def _known(self, pairs) -> dict[Pair, str]:
        with self._store.transaction() as session:
            found = {pair: tags.find(session, *pair) for pair in pairs}
        return {pair: tag.tag_id for pair, tag in found.items() if tag is not None}

    def _refresh_library(self) -> None:
        library = self._client.corp_tags()
        with self._store.transaction() as session:
            tags.sync_library(session, library, now=self._clock.now())

    def _create(self, missing: list[Pair]) -> dict[Pair, str]:
        by_group: dict[str, list[str]] = defaultdict(list)
        for group, name in missing:
            by_group[group].append(name)
        for group, names in by_group.items():
            with self._store.transaction() as session:
                existing = tags.group_named(session, group)
                group_id = existing.group_id if existing else ""
            try:
                created = self._client.add_corp_tags(group, names, group_id=group_id)
            except Refused as refused:
                if refused.errcode != NAME_EXISTS:
                    raise
                self._refresh_library()  # someone created it a moment ago
                continue
            with self._store.transaction() as session:
                tags.upsert_group(session, created, now=self._clock.now())
        ids = self._known(missing)
        if len(ids) != len(missing):
            raise Refused(None, "tags still missing after creating them")
        return ids
