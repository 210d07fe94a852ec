"""Every Chinese string the scheduled jobs send, in one place for review. Dates come from scrm.dates."""

# Reminders to a rep (app message). The numbers are the rep's 待办 numbers, so 完成 N works on them.
REMINDER_TITLE = "⏰ 到点跟进："
REMINDER_TITLE_MANY = "⏰ 到点跟进 {n} 位客户："
MORNING_TITLE = "早上好！今天要跟进 {n} 位客户（逾期的在前）："
HELD_TITLE = "今天要跟进 {n} 位客户（逾期的在前）："  # the same list when quiet hours end later in the day
ITEM = "{n}. {overdue}{when} {customer}{task}"
OVERDUE = "【逾期】"
CUSTOMER = "{name}（{corp}）"
LAST = "   上次：{ago} {text}"
LAST_NONE = "   上次：还没有跟进记录（{ago}加的好友）"
LAST_NEVER = "   上次：还没有跟进记录"
QUICK_REPLY = "回复「完成 {n}」或「推迟 {n} 明天上午」"
QUICK_REPLY_MORNING = "回复「完成 序号」或「推迟 序号 明天上午」，发「待办」随时再看。"

# Escalation to a manager (app message): follow-ups still open after the grace, one list a day.
ESCALATION_TITLE = "📋 逾期未跟进（{day}）：{n} 条"
ESCALATION_REP = "{rep}："
ESCALATION_LINE = "· {customer}{task}，应在{due}，已逾期{late}"
LATE_HOURS = "{n}小时"
LATE_DAYS = "{n}天"
ESCALATION_FOOTER = "销售每天早上会在待办里看到自己逾期的跟进。"

# Anomaly alerts to a manager (app message), one list a day.
ANOMALY_TITLE = "🔔 异常提醒（{day}）："
SILENT = "· {rep}：已经 {days} 个工作日没有记录任何跟进（上次：{last}）"
SILENT_NEVER = "· {rep}：有 {customers} 位客户，还没有记录过跟进"
OVERDUE_JUMP = "· {rep}：近 7 天逾期率 {share}，此前 4 周是 {before}"
DELETIONS = "· {rep}：{day}有 {n} 位客户删除了 TA"
STALLED = "· {rep}：{customer}在「{stage}」停了 {days} 天（上限 {limit} 天）"

# To a team's managers when its group chat stops working.
CHAT_DISABLED = "⚠️ 「{team}」的群通知发不出去了（{reason}），已停用。请重新设置群机器人或群聊。"
CHAT_REASONS = {
    93000: "群机器人已被移出群，或地址失效",
    86003: "群聊不存在",
    86001: "群聊不存在",
    40050: "群聊不存在",
    48002: "应用没有群聊权限（可见范围需为全公司）",
}
CHAT_REASON_OTHER = "企业微信拒绝了，错误码 {errcode}"
CHAT_HELLO = "👋 本群已接入销售助手：团队的日报、荣誉榜和重要喜报会发到这里。"
