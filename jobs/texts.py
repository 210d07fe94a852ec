"""Every Chinese string the scheduled jobs send, in one place for review. Dates come from scrm.dates."""

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
OVERDUE_JUMP = "· {rep}：近 7 天逾期率 {share}，此前 4 周是 {before}"
DELETIONS = "· {rep}：{day}有 {n} 位客户删除了 TA"
STALLED = "· {rep}：{customer}在「{stage}」停了 {days} 天（上限 {limit} 天）"
