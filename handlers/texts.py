"""Everything reps, managers and customers read from the handlers, in one place for review."""

NOT_A_MEMBER = "你好！你还不在销售助手的成员名单里，暂时不能使用。请联系管理员把你同步进来（scrm sync）。"

HELP_HEADER = "我是销售助手。客户加你好友时，我会自动建档、发欢迎语。"
HELP_EXAMPLES = "直接发一句话就能记录和查询，例如："
HELP_LINE = "· {example}"
HELP_FOOTER = "发「帮助」随时查看本说明。"
NOT_UNDERSTOOD = "没看懂「{text}」。"

WELCOME_DEFAULT = "{customer}您好，我是{rep}，很高兴认识您！有任何问题随时找我。"
CUSTOMER_FALLBACK_NAME = ""
