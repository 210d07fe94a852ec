"""`scrm sync` against a stand-in corp of 50 reps and 5,000 customers, and one where about a tenth of the
customers added two or three reps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import func, select

from bot.sync import Backfill
from scrm.models import Customer, CustomerRep, CustomerTag, Member, SyncCheckpoint
from tests.conftest import running_standin
from wecom_standin import Corp


@pytest.fixture
def corp(request):
    return Corp.generated(**getattr(request, "param", {"reps": 50, "customers": 5000}))


@pytest.fixture
def standin(corp, clock):
    yield from running_standin(corp, clock)


# 400 customers of 8 reps, 39 of them with 2 or 3 reps: 464 relations, listed in 5 pages of at most 100.
SHARED = pytest.mark.parametrize("corp", [{"reps": 8, "customers": 400, "shared": 0.1}], indirect=True)


@pytest.fixture
def redis_url():
    return None  # the backfill does not use Redis


class Killed(Exception):
    pass


def backfill(services, **kwargs) -> Backfill:
    return Backfill(
        services.contact_client, services.store, services.clock, progress=False, sleep=lambda seconds: None, **kwargs
    )


def count(services, model) -> int:
    with services.store.transaction() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_full_backfill_stores_everyone_and_a_second_run_changes_nothing(services, standin):
    report = backfill(services).run()
    assert report.counts["customers"]["created"] == 5000
    assert report.counts["relations"]["created"] == 5000
    assert (count(services, Customer), count(services, CustomerRep), count(services, Member)) == (5000, 5000, 50)
    again = backfill(services).run()
    assert again.counts["customers"] == {"unchanged": 5000}
    assert again.counts["relations"] == {"unchanged": 5000}


def test_a_backfill_killed_half_way_resumes_where_it_stopped(services, standin):
    pages = {"n": 0}

    def die_after_20_pages() -> None:
        pages["n"] += 1
        if pages["n"] == 20:
            raise Killed()

    with pytest.raises(Killed):
        backfill(services, on_page=die_after_20_pages).run()
    assert count(services, Customer) == 2000 and count(services, SyncCheckpoint) == 1
    calls_before = standin.count("externalcontact/batch/get_by_user")
    report = backfill(services).run()
    assert report.resumed
    assert report.counts["customers"]["created"] == 3000
    assert standin.count("externalcontact/batch/get_by_user") - calls_before == 30
    assert count(services, Customer) == 5000 and count(services, SyncCheckpoint) == 0


def test_rate_limits_are_waited_out_not_fatal(services, standin):
    slept: list[float] = []
    standin.fail_next("externalcontact/batch/get_by_user", errcode=45009, times=2)
    report = Backfill(services.contact_client, services.store, services.clock, progress=False, sleep=slept.append).run()
    assert report.counts["customers"]["created"] == 5000 and len(slept) == 2


def test_a_status_a_callback_set_later_survives_the_backfill(services, standin, clock):
    from scrm import customers

    with services.store.transaction() as session:
        rel = customers.link(session, external_userid="wmGen000001", userid="rep001", now=clock.now())
        customers.set_status(rel, "lost", clock.now().replace(year=clock.now().year + 1))  # later than the read
    backfill(services).run()
    with services.store.transaction() as session:
        assert customers.relation(session, "wmGen000001", "rep001").status == "lost"


def test_a_customer_who_deleted_the_rep_stays_lost_though_wecom_still_lists_them(services, standin, clock):
    from scrm import customers

    with services.store.transaction() as session:
        rel = customers.link(session, external_userid="wmGen000001", userid="rep001", now=clock.now())
        customers.set_status(rel, "lost", clock.now())
    clock.advance(hours=1)
    backfill(services).run()
    with services.store.transaction() as session:
        assert customers.relation(session, "wmGen000001", "rep001").status == "lost"


def follows(corp: Corp) -> dict[tuple[str, str], object]:
    """WeCom's relations: (external_userid, userid) -> the rep's follow_user entry."""
    return {(c.external_userid, f.userid): f for c in corp.external_contacts.values() for f in c.follow_user}


def stored(services) -> tuple[list, list, list]:
    """Every customer, relation and customer tag row, as plain tuples (to compare two runs)."""
    with services.store.transaction() as session:
        return tuple(
            [tuple(row.model_dump().items()) for row in session.exec(select(model).order_by(*order))]
            for model, order in (
                (Customer, [Customer.external_userid]),
                (CustomerRep, [CustomerRep.id]),
                (CustomerTag, [CustomerTag.id]),
            )
        )


def assert_mirrors(services, corp: Corp) -> None:
    """One customer row per customer, one relation per (customer, rep) with that rep's own remark, added time,
    channel and tags."""
    pairs = follows(corp)
    with services.store.transaction() as session:
        assert sorted(session.exec(select(Customer.external_userid))) == sorted(corp.external_contacts)
        relations = {(r.external_userid, r.userid): r for r in session.exec(select(CustomerRep))}
        tags = {}
        for tag in session.exec(select(CustomerTag)):
            tags.setdefault((tag.external_userid, tag.userid), set()).add(tag.tag_id)
    assert count(services, CustomerRep) == len(relations) == len(pairs) and set(relations) == set(pairs)
    for key, follow in pairs.items():
        rel = relations[key]
        assert (rel.remark, rel.state, rel.add_way, rel.status) == (
            follow.remark,
            follow.state,
            follow.add_way,
            "active",
        )
        assert rel.added_at == datetime.fromtimestamp(follow.createtime, UTC)
        assert tags.get(key, set()) == set(follow.tags)


@SHARED
def test_customers_with_several_reps_are_stored_once_with_a_relation_per_rep(services, standin, clock):
    corp = standin.corp
    several = [c for c in corp.external_contacts.values() if len(c.follow_user) > 1]
    assert 30 <= len(several) <= 50 and {len(c.follow_user) for c in several} == {2, 3}
    report = backfill(services).run()
    assert standin.count("externalcontact/batch/get_by_user") == 5
    assert report.counts["customers"] == {"created": 400}  # each customer once, whoever follows them
    assert report.counts["relations"] == {"created": len(follows(corp))}
    assert_mirrors(services, corp)
    before = stored(services)
    clock.advance(hours=1)
    again = backfill(services).run()
    assert again.counts["customers"] == {"unchanged": 400}
    assert again.counts["relations"] == {"unchanged": len(follows(corp))}
    assert stored(services) == before


@SHARED
def test_a_backfill_of_shared_customers_killed_half_way_resumes_to_the_same_result(services, standin):
    pages = {"n": 0}

    def die_after_2_pages() -> None:
        pages["n"] += 1
        if pages["n"] == 2:
            raise Killed()

    with pytest.raises(Killed):
        backfill(services, on_page=die_after_2_pages).run()
    assert count(services, CustomerRep) == 200
    report = backfill(services).run()
    assert report.resumed and report.counts["relations"] == {"created": len(follows(standin.corp)) - 200}
    assert_mirrors(services, standin.corp)
