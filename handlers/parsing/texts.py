"""Every Chinese string the parsers hand back for a rep to read, in one place for review."""

# Dates are written by scrm.dates (one format for every family, see scrm/texts.py); a time read is echoed with
# handlers/texts.py's words (intents.describe_when).
TEN_DAYS = "{month}月{first}日–{last}日"

PAST = "「{text}」是{when}，已经过去了。请给一个以后的时间，比如「明天上午10点」。"
PAST_TODAY = "「{text}」是今天{clock}，已经过去了。是说「明天{text}」吗？请再发一次完整时间。"
PAST_WEEKDAY = "「{text}」就是今天，已经过了这个点。是说「下{text}」吗？"
PAST_MONTH_DAY = "「{text}」今年已经过去了（{when}），明年又太远，我不敢猜。如果是明年，请带上年份再发一次。"
PAST_HOLIDAY = "「{text}」今年的已经过去了，下一次要到{when}，隔得太远，我不敢猜。请说具体日期，比如「{example}上午」。"
TOO_FAR = "「{text}」是{when}，太远了：跟进最多安排在两年以内。请给一个近一点的时间，比如「{example}上午」。"
TOO_FAR_DURATION = "「{text}」太远了：跟进最多安排在两年以内。请给一个近一点的时间，比如「{example}上午」。"
PAST_YEAR = "「{text}」那一年已经过去了。请给一个以后的时间，比如「{example}上午」。"
IMPOSSIBLE = "「{text}」不是有效的日期或时间，请检查一下，比如「{example}下午3点」。"
HOLIDAY = "「{text}」我算不准是哪天。请说具体日期，比如「{example}上午」。"
VAGUE = "「{text}」不够具体，请说个确切时间，比如「3天后」或「下周二上午」。"
RECURRING = "「{text}」是重复的时间，目前只能设一次性的跟进。请说下一次的具体时间，比如「下周一上午」。"
UNKNOWN = "「{text}」我没看懂是什么时候，请换个说法，比如「明天下午3点」「下周二」「{example}上午」。"
POSTPONE_BY = "「{text}」是推迟多久，我需要知道具体改到哪天。请发「推迟 编号 时间」，比如「推迟 2 周五上午」。"
