"""`scrm sync`: a full, idempotent backfill from WeCom: departments and members, the tag library, and
every rep's customers (batch/get_by_user with its cursor). WeCom lists a customer once per rep who follows
them: the customer is stored once, with a relation (remark, tags, added time, channel) per rep.

Resumable: each page is written together with a checkpoint, so a run killed half-way continues where it
stopped. Safe beside live callbacks: relation statuses carry times, and a status a callback set later
than our read is kept (scrm/customers.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential
from tqdm import tqdm

from bot.wecom import RateLimited, ServerError, WeComClient
from handlers.directory import directory
from scrm import customers, members, tags
from scrm.clock import Clock
from scrm.db import Store
from scrm.models import Customer, SyncCheckpoint
from scrm.statuses import RelationStatus

CHUNK = 100  # batch/get_by_user takes at most 100 userids and returns at most 100 per page
CHECKPOINT = "customers"


@dataclass
class Report:
    counts: dict[str, Counter] = field(default_factory=dict)
    resumed: bool = False

    def add(self, kind: str, outcome: str, n: int = 1) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += n

    def lines(self) -> list[str]:
        order = ("synced", "created", "updated", "unchanged", "failed")
        return [f"{kind}: " + ", ".join(f"{o} {c[o]}" for o in order if c[o]) for kind, c in self.counts.items()]


class Backfill:
    def __init__(
        self,
        client: WeComClient,
        store: Store,
        clock: Clock,
        *,
        sleep: Callable[[float], None] | None = None,
        progress: bool = True,
        on_page: Callable[[], None] = lambda: None,
    ) -> None:
        self._client, self._store, self._clock = client, store, clock
        self._progress, self._on_page = progress, on_page
        self._tag_names: dict[str, tuple[str, str]] = {}
        self._counted: set[str] = set()  # customers already in this run's report (WeCom lists one per rep)
        self._retrying = Retrying(
            retry=retry_if_exception_type((RateLimited, ServerError)),
            wait=wait_exponential(multiplier=1, min=1, max=60),
            stop=stop_after_attempt(8),
            reraise=True,
            **({"sleep": sleep} if sleep else {}),
        )

    def run(self, restart: bool = False) -> Report:
        report, self._counted = Report(), set()
        for name, n in sync_members(self._client, self._store, self._clock).items():
            report.add(name, "synced", n)
        library = self._call(self._client.corp_tags)
        with self._store.transaction() as session:
            for name, n in tags.sync_library(session, library, now=self._clock.now()).items():
                report.add({"groups": "tag groups"}.get(name, name), "synced", n)
            self._tag_names = tags.names_by_id(session)
        self._customers(report, restart)
        return report

    def _call(self, func, *args):
        return self._retrying(func, *args)

    def _customers(self, report: Report, restart: bool) -> None:
        reps = sorted(self._call(self._client.get, "externalcontact/get_follow_user_list")["follow_user"])
        chunks = [reps[i : i + CHUNK] for i in range(0, len(reps), CHUNK)]
        with self._store.transaction() as session:
            checkpoint = session.get(SyncCheckpoint, CHECKPOINT)
            if checkpoint and restart:
                session.delete(checkpoint)
                checkpoint = None
            state = dict(checkpoint.state) if checkpoint else {"chunk": 0, "cursor": ""}
        report.resumed = bool(checkpoint)
        bar = tqdm(total=len(reps), unit="rep", desc="customers", disable=not self._progress or None)
        bar.update(min(state["chunk"] * CHUNK, len(reps)))
        for index in range(state["chunk"], len(chunks)):
            cursor = state["cursor"] if index == state["chunk"] else ""
            while True:
                page = self._call(self._client.batch_get_by_user, chunks[index], cursor, CHUNK)
                cursor = page.get("next_cursor", "")
                done = not cursor
                with self._store.transaction() as session:
                    self._store_page(session, page.get("external_contact_list", []), report)
                    _save(
                        session,
                        {"chunk": index + 1, "cursor": ""} if done else {"chunk": index, "cursor": cursor},
                        self._clock.now(),
                    )
                self._on_page()
                if done:
                    break
            bar.update(len(chunks[index]))
        bar.close()
        with self._store.transaction() as session:
            if finished := session.get(SyncCheckpoint, CHECKPOINT):
                session.delete(finished)

    def _store_page(self, session, entries: list[dict], report: Report) -> None:
        now = self._clock.now()
        ids = [e.get("external_contact", {}).get("external_userid", "") for e in entries]
        with session.no_autoflush:  # one flush at commit, not one before every query
            # Held here (the session's identity map is weak); a customer followed by several reps is listed
            # once per rep, and created once.
            seen: dict[str, Customer] = {c.external_userid: c for c in customers.by_ids(session, ids)}
            known = customers.relations_of(session, ids)
            tags_of = tags.of_customers(session, ids)
            for entry in entries:
                try:
                    self._store_entry(session, entry, known, seen, tags_of, report, now)
                except (KeyError, ValueError, TypeError):
                    report.add("customers", "failed")

    def _store_entry(self, session, entry, known, seen, tags_of, report: Report, now) -> None:
        contact, follow = entry["external_contact"], entry["follow_info"]
        external_userid, userid = contact["external_userid"], follow["userid"]
        _, outcome = customers.upsert(session, external_userid=external_userid, profile=contact, now=now, known=seen)
        if external_userid not in self._counted:  # counted once however many reps follow them
            self._counted.add(external_userid)
            report.add("customers", outcome)
        rel = customers.link(session, external_userid=external_userid, userid=userid, now=now, known=known)
        created = not rel.status
        changed = customers.apply_follow_info(rel, follow, now=now)
        # WeCom still lists a customer who deleted the rep (the deletion is one-way): `lost` stays lost.
        # A customer the rep had deleted and WeCom lists again was added back.
        if created or rel.status in (RelationStatus.DELETED_BY_REP, RelationStatus.TRANSFERRED):
            changed |= customers.set_status(rel, RelationStatus.ACTIVE, now)
        report.add("relations", "created" if created else "updated" if changed else "unchanged")
        names = self._tag_names
        wecom_tags = [
            {"group_name": names[t][0], "tag_name": names[t][1], "tag_id": t}
            for t in follow.get("tag_id", [])
            if t in names
        ]
        tags.replace_from_wecom(
            session,
            external_userid=external_userid,
            userid=userid,
            tags=wecom_tags,
            now=now,
            current_rows=tags_of.get((external_userid, userid), []),
        )


def _save(session, state: dict, now) -> None:
    checkpoint = session.get(SyncCheckpoint, CHECKPOINT) or SyncCheckpoint(name=CHECKPOINT, updated_at=now)
    checkpoint.state, checkpoint.updated_at = state, now
    session.add(checkpoint)


def sync_members(client: WeComClient, store: Store, clock: Clock) -> Counter:
    """Every department and its members (a member in several departments counted once)."""
    departments, users = directory(client)
    with store.transaction() as session:
        return Counter(members.sync_directory(session, departments, users, now=clock.now()))
