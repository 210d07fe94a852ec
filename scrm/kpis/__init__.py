"""The KPI engine: each metric defined once, computed with SQL aggregates over a period for a set of reps.

`by_rep` answers for many reps at once with a handful of grouped queries (the digest of 500 teams does not
loop over reps); a team's or the company's figures are the sum of its reps', except that a customer who added
several of its reps in the period is one new customer of the team (each of those reps still counts them). The
same numbers feed `业绩`, the digests and the honor board.

Results: won amount, deals won and lost, win rate, average deal. Process: follow-ups logged (by channel),
follow-ups due in the period done on time (within ON_TIME_GRACE of their due time), late, or still open,
new customers, first response after a customer adds a rep, active days, overdue follow-ups now. A period is
[start, end) in the business time zone.

By concern: periods · metrics (the table: name, name in Chinese, part, how it adds up; Figures and total) ·
queries (one grouped query per part) · per_rep (by_rep, figures, ranking) · daily (per rep and day) · stages
(the funnel's figures) · channel · efficiency (人效) · talent (人才四分法) · honors (champions, the board) ·
dialect (SQL the databases spell differently). Callers use this package's names.
"""

from scrm.kpis.channel import ChannelFigures, channel_names, channel_of, channels
from scrm.kpis.daily import DAILY_METRICS, by_rep_and_day
from scrm.kpis.dialect import ON_TIME_GRACE
from scrm.kpis.efficiency import Workload, workload
from scrm.kpis.honors import HONOR_TITLES, TITLED_METRICS, board, champions
from scrm.kpis.metrics import METRIC, METRICS, PART_OF, PARTS, Figures, Metric, total
from scrm.kpis.per_rep import by_rep, figures, ranking
from scrm.kpis.periods import Period
from scrm.kpis.stages import StageFigures, funnel
from scrm.kpis.talent import MIN_CLOSED, MIN_LOGGED, MIN_REPS, QUADRANTS, quadrants

__all__ = [
    "DAILY_METRICS",
    "HONOR_TITLES",
    "METRIC",
    "METRICS",
    "ON_TIME_GRACE",
    "PARTS",
    "PART_OF",
    "MIN_CLOSED",
    "MIN_LOGGED",
    "MIN_REPS",
    "QUADRANTS",
    "ChannelFigures",
    "Figures",
    "Metric",
    "Period",
    "StageFigures",
    "TITLED_METRICS",
    "Workload",
    "board",
    "by_rep",
    "by_rep_and_day",
    "champions",
    "channel_names",
    "channel_of",
    "channels",
    "figures",
    "funnel",
    "quadrants",
    "ranking",
    "total",
    "workload",
]
