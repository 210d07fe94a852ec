"""An operator's own funnel (SCRM_STAGES, SCRM_STAGE_SYNONYMS) is the one reps move customers along, in free text
as with a command word, over real encrypted callbacks through the stand-in (issue 20: the parser read a copy of
the default funnel, so a stage of the operator's own was taken for a note)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.sync import Backfill
from scrm.clock import FrozenClock
from scrm.models import Deal, Interaction, StageChange
from tests.handlers.test_rep_commands import Chat, rows

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def redis_url():
    return None


@pytest.fixture
def settings_overrides() -> dict:
    return {"scrm_stages": "初次接触,需求确认,试用,方案报价,成交,流失", "scrm_stage_synonyms": "POC:试用"}


@pytest.fixture
def chat(wecom, standin, services, clock) -> Chat:
    Backfill(services.contact_client, services.store, clock, progress=False).run()
    return Chat(wecom, standin, services, clock)


def stages_of(chat) -> list[str]:
    """李雪梅's (wmCust0002's) deal's stages, in order."""
    [deal] = rows(chat.services, Deal, Deal.external_userid == "wmCust0002")
    return [c.to_stage for c in rows(chat.services, StageChange, StageChange.deal_id == deal.id)]


def test_a_stage_of_the_operators_own_named_in_free_text_moves_the_customer(chat):
    assert chat.say("李雪梅那边进入试用阶段了").startswith("✅ 李雪梅 进入「试用」阶段")
    assert stages_of(chat)[-1] == "试用"
    assert rows(chat.services, Interaction, Interaction.kind == "follow_up") == []  # not taken for a note


def test_a_word_the_operator_added_for_a_stage_moves_the_customer_to_it(chat):
    assert chat.say("李雪梅到POC阶段了").startswith("✅ 李雪梅 进入「试用」阶段")
    assert stages_of(chat)[-1] == "试用"


def test_the_usual_words_still_name_the_stages_the_funnel_kept(chat):
    assert chat.say("阶段 李雪梅 报价").startswith("✅ 李雪梅 进入「方案报价」阶段")
    assert chat.say("李雪梅 进入试用") == "✅ 李雪梅 进入「试用」阶段（在「方案报价」停留了 0 天）"
