"""The words reps type for what they want: command words with their aliases and common IME typos, whole-message
commands, small talk, channel words. Words around names are in name_words.py, titles in scrm/honorifics.py.

Data only. Add an alias here and the corpus (tests/handlers/data/utterances.yaml) shows what it changes.
"""

from __future__ import annotations

# Commands recognised by their first word (longest word wins). 根进/跟近 and 代办 are pinyin-IME typos.
PREFIX_COMMANDS: dict[str, tuple[str, ...]] = {
    "follow_up": ("跟进", "跟踪", "记录", "记一下", "记下", "回访", "根进", "跟近", "跟进一下", "记录一下"),
    "done": ("完成", "搞定", "已完成", "done", "做完了", "完成了", "搞定了", "已搞定", "已经完成", "办完了"),
    "postpone": ("推迟", "延后", "改到", "顺延", "延期", "推到", "往后推", "挪到", "改期", "推后"),
    "stage": ("阶段", "推进", "进入", "推进到", "进入到", "改阶段", "更新阶段", "阶段改为", "阶段改成"),
    "won": ("成交", "签单", "签约", "赢单", "拿下", "成单", "签了", "拿下了", "赢单了", "签单了", "成交了"),
    "lost": ("丢单", "输单", "丢了", "流失", "黄了", "丢单了", "输单了", "流失了"),
    "card": ("查", "查询", "看看", "客户", "查一下", "看一下", "查下", "看下", "搜", "搜索", "查看", "客户详情"),
}
# Follow-up words that also say how the rep reached the customer.
CHANNEL_COMMANDS: dict[str, str] = {
    "备注": "备注",
    "拜访": "拜访",
    "电话": "电话",
    "打电话": "电话",
    "微信": "微信",
    "call": "电话",
    "call了": "电话",
    "call了一下": "电话",
}
# Command words that need a space or colon after them: 客户 张总 is a lookup, 客户嫌贵 is not.
NEEDS_SEPARATOR = ("客户", "进入")

# Whole-message commands, compared after trimming punctuation and particles (呢/吗/啊).
WHOLE_COMMANDS: dict[str, tuple[str, ...]] = {
    "help": (
        "帮助",
        "help",
        "?",
        "菜单",
        "怎么用",
        "使用说明",
        "说明",
        "功能",
        "你能做什么",
        "能做什么",
        "h",
        "帮忙",
        "求助",
        "教程",
        "指令",
        "命令",
        "使用帮助",
        "怎么用啊",
        "咋用",
    ),
    "agenda": (
        "待办",
        "今天",
        "今日",
        "今天跟进谁",
        "今天干嘛",
        "今天干啥",
        "我的待办",
        "代办",
        "待办事项",
        "今日待办",
        "今天待办",
        "今天的待办",
        "今天有啥",
        "今天要跟进谁",
        "跟进谁",
        "今天做什么",
        "todo",
        "今天安排",
        "今天的安排",
        "今天任务",
        "今天跟谁",
        "今天联系谁",
        "我的任务",
        "待跟进",
        "日程",
    ),
    "team_agenda": (
        "团队今天",
        "团队待办",
        "团队",
        "团队今日",
        "今天团队",
        "团队跟进",
        "团队情况",
        "大家今天",
        "团队的待办",
        "团队今天跟进",
        "全组今天",
        "组里今天",
        "团队逾期",
    ),
    "funnel": ("漏斗", "销售漏斗", "团队漏斗", "漏斗情况", "商机漏斗", "我的漏斗", "看漏斗", "管道", "销售管道"),
    "channels": ("渠道", "渠道效果", "渠道分析", "渠道数据", "各渠道", "渠道转化", "获客渠道"),
    "talent": ("人才盘点", "四象限", "人才四象限", "团队盘点", "人才", "盘点"),
    "board": ("排行", "排行榜", "荣誉榜", "龙虎榜", "本月排行", "本周排行", "销冠", "本月销冠", "谁是销冠", "光荣榜"),
    "my_numbers": (
        "业绩",
        "本月",
        "我的业绩",
        "本周业绩",
        "数据",
        "我的数据",
        "本月业绩",
        "今天业绩",
        "今日业绩",
        "这个月业绩",
        "本季度业绩",
        "今年业绩",
        "战绩",
        "排名",
        "我的排名",
        "kpi",
        "本周",
        "业绩排名",
        "我的本月业绩",
        "月度业绩",
    ),
}
# 本周业绩 → note "本周": the period a numbers command asks about.
PERIODS = ("今天", "今日", "本周", "这周", "本月", "这个月", "本季度", "今年")
# Leading words that only say "show me" (看看待办, 查一下业绩).
SHOW_ME = (
    "帮我看看",
    "帮我看下",
    "帮我查下",
    "给我看看",
    "看一下",
    "看看",
    "看下",
    "查一下",
    "查看",
    "查下",
    "显示",
    "我要看",
    "我想看",
    "请问",
)
TRAILING = "?!.。~…呢吗啊呀吧哈嘛了 "

# Bare messages that look like a 2–4 character name but are small talk.
_SMALL_TALK = (
    "你好 您好 好的 好滴 好嘞 好 谢谢 多谢 谢了 感谢 收到 嗯嗯 嗯 哈哈 哈哈哈 在吗 在不在 ok okk 知道了 明白 "
    "明白了 辛苦了 辛苦 没事 早上好 早安 午安 晚安 再见 拜拜 测试 试试 是的 对 对的 不是 不对 可以 不用 算了 "
    "取消 撤销 没问题 你是谁 干嘛 干什么 什么 怎么 为什么 哦 噢 行 行吧 好吧 嗯呢 不知道 你在吗 在么 早 下班 "
    "上班 吃饭 加油 棒 牛 厉害 赞 不错 好的呢 好的吧 明天见 回头见 下周见 改天见 周一见 "
    "刚才 现在 马上 今年 明年 去年 最近 回头 尽快 待会 一会 稍后 以后 之后 这个月 下半年 上半年 年初 有空"
)
SMALL_TALK = frozenset(_SMALL_TALK.split())

# Channel words, by the channel they mean. The earliest one in the note wins.
CHANNELS: dict[str, tuple[str, ...]] = {
    "电话": ("打电话", "电话", "通话", "致电", "来电", "call", "打了个电话", "电联", "回电"),
    "拜访": (
        "拜访",
        "上门",
        "见面",
        "去了(?!解)",
        "面谈",
        "登门",
        "见了",
        "当面",
        "面见",
        "到访",
        "来访",
        "现场",
        "去客户",
        "去公司",
        "约见",
        "走访",
    ),
    "微信": ("微信", "wx", "vx", "weixin", "发了消息", "发消息", "发信息", "发了信息", "留言", "私信", "企微"),
    "会议": (
        "开会",
        "刚开完会",
        "开了个?[^,;。]{0,4}会",
        "会议",
        "视频会",
        "腾讯会议",
        "zoom",
        "线上会",
        "视频",
        "远程演示",
        "线上演示",
        "钉钉会议",
    ),
}
# A channel word right after one of these is a plan, not what happened (约了周五见面).
PLANNED = ("约了", "约", "准备", "计划", "打算", "下次", "再", "要", "回头")
