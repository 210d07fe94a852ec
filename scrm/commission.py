"""Commission: tiered rates on a rep's won amount in a month, and a bonus past a threshold (the "4+1" incentive).

A plan such as "3% up to 100,000, 5% above it, and 20,000 once the month passes 1,000,000" is one row, set by
operators with `scrm commission set`. Each rep sees only their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session

from scrm.models import CommissionPlan

PLAN_ID = 1


class PlanError(ValueError):
    pass


@dataclass(frozen=True)
class Plan:
    tiers: tuple[tuple[Decimal | None, Decimal], ...]  # (up to this amount, or None for the rest; rate)
    bonus: Decimal = Decimal(0)
    bonus_over: Decimal | None = None

    def earned(self, won: Decimal) -> Decimal:
        """Commission on a month's won amount: each tier's rate on the part of the amount inside it."""
        total, below = Decimal(0), Decimal(0)
        for upto, rate in self.tiers:
            top = won if upto is None else min(won, upto)
            if top > below:
                total += (top - below) * rate
            below = upto if upto is not None else won
            if won <= below:
                break
        if self.bonus_over is not None and won > self.bonus_over:
            total += self.bonus
        return total.quantize(Decimal("0.01"), ROUND_HALF_UP)


def parse_tiers(text: str) -> tuple[tuple[Decimal | None, Decimal], ...]:
    """`100000:3%,:5%` (3% up to 100,000, 5% above): ascending limits, the last one open."""
    tiers = []
    for part in text.replace("，", ",").split(","):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)?\s*:\s*(\d+(?:\.\d+)?)\s*%\s*", part)
        if match is None:
            raise PlanError(f"{part.strip()!r} is not a tier like 100000:3% (or :5% for the rest)")
        tiers.append((Decimal(match[1]) if match[1] else None, Decimal(match[2]) / 100))
    limits = [upto for upto, _ in tiers]
    if limits[-1] is not None or None in limits[:-1] or limits[:-1] != sorted(set(limits[:-1])):
        raise PlanError("limits must go up, and only the last tier may be open (`:5%`)")
    return tuple(tiers)


def current(session: Session) -> Plan | None:
    row = session.get(CommissionPlan, PLAN_ID)
    if row is None:
        return None
    tiers = tuple((Decimal(upto) if upto is not None else None, Decimal(rate)) for upto, rate in row.tiers)
    return Plan(tiers, Decimal(row.bonus), Decimal(row.bonus_over) if row.bonus_over is not None else None)


def set_plan(session: Session, plan: Plan, *, now: datetime) -> None:
    row = session.get(CommissionPlan, PLAN_ID) or CommissionPlan(id=PLAN_ID)
    row.tiers = [[str(upto) if upto is not None else None, str(rate)] for upto, rate in plan.tiers]
    row.bonus, row.bonus_over, row.updated_at = plan.bonus, plan.bonus_over, now
    session.add(row)
