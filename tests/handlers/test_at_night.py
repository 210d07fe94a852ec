"""The whole conversation corpus and every job, at 00:30, 02:00, 07:59 and 23:59 Beijing time (16:30, 18:00, 23:59
and 15:59 UTC), name the same days as at the corpus's own hour (10:00): every day is the business time zone's.

Each run is a team of its own (a manager, a rep with the corpus's customer book) that joins the corp when its run
starts, so no run's jobs see another's work before it is collected. The rep (or the manager) says every message of
the corpus's `conversation` block over real encrypted callbacks at the run's moment, then every job ticks at that
moment. The night runs must record what the 10:00 run records (interactions, deals closed, stage moves, next steps,
the replies that show them, the day's figures, the digests and boards), on the same days, and claim ledger keys of
that day. Left out: the few messages the parser reads otherwise at another hour (`今天下午3点` has passed at 23:59,
`今天上午9点` has not at 00:30), which record other things, not other days.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlmodel import col, select

from bot.sync import Backfill, sync_members
from handlers import steps
from handlers.intents import When
from handlers.parsing.commands import parse_command
from scrm import keys, kpis, teams
from scrm.clock import FrozenClock
from scrm.models import Deal, Department, FollowUp, Interaction, JobLedger, OutboxMessage, StageChange
from scrm.outbox import load
from tests.conftest import running_standin
from tests.handlers.parsing.test_corpus import CORPUS, TALK, TALK_BOOK, TALK_NOW
from wecom_standin import Corp, xml
from wecom_standin.fixtures import SAMPLE_AGENT_ID, SAMPLE_CONTACT_SECRET, SAMPLE_CORP_ID, SAMPLE_SECRET

TZ = ZoneInfo("Asia/Shanghai")
DAY = TALK_NOW.astimezone(TZ).date()  # Tuesday 2026-11-24
REFERENCE = TALK_NOW.astimezone(TZ)  # 10:00, the hour the corpus's expectations are written for
NIGHT = [datetime.combine(DAY, time(h, m), tzinfo=TZ) for h, m in ((0, 30), (2, 0), (7, 59), (23, 59))]
ADDED = datetime.combine(DAY - timedelta(days=7), time(10, 0), tzinfo=TZ)  # the book's customers, a week ago
DIGESTS = ("daily-digest", "weekly-digest", "honor-board")
BY_THE_HOUR = ("逾期",)  # lines that change with the hour itself: what is overdue by now


def _reading(said: str, now: datetime) -> tuple:
    """What the parser makes of a message at `now`: its intent, the day it dates, and every plan's time."""
    parsed = parse_command(said, now, TZ, TALK_BOOK)
    planned = [parsed.when] if isinstance(parsed.when, When) else []
    planned += [when for when, _ in steps.other_plans(parsed, now, TZ)]
    return parsed.intent, parsed.happened, getattr(parsed.when, "reason", None), sorted(w.due for w in planned)


# The messages whose words mean another thing at another hour: `今天下午3点` has passed at 23:59 and `今天上午9点`
# has not at 00:30; at 00:30 the parser also takes `今天电话沟通` for a plan at 09:00 (its reading, not a day's).
HOURLY_READINGS = {
    c["__line__"] for c in TALK if any(_reading(c["say"], m) != _reading(c["say"], TALK_NOW) for m in NIGHT)
}
SAID = [c for c in TALK if c["__line__"] not in HOURLY_READINGS]
# (moment, messages): the reference run first, each run a team of its own.
RUNS = [(REFERENCE, SAID), *((m, SAID) for m in NIGHT)]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(REFERENCE)


@pytest.fixture
def redis_url():
    return None


@pytest.fixture
def standin(clock):
    corp = Corp(
        corp_id=SAMPLE_CORP_ID, agent_id=SAMPLE_AGENT_ID, secret=SAMPLE_SECRET, secrets={SAMPLE_CONTACT_SECRET: None}
    )
    corp.add_department(1, "公司", parentid=0)
    book = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["conversation"]["book"]
    for n, entry in enumerate(book):
        corp.add_external_contact(f"wmBook{n:02d}", entry["name"], corp_name=entry.get("corp") or "")
    yield from running_standin(corp, clock)


class Team:
    """Run `n`'s team: department 10 + n, its manager boss<n> (王五) and rep rep<n> (张三)."""

    def __init__(self, n: int, standin, services, wecom, clock: FrozenClock) -> None:
        self.n, self.dept, self.rep, self.boss = n, 10 + n, f"rep{n}", f"boss{n}"
        self.standin, self.services, self.wecom, self.clock = standin, services, wecom, clock
        corp = standin.corp
        corp.add_department(self.dept, "销售部", parentid=1, leaders=[self.boss])
        corp.add_member(self.boss, "王五", [self.dept], is_leader_in_dept=[1])
        corp.add_member(self.rep, "张三", [self.dept], direct_leader=[self.boss])
        book = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["conversation"]["book"]
        for i, entry in enumerate(book):
            corp.attach_contact(
                self.rep, f"wmBook{i:02d}", remark=entry.get("remark") or "", createtime=int(ADDED.timestamp())
            )
        sync_members(services.app_client, services.store, clock)
        Backfill(services.contact_client, services.store, clock, progress=False).run()

    def shown(self, text: str) -> str:
        """Text with this run's ids made the same for every run."""
        for mine, common in ((self.rep, "REP"), (self.boss, "BOSS"), (f"team-{self.dept}", "team-T")):
            text = re.sub(rf"\b{mine}\b", common, text)
        return text


MSG_IDS = itertools.count(7_400_000_000_000_000_000)


def say(team: Team, text: str, userid: str) -> str | None:
    """The bot's answer to one message (None if it gave none), over a real encrypted callback. Read from the outbox:
    the stand-in drops a text identical to one it just delivered, as WeCom does, and the corpus repeats questions."""
    msg_id = next(MSG_IDS)
    corp = team.standin.corp
    team.wecom.send(
        xml.text_message(
            from_user=userid,
            content=text,
            msg_id=msg_id,
            agent_id=corp.agent_id,
            corp_id=corp.corp_id,
            create_time=int(team.clock.now().timestamp()),
        )
    )
    team.services.dispatcher.run_pending()  # the answer is read from the outbox: no need to send it
    with team.services.store.transaction() as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.key == keys.reply(msg_id))).first()
    return None if row is None else load(row.payload).text


def _day(at: datetime | None) -> date | None:
    return None if at is None else at.astimezone(TZ).date()


def recorded(team: Team, moment: datetime) -> dict[str, list]:
    """What the rep's messages left in the store, each with the business day it is on."""
    with team.services.store.transaction() as session:
        deals = {d.id: d for d in session.exec(select(Deal).where(Deal.userid == team.rep).order_by(Deal.id))}
        out = {
            "interactions": [
                (i.external_userid, i.kind, i.channel, i.text, _day(i.at))
                for i in session.exec(
                    select(Interaction).where(Interaction.userid == team.rep).order_by(Interaction.id)
                )
            ],
            "deals": [
                (d.external_userid, d.status, d.stage, d.amount, _day(d.opened_at), _day(d.closed_at))
                for d in deals.values()
            ],
            "stage moves": [
                (deals[s.deal_id].external_userid, s.from_stage, s.to_stage, _day(s.at))
                for s in session.exec(
                    select(StageChange).where(StageChange.userid == team.rep).order_by(StageChange.id)
                )
            ],
            "follow-ups": [
                (f.external_userid, f.note, f.status, f.source, f.due_at.astimezone(TZ), _day(f.done_at))
                for f in session.exec(select(FollowUp).where(FollowUp.userid == team.rep).order_by(FollowUp.id))
            ],
        }
        day = kpis.Period.day_of(moment, TZ)
        figures = kpis.by_rep(session, [team.rep], day, now=moment, tz=TZ, parts=("deals", "logged", "new_customers"))
        f = figures[team.rep]
        out["the day's figures"] = [(f.won, f.won_amount, f.lost, f.logged, f.new_customers)]
    return out


def run_jobs(team: Team, moment: datetime) -> tuple[dict[str, list[str]], list[str]]:
    """Every job ticks at `moment` with only this team's chat set: (its posts by job, the ledger keys claimed)."""
    services = team.services
    with services.store.transaction() as session:
        teams.set_chat(session, session.get(Department, team.dept), kind="robot", target="robot", now=moment)
        before_out = session.exec(select(OutboxMessage.id).order_by(col(OutboxMessage.id).desc())).first() or 0
        before_keys = {row.key for row in session.exec(select(JobLedger))}
    for name in services.jobs.table:
        assert services.jobs.run(name, moment).status == "done", name
    with services.store.transaction() as session:
        teams.unset_chat(session, session.get(Department, team.dept))
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.id > before_out).order_by(OutboxMessage.id))
        posts: dict[str, list[str]] = {}
        for row in rows:
            message = load(row.payload)
            job = row.key.split(":", 1)[0]
            if job in DIGESTS and f":team-{team.dept}:" in row.key and hasattr(message, "content"):
                posts.setdefault(job, []).extend(
                    team.shown(line) for line in message.content.splitlines() if not any(w in line for w in BY_THE_HOUR)
                )
        claimed = [team.shown(row.key) for row in session.exec(select(JobLedger)) if row.key not in before_keys]
    return posts, claimed


@pytest.fixture
def runs(standin, services, wecom, clock) -> list[dict]:
    results = []
    for n, (moment, cases) in enumerate(RUNS):
        clock.set(moment)
        team = Team(n, standin, services, wecom, clock)
        replies = []
        for case in cases:
            userid = team.boss if case.get("as") == "manager" else team.rep
            replies.append((case["__line__"], case["say"], team.shown(say(team, case["say"], userid) or "")))
        found = recorded(team, moment)
        posts, claimed = run_jobs(team, moment)
        results.append({"moment": moment, "replies": replies, **found, "posts": posts, "ledger": claimed})
    return results


def _reply_lines(reply: str) -> list[str]:
    return [line for line in reply.splitlines() if not any(w in line for w in BY_THE_HOUR)]


def test_every_day_named_at_night_is_the_business_day(runs):
    for run in runs:  # the comparison is worth something only if every run records, posts and claims
        assert len(run["interactions"]) > 50 and run["deals"] and run["stage moves"] and run["follow-ups"]
        assert set(run["posts"]) == set(DIGESTS), run["posts"].keys()
        assert any(key.startswith("daily-digest:team-T:") for key in run["ledger"]), run["ledger"]
    assert len(SAID) > 230  # only the few messages whose words mean another thing at another hour are left out
    problems = []
    ref = runs[0]
    for night in runs[1:]:
        at = f"{night['moment']:%H:%M}"
        for what in ("interactions", "deals", "stage moves", "follow-ups", "the day's figures"):
            for i, (want, got) in enumerate(itertools.zip_longest(ref[what], night[what])):
                if want != got:
                    problems.append(f"{at} {what} #{i}: at 10:00 {want}, at {at} {got}")
        for (line, said, want), (_, _, got) in zip(ref["replies"], night["replies"], strict=True):
            if _reply_lines(want) != _reply_lines(got):
                problems.append(f"{at} utterances.yaml:{line} {said!r}: at 10:00 {want!r}, at {at} {got!r}")
        for job in DIGESTS:
            if ref["posts"].get(job) != night["posts"].get(job):
                problems.append(f"{at} {job}: at 10:00 {ref['posts'].get(job)}, at {at} {night['posts'].get(job)}")
        for key in night["ledger"]:
            days = {date.fromisoformat(d) for d in re.findall(r"\d{4}-\d{2}-\d{2}", key)}
            if days - {DAY, DAY - timedelta(days=DAY.weekday() + 7)}:  # today, or last week's Monday (weekly)
                problems.append(f"{at} ledger key {key!r} names another day than {DAY}")
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:60])
