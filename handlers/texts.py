"""Everything reps, managers and customers read from the handlers, in one place for review. A metric is named as
scrm/texts.py's METRIC_LABELS names it, the same in every reply and digest."""

from scrm.texts import METRIC_LABELS as _L

# --- Rep commands ---------------------------------------------------------------------------
NOT_A_MEMBER = "你好！你还不在销售助手的成员名单里，暂时不能使用。请联系管理员把你加进来。"

HELP_HEADER = "我是销售助手。客户加你好友时，我会自动建档、打标签、发欢迎语，并安排第一次跟进。"
HELP_EXAMPLES = "直接发一句话就能记录和查询，例如："
HELP_LINE = "· {example}"
HELP_FOOTER = "发「帮助」随时查看本说明。"
NOT_UNDERSTOOD = "没看懂「{text}」。"

WHICH_CUSTOMER = "是哪位客户？请带上客户的名字、备注或公司名再发一次，比如「跟进 张总 电话沟通了报价」。"
NO_SUCH_CUSTOMER = "你的客户里没有找到「{name}」，这条没有记录。{hint}"
CLOSEST = "是不是「{label}」？是的话请用这个名字再发一次。"
CHOOSE_CUSTOMER = "「{name}」可能是下面{n}位客户，回复序号选择（10分钟内有效）：\n{choices}"
CHOICE_LINE = "{n}. {label}"
NOTHING_TO_CHOOSE = "现在没有需要选择的内容。"
CHOICE_OUT_OF_RANGE = "没有第 {n} 个选项，请回复 1-{last}。"
CHOICE_ONLY_ONE = "只有 1 个选项，没有第 {n} 个。是这位客户请回复 1，不是请带上客户全名重新发。"

LOGGED = "✅ 已记录：{customer}（{channel}{when}）{note}"
HAPPENED = "，{day}"
FOLLOW_UP_EMPTY = "要记录什么？比如「跟进 张总 电话沟通了报价，明天下午3点回访」。"
FOLLOW_UP_WHAT = "和{customer}聊了什么？请把内容一起发来，比如「跟进 {customer} 电话沟通了报价」。"
NEXT_STEP = "下次跟进：{when}{task}"
NEXT_STEP_SET = "✅ 已安排{customer}的下次跟进：{when}{task}"
WHEN_MISSING = "什么时候跟进？例如：明天下午3点回访、下周二、3天后。"
WHEN_REFUSED = "⚠️ 时间没有记：{suggestion}"
# A time read from the message, echoed after its date (scrm.dates writes the date: one format everywhere).
DEADLINE_SUFFIX = "前"
DEFAULT_HOUR_NOTE = "（没说几点，先按{hour}点）"
PERIOD_NOTE = "（{period}中的第一个工作日）"
ESTIMATED_NOTE = "（明年放假安排还没公布，先按往年惯例算）"
CLOSED_DUE = "（已完成 {n} 条到期待办）"
STEP_ADDED = "另加待办：{when}{task}"
STEP_REPLACED = "已把{old}换成「{new}」"
STEP_MOVED = "已把「{task}」从{old}改到{new}"
STEP_AT = "{when}的跟进"
STEP_KEPT = "原有待办照旧：{steps}"
STEP_ALREADY = "这个时间已有待办「{task}」，没有重复添加"

AGENDA_TITLE = "今天的跟进（{n} 条），回复「完成 序号」或「推迟 序号 时间」："
AGENDA_LINE = "{n}. {overdue}{when} {customer}{note}"
AGENDA_OVERDUE = "【逾期】"
AGENDA_EMPTY = "今天没有待跟进的客户。可以发「跟进 客户名 内容」记录沟通。"
NO_SUCH_ITEM = "没有第 {n} 条待办。发「待办」看最新清单。"
ITEM_DONE = "✅ 已完成：{customer}{note}"
ITEM_POSTPONED = "✅ 已推迟：{customer} 改到 {when}"
INDEX_MISSING = "请带上序号，例如：完成 1，推迟 2 明天上午。"

STAGE_MOVED = "✅ {customer} 进入「{stage}」阶段{stayed}"
STAGE_STAYED = "（在「{previous}」停留了 {days} 天）"
STAGE_SAME = "{customer} 已经在「{stage}」阶段了。"
STAGE_UNKNOWN = "没有「{word}」这个阶段。可选：{stages}"
STAGE_USE_DEAL = "成交或丢单请直接发：成交 {customer} 金额，或 丢单 {customer} 原因。"
WON = "🎉 恭喜！{customer} 成交{amount}。"
WON_NO_AMOUNT = "（没写金额：可以再发「成交 {customer} 5万」补上）"
LOST = "已记录丢单：{customer}{reason}。复盘一下原因，下一单会更好。"
NOT_AN_AMOUNT = (
    "「{text}」不是有效的金额，这单还没记。请发 1 元以上的金额，比如「成交 张总 12.8万」或「成交 张总 128000元」。"
)
AMOUNT_TOO_LARGE = "「{text}」太大了：一单最多记 {most}，这单还没记。是不是多打了几个 0？比如「成交 张总 12.8万」。"
ALREADY_CLOSED = "{customer}在{day}已经{outcome}。这是一笔新的单子吗？\n1. 是，记为新的一单\n2. 不是，取消"
OUTCOME_WON = "成交{amount}"
OUTCOME_LOST = "丢单"
CANCELLED = "好的，已取消，什么都没改。"
HISTORY_STAGE = "进入「{stage}」阶段"
HISTORY_WON = "成交{amount}"
BIG_DEAL = "🎉 **喜报**：{rep} 拿下 {customer}，成交 {amount}！"
HISTORY_LOST = "丢单{reason}"
DEAL_STEPS_CLOSED = "已关闭 {n} 条待办：{steps}。"
AFTER_WON = "之后安排的跟进（如交付回访）照常提醒。"
AFTER_LOST = "客户回头时发「{customer}重新打开」，待办一并恢复。"
REOPENED = "✅ 已重新打开{customer}的商机，回到「{stage}」阶段。"
REOPEN_NOT_CLOSED = "{customer}的商机还开着，不用重新打开。"
REOPEN_NO_DEAL = "{customer}还没有成交或丢单的记录，不用重新打开。"
HISTORY_REOPENED = "重新打开商机，回到「{stage}」"
STEPS_RESTORED = "已恢复 {n} 条待办："
STEP_RESTORED = "{n}. {overdue}{when}{note}"
STEPS_RESTORED_LATE = "过了时间的，回复「推迟 序号 时间」改期，比如「推迟 1 明天上午」。"
NO_STEP_TO_RESTORE = "没有要恢复的待办，可以接着发「明天下午3点回访」安排下一步。"

CARD_TITLE = "【{name}】{corp}"
CARD_STAGE = "阶段：{stage}（{days} 天）"
CARD_NO_DEAL = "阶段：还没有商机"
CARD_TAGS = "标签：{tags}"
CARD_TIER = "等级：{tier}（{meaning}）"
TIER_MEANING = {"A": "重点客户，优先跟进", "B": "正常跟进", "C": "关注度低，可以唤醒"}
CARD_RECENT = "最近跟进："
CARD_RECENT_LINE = "· {when}{text}"
CARD_NEXT = "待办：{when}{note}"
CARD_LOGGED = "{channel}：{text}"
CARD_DEALS = "成交记录："
CARD_DEAL_LINE = "· {day}{outcome}"

NUMBERS = (
    "【{who}·{period}业绩】\n"
    f"{_L['won_amount']}：{{amount}}（{{won}} 单）｜{_L['win_rate']}：{{conversion}}\n"
    f"{_L['logged']}：{{logged}} 次｜{_L['on_time_rate']}：{{on_time}}｜{_L['new_customers']}：{{new}} 位\n"
    f"{_L['overdue_now']}：{{overdue}} 条{{rank}}"
)
NUMBERS_PERIOD_UNKNOWN = (
    "「{period}」的业绩看不了：可以看今天、本周、上周、本月、上月、本季度或今年的，比如「{example}」。"
)
LAST_WEEK = "上周"
THIS_YEAR = "{year}年"
NUMBERS_RANK = "\n团队排名：第 {rank}/{of}"
TEAM_NUMBERS = (
    "【{team}·{period}团队业绩】（{n} 位销售）\n"
    f"{_L['won_amount']}：{{amount}}（{{won}} 单）｜{_L['win_rate']}：{{win_rate}}｜{_L['average_deal']}：{{average}}\n"
    f"{_L['logged']}：{{logged}} 次｜{_L['on_time_rate']}：{{on_time}}｜{_L['new_customers']}：{{new}} 位｜"
    f"{_L['overdue_now']}：{{overdue}} 条"
)
TEAM_BEST = "领先：{rep} 成交 {amount}"
TEAM_BEHIND = "最需要加油：{rep} 成交 {amount}，跟进 {logged} 次"
TEAM_NO_REPS = "你负责的部门里还没有销售。"
COMMISSION = "本月提成（按已成交估算）：{amount}"
NO_COMMISSION_PLAN = "还没有设置提成方案，暂时算不出提成，可以问问主管。"
FUNNEL_TITLE = "【{who}·销售漏斗】进行中 {n} 个商机"
FUNNEL_CLOSED = f"{{period}}已结单：成交 {{won}} 单｜丢单 {{lost}} 单｜{_L['win_rate']} {{win_rate}}"
FUNNEL_LINE = "· {stage}：{open} 个｜转到下一步 {conversion}｜一般停留 {days}"
FUNNEL_DAYS = "{n} 天"
FUNNEL_STALLED = "⚠️ 停滞（超过阶段时限）："
FUNNEL_STALLED_LINE = "· {customer}｜{stage} {days} 天{rep}"
FUNNEL_EMPTY = "还没有进行中的商机。发「阶段 张总 报价」就能把客户放进漏斗。"
BOARD_TITLE = "【{team}·{period}排行】"
BOARD_EMPTY = "{period}还没有人上榜，加油！"
WORKLOAD = "人效：人均成交 {won}｜人均客户 {customers} 位｜人均待办 {open} 条"
CHANNELS_TITLE = "【{team}·{period}渠道效果】"
CHANNEL_NAME = "· {channel}"
CHANNEL_NEW = f"  {_L['new_customers']}：{{new}} 位"
CHANNEL_CONVERTED = "  其中已成交：{converted} 位（{conversion}）"
CHANNEL_AMOUNT = f"  {_L['won_amount']}：{{amount}}"
NO_CHANNEL_NAME = "无渠道（直接添加）"
CHANNELS_EMPTY = "{period}还没有新客户或成交。"
TALENT_TITLE = "【{team}·{period}人才盘点】按成交（结果）和跟进（过程）各与团队中位数比较："
TALENT_LINE = "{quadrant}（{action}）：{names}"
TALENT_RULE = "每人至少结单 {closed} 单、跟进 {logged} 次，且至少 {reps} 人达到，才按中位数分档"
TALENT_NOT_ENOUGH = "数据还不够，暂不分档（{rule}）：{reps}"
TALENT_REP_FIGURES = "{rep}（结单 {closed} 单，跟进 {logged} 次）"
TALENT_ACTIONS = {
    "明星": "表扬，树标杆",
    "潜力": "辅导，把好结果变成好习惯",
    "勤奋待提升": "督促，帮TA提高转化",
    "需关注": "关注，一对一聊聊",
}
TARGET_HOW = "设目标请这样发：「目标 张三 12月 50万」，或给团队：「目标 团队 本月 200万」。"
TARGET_WHICH_TEAM = "你负责好几个部门（{teams}），请写部门名，比如「目标 {example} 本月 200万」。"
TARGET_SET = "✅ 已设定：{who} {period}目标 {amount}。大家发「业绩」就能看到进度。"
# A target refused (nothing is saved); the examples are computed from today (this month, week and quarter).
TARGET_NOT_A_PERIOD = (
    "「{text}」不是目标能用的时间段。目标按月、周或季度设，比如「目标 {who} {this_month} 50万」"
    "「目标 {who} {this_week} 10万」「目标 {who} {this_quarter} 150万」。"
)
TARGET_TOO_FAR = (
    "「{text}」离现在太远了，目标只能设在{first}年到{last}年之间，这次没有设。比如「目标 {who} {this_month} 50万」。"
)
TARGET_NO_SUCH_MONTH = "没有{month}月，月份只有 1 到 12，这次没有设。比如「目标 {who} {this_month} 50万」。"
TARGET_NO_SUCH_WEEK = (
    "{year}年没有第{week}周（这一年共 {weeks} 周），这次没有设。比如本周是「目标 {who} {this_week} 10万」。"
)
TARGET_NO_SUCH_QUARTER = "没有第{quarter}季度，一年只有 4 个季度，这次没有设。比如「目标 {who} {this_quarter} 150万」。"
TARGET_NOT_AN_AMOUNT = (
    "「{text}」不是有效的金额，目标没有设。请写成「50万」或「500000」这样的数，比如「目标 {who} {period} 50万」。"
)
TARGET_TOO_SMALL = "「{text}」不能当目标：目标金额至少 1 元，这次没有设。比如「目标 {who} {period} 50万」。"
TARGET_TOO_LARGE = (
    "「{text}」太大了：目标金额最多 {most}，这次没有设。是不是多打了几个 0？比如「目标 {who} {period} 50万」。"
)
WEEK_OF = "{month}月{day}日这周"
NONE_YET = "—"

MANAGERS_ONLY = "这个查询只对主管开放（你需要是部门负责人）。"
ADMINS_ONLY = "这个操作只对管理员开放。"
TEAM_TODAY_TITLE = "【{team}·{day}】"
TEAM_TODAY_LOGGED = "跟进 {n} 次：{reps}"
TEAM_TODAY_REP_LOGGED = "{rep} {n} 次"
TEAM_TODAY_NOTHING_LOGGED = "跟进：今天还没有人记录"
TEAM_TODAY_WON = "成交 {n} 单，共 {amount}：{deals}"
TEAM_TODAY_LOST = "丢单 {n} 单：{deals}"
TEAM_TODAY_DEAL = "{rep}·{customer}{detail}"
TEAM_TODAY_REASON = "（{reason}）"
TEAM_TODAY_MOVES = "阶段推进：{moves}"
TEAM_TODAY_MOVE = "{rep}·{customer}→{stage}"
TEAM_TODAY_SILENT = "今天没有跟进：{reps}"
TEAM_AGENDA_TITLE = "还要跟进 {n} 条："
TEAM_AGENDA_LINE = "· {rep}：{count} 条{overdue}"
TEAM_AGENDA_OVERDUE = "，其中逾期 {n} 条"
TEAM_AGENDA_EMPTY = "今天没有待跟进的客户了。"
NO_SUCH_MEMBER = "你的团队里没有「{name}」。"
MEMBER_CUSTOMERS_TITLE = "{rep}的客户（{n} 位）："
MEMBER_CUSTOMER_LINE = "· {name}{corp}｜{stage}"
MEMBER_CUSTOMERS_MORE = "……还有 {n} 位"

# --- Customers --------------------------------------------------------------------------------
WELCOME_DEFAULT = "{客户}您好，我是{销售}，很高兴认识您！有任何问题随时找我。"
FIRST_FOLLOW_UP_NOTE = "新客户首次跟进"
NO_CHANNEL = "无渠道"

CHURN_TO_REP = "⚠️ 客户「{customer}」在{when}删除了你。{deals}建议尽快通过电话了解原因。"
CHURN_TO_MANAGER = "⚠️ 流失提醒：客户「{customer}」在{when}删除了销售{rep}。{deals}"
DEALS_AT_RISK = "{n} 个进行中的商机已标为风险。"
REP_DELETED_CUSTOMER = "提醒：销售{rep}在{when}删除了客户「{customer}」。"

# Timeline entries (scrm customer show)
TIMELINE = {
    "added": "添加为好友（渠道：{detail}）",
    "half_added": "客户免验证添加，待销售通过（渠道：{detail}）",
    "edited": "销售修改了备注或标签",
    "deleted_by_rep": "销售删除了客户",
    "transferred": "在职继承：转交给其他销售",
    "lost": "客户删除了销售（流失）",
    "transfer_failed": "在职继承失败：{detail}",
    "tagged": "自动打标签：{detail}",
}
TRANSFER_FAIL_REASONS = {"customer_refused": "客户拒绝", "customer_limit_exceed": "接替成员的客户数已达上限"}
