"""Chinese words both families show (handlers' replies and jobs' messages): one date format, one way to
name a customer without a name, one way to say how long ago."""

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

# format_when: 11月25日（周三）15:00; the year only when it is not this year.
DAY_FORMAT = "{month}月{day}日（{weekday}）"
WHEN_FORMAT = DAY_FORMAT + "{hour:02d}:{minute:02d}"
YEAR_PREFIX = "{year}年"

UNKNOWN_CUSTOMER = "（未知客户）"

# ago(): how long ago something happened, as a rep would say it.
JUST_NOW = "刚刚"
MINUTES_AGO = "{n}分钟前"
HOURS_AGO = "{n}小时前"
YESTERDAY = "昨天"
DAYS_AGO = "{n}天前"
