"""Chinese words both families show (handlers' replies and jobs' messages): one date format, one way to
name a customer without a name, one way to say how long ago."""

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

# format_when: 11月25日（周三）15:00; the year only when it is not this year.
DAY_FORMAT = "{month}月{day}日（{weekday}）"
WHEN_FORMAT = DAY_FORMAT + "{hour:02d}:{minute:02d}"
YEAR_PREFIX = "{year}年"

UNKNOWN_CUSTOMER = "（未知客户）"
CUSTOMER_AT = "{name}（{corp}）"  # 陈志强（苏州精密）, in reminders and lists

# Periods, as the KPI engine names them.
TODAY = "今天"
THIS_WEEK = "本周"
MONTH = "{month}月"
QUARTER = "第{n}季度"
DAYS = "{first}–{last}"
NO_CHANNEL = "其他"

# Champions, on the honor board and in 排行.
CHAMPION = "{title}：{names}（{value}）"
CHAMPION_TITLES = {"won_amount": "销冠", "on_time": "跟进之星", "new_customers": "拓客王"}
CHAMPION_VALUES = {"won_amount": "成交 {value}", "on_time": "按时跟进 {value} 次", "new_customers": "新客户 {value} 位"}

# Target progress, in 业绩 and in the digest.
TARGET_LEFT = "目标 {target}：完成 {ratio}，还差 {gap}，剩 {days} 个工作日，每天需 {pace}"
TARGET_NO_DAYS = "目标 {target}：完成 {ratio}，还差 {gap}"
TARGET_MET = "目标 {target}：已完成 {ratio} 🎉"

# ago(): how long ago something happened, as a rep would say it.
JUST_NOW = "刚刚"
MINUTES_AGO = "{n}分钟前"
HOURS_AGO = "{n}小时前"
YESTERDAY = "昨天"
DAYS_AGO = "{n}天前"

# To a team's managers when its group chat stops working.
CHAT_DISABLED = "⚠️ 「{team}」的群通知发不出去了（{reason}），已停用。请联系管理员重新设置群机器人或群聊。"
CHAT_REASONS = {
    93000: "群机器人已被移出群，或地址失效",
    93004: "群机器人已被停用",
    86003: "群聊不存在",
    86001: "群聊不存在",
    40050: "群聊不存在",
    48002: "应用没有群聊权限（可见范围需为全公司）",
}
CHAT_REASON_OTHER = "企业微信拒绝了，错误码 {errcode}"
CHAT_HELLO = "👋 本群已接入销售助手：团队的日报、荣誉榜和重要喜报会发到这里。"

# To the operators (SCRM_OPERATORS), from the sender: once an hour at most.
MESSAGES_EXPIRED = (
    "⚠️ 有消息超过 {hours} 小时仍未能发出（企业微信接口一直失败），已放弃发送。哪些消息被放弃，服务器日志里有记录。"
)

# What each metric of the KPI engine is called (scrm/kpis/metrics.py), in the console and wherever it is named.
METRIC_LABELS = {
    "won_amount": "成交金额",
    "won": "成交单数",
    "lost": "丢单数",
    "win_rate": "赢单率",
    "average_deal": "客单价",
    "logged": "跟进次数",
    "by_channel": "各方式跟进次数",
    "active_days": "有跟进的天数",
    "due": "到期跟进",
    "on_time": "按时跟进",
    "late": "逾期完成",
    "still_open": "到期未完成",
    "on_time_rate": "按时率",
    "new_customers": "新客户",
    "response_minutes": "首次响应用时（分钟）",
    "median_response_minutes": "首次响应用时中位数（分钟）",
    "overdue_now": "逾期待办",
}
