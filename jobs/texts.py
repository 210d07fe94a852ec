"""Every Chinese string the scheduled jobs send, in one place for review. Dates come from scrm.dates; a metric is
named as scrm/texts.py's METRIC_LABELS names it."""

from scrm.texts import METRIC_LABELS as _L

# Reminders to a rep (app message). The numbers are the rep's 待办 numbers, so 完成 N works on them.
REMINDER_TITLE = "⏰ 到点跟进："
REMINDER_TITLE_MANY = "⏰ 到点跟进 {n} 条："
MORNING_TITLE = "早上好！今天有 {n} 条跟进（逾期的在前）："
HELD_TITLE = "今天有 {n} 条跟进（逾期的在前）："  # the same list when quiet hours end later in the day
MORE = "……还有 {n} 条，发「待办」查看全部"
ITEM = "{n}. {overdue}{when} {customer}{task}"
OVERDUE = "【逾期】"
LAST = "   上次：{ago} {text}"
LAST_NONE = "   上次：还没有跟进记录（{ago}加的好友）"
LAST_NEVER = "   上次：还没有跟进记录"
QUICK_REPLY = "回复「完成 {n}」或「推迟 {n} 明天上午」"
QUICK_REPLY_MORNING = "回复「完成 序号」或「推迟 序号 明天上午」，发「待办」随时再看。"

# Escalation to a manager (app message): follow-ups still open after the grace, one list a day.
ESCALATION_TITLE = "📋 {day}逾期未跟进 {n} 条："
ESCALATION_REP = "{rep}："
ESCALATION_LINE = "· {customer}{task}，应在{due}，已逾期 {late}"
LATE_HOURS = "{n} 小时"
LATE_DAYS = "{n} 天"
ESCALATION_FOOTER = "销售每天早上会在待办里看到自己逾期的跟进。"

# Anomaly alerts to a manager (app message), one list a day.
ANOMALY_TITLE = "🔔 {day}异常提醒："
SILENT = "· {rep}：已经 {days} 个工作日没有记录任何跟进（上次：{last}）"
SILENT_NEVER = "· {rep}：有 {customers} 位客户，还没有记录过跟进"
OVERDUE_JUMP = (
    "· {rep}：近 7 天逾期率 {share}（{due} 条中 {late} 条），此前 4 周是 {before}（{due_before} 条中 {late_before} 条）"
)
DELETIONS = "· {rep}：{day}有 {n} 位客户删除了 TA"
STALLED = "· {rep}：{customer}在「{stage}」停了 {days} 天（上限 {limit} 天）"

# The team digests (group chat, robot or app markdown): short lines for a phone.
DIGEST_TITLE = "**{team} 日报 · {day}**"
WEEKLY_TITLE = "**{team} 周报 · {period}**"
SPAN = "{first}–{last}"
DIGEST_TODAY = (
    f"今天：{_L['won_amount']} {{amount}}（{{won}} 单）｜{_L['logged']} {{logged}} 次｜{_L['new_customers']} {{new}} 位"
)
DIGEST_MONTH = (
    f"{{month}}累计：{_L['won_amount']} {{amount}}（{{won}} 单）｜{_L['win_rate']} {{win_rate}}｜"
    f"{_L['on_time_rate']} {{on_time}}"
)
DIGEST_STARS = "🏆 今天表现：{names}"
STAR_WON = "{rep} 成交 {amount}"
STAR_LOGGED = "{rep} 跟进 {n} 次"
DIGEST_OVERDUE = "⏰ 逾期待办 {total} 条：{names}"
MORE_REPS = " 等 {n} 人"
OVERDUE_REP = "{rep} {n} 条"
DIGEST_MOVES = "📈 阶段推进：{moves}"
MORE_MOVES = " 等 {n} 项"
MOVE = "{rep}·{customer}→{stage}"
DIGEST_LOST = "💔 丢单：{deals}"
LOST_DEAL = "{rep}·{customer}{reason}"
LOST_REASON = "（{reason}）"
DIGEST_QUIET = "今天还没有记录，明天加油！"
DIGEST_ALERTS = "🔔 今日异常：{names}（详情已私信主管）"
ALERTS_REP = "{rep} {n} 项"
WEEKLY_LINE = (
    f"{{rep}}：{_L['won_amount']} {{amount}}（上周 {{before}}）｜"
    f"{_L['logged']} {{logged}} 次（上周 {{logged_before}} 次）｜{_L['new_customers']} {{new}} 位"
)
WEEKLY_TEAM = (
    f"全队：{_L['won_amount']} {{amount}}（{{won}} 单，上周 {{before}}）｜"
    f"{_L['logged']} {{logged}} 次（上周 {{logged_before}} 次）"
)

# The honor board (group chat).
HONOR_TITLE = {
    "day": "🏅 {team} 今日荣誉榜 · {period}",
    "week": "🏅 {team} 周荣誉榜 · {period}",
    "month": "🏅 {team} 月度荣誉榜 · {period}",
}
HONOR_STREAK = "🔥 连续达标：{names}"
STREAK_REP = "{rep} {n} 个工作日"
HONOR_FOOTER = "恭喜！大家继续冲 💪"

# The digest's chart.
CHART_TITLE = "{team} {month}成交趋势"
CHART_DAILY = "当日成交（万）"
CHART_RUNNING = "累计成交（万）"
CHART_RUNNING_NOW = "{value}万"
CHART_PACE = "目标进度（按工作日）"
CHART_PACE_NOW = "应达 {value}万"
CHART_X = "日期"
CHART_Y = "万元"
