"""Everything reps, managers and customers read from the handlers, in one place for review."""

# --- Rep commands ---------------------------------------------------------------------------
NOT_A_MEMBER = "你好！你还不在销售助手的成员名单里，暂时不能使用。请联系管理员把你同步进来（scrm sync）。"

HELP_HEADER = "我是销售助手。客户加你好友时，我会自动建档、打标签、发欢迎语，并安排第一次跟进。"
HELP_EXAMPLES = "直接发一句话就能记录和查询，例如："
HELP_LINE = "· {example}"
HELP_FOOTER = "发「帮助」随时查看本说明。"
NOT_UNDERSTOOD = "没看懂「{text}」。"

# --- Customers --------------------------------------------------------------------------------
WELCOME_DEFAULT = "{客户}您好，我是{销售}，很高兴认识您！有任何问题随时找我。"
UNKNOWN_CUSTOMER = "（未知客户）"
FIRST_FOLLOW_UP_NOTE = "新客户首次跟进（{channel}）"
NO_CHANNEL = "无渠道"

CHURN_TO_REP = "⚠️ 客户「{customer}」在 {when} 删除了你。{deals}建议尽快通过电话了解原因。"
CHURN_TO_MANAGER = "⚠️ 流失提醒：客户「{customer}」在 {when} 删除了销售{rep}。{deals}"
DEALS_AT_RISK = "{n} 个进行中的商机已标为风险。"
REP_DELETED_CUSTOMER = "提醒：销售{rep}在 {when} 删除了客户「{customer}」。"

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
WHEN_FORMAT = "{month}月{day}日 {hour:02d}:{minute:02d}"
