"""`scrm sync` against a stand-in corp of 50 reps and 5,000 customers."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from bot.sync import Backfill
from scrm.models import Customer, CustomerRep, Member, SyncCheckpoint
from tests.conftest import running_standin
from wecom_standin import Corp


@pytest.fixture
def standin(clock):
    yield from running_standin(Corp.generated(reps=50, customers=5000), clock)


@pytest.fixture
def redis_url():
    return None  # the backfill does not use Redis


class Killed(Exception):
    pass


def backfill(services, **kwargs) -> Backfill:
    return Backfill(services.contact_client, services.store, services.clock, progress=False,
                    sleep=lambda seconds: None, **kwargs)


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
    report = Backfill(services.contact_client, services.store, services.clock, progress=False,
                      sleep=slept.append).run()
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
