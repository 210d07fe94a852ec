"""`scrm demo`: the product end to end against the local WeCom stand-in, as a readable transcript.

It runs the real `scrm serve` (gunicorn, with the dispatcher and sender inside) on a throwaway SQLite
database without Redis, sends it encrypted callbacks the way WeCom does, and prints what each person
would see in WeCom. Exit status 0 means every step was seen to happen.
"""

from __future__ import annotations

import base64
import re
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from sqlmodel import select

from bot.stage import Stage, StageFailed, demo_corp, wait_for
from scrm import follow_ups, tagging, welcome, workdays
from scrm.clock import SystemClock
from scrm.dates import business_day, business_time, format_when
from scrm.models import Customer, CustomerRep, FollowUp, InboxEvent, Member, OutboxMessage
from scrm.statuses import QueueStatus
from wecom_standin import xml
from wecom_standin.server import DEFAULT_WEBHOOK_KEY


def _say(line: str = "") -> None:
    print(line, flush=True)


class Scene(Stage):
    def __init__(self, workdir: Path) -> None:
        super().__init__(demo_corp(), f"sqlite:///{workdir / 'demo.db'}", workdir / "server.log")

    def setup(self) -> None:
        counts = self.sync()
        _say(
            f"· scrm sync：同步了 {counts['departments']} 个部门、{counts['members']} 位成员、"
            f"{counts['customers']} 位客户和标签库"
        )
        with self.store.transaction() as session:
            now = SystemClock().now()
            tagging.add(session, kind="channel", pattern="expo2026*", group="渠道", tag="2026展会", now=now)
            tagging.add(session, kind="keyword", pattern="制造,工厂,机械", group="行业", tag="制造业", now=now)
            welcome.set_template(
                session,
                channel="expo2026*",
                now=now,
                text="{客户}您好，我是{销售}，感谢您在展会上扫码！{公司}的选型资料我稍后发您。",
            )
        _say("· scrm rules：渠道规则 expo2026* → 渠道:2026展会；关键词规则 制造/工厂/机械 → 行业:制造业")
        _say("· scrm welcome：展会渠道的欢迎语模板已设置")
        self.cli("team", "set", "华东销售部", "--robot", DEFAULT_WEBHOOK_KEY)
        _say("· scrm team set 华东销售部 --robot …：团队群的群机器人已接入（日报、荣誉榜、喜报发到群里）")
        self.serve()
        _say(f"· scrm serve 已启动：{self.url}（gunicorn + 分发器 + 发送器 + 定时任务，SQLite，无 Redis）")
        hello = self.wait_for_message("the robot's hello", "webhook", DEFAULT_WEBHOOK_KEY, 0, marker="已接入")
        _say(f"   华东销售部群里（群机器人）：{hello.content}")

    def run_job(self, name: str, at: datetime, to: str, caption: str, marker: str = "", kind: str = "app") -> str:
        """`scrm jobs run NAME --at AT`; returns (and prints) what `to` (a member, or a robot key) receives."""
        seen = len(self.standin.delivered(kind))
        self.cli("jobs", "run", name, "--at", at.isoformat(timespec="minutes"))
        _say(f"   $ scrm jobs run {name} --at {at:%Y-%m-%dT%H:%M}")
        message = self.wait_for_message(f"the {name} message", kind, to, seen, marker)
        _say(f"   {caption}：" + message.content.replace("\n", "\n             "))
        return message.content

    def wait_for_message(self, what: str, kind: str, to: str, seen: int, marker: str = ""):
        def arrived():
            # The scheduler inside `scrm serve` may have sent it already (its hour came): then that one is shown.
            found = [m for m in self.standin.delivered(kind)[seen:] if m.recipients == [to] and marker in m.content]
            return found or (
                marker and [m for m in self.standin.delivered(kind) if m.recipients == [to] and marker in m.content]
            )

        return wait_for(what, arrived)[-1]

    def show_chart(self) -> None:
        """The digest's chart, as the group received it, saved where a person can open it."""

        def chart():
            with self.store.transaction() as session:
                return session.exec(
                    select(OutboxMessage).where(
                        OutboxMessage.key.like("daily-digest:%:chart"), OutboxMessage.status == QueueStatus.SENT
                    )
                ).first()

        row = wait_for("the digest's chart", chart)
        path = Path(tempfile.gettempdir()) / "wecom-scrm-demo-chart.png"
        path.write_bytes(base64.b64decode(row.payload["base64"]))
        _say(f"   随后群里收到本月成交趋势图（{path.stat().st_size // 1024} KB，可打开查看：{path}）")


def say(scene: Scene, text: str, who: str = "张三", userid: str = "zhangsan") -> str:
    """A member types to the app; returns (and prints) the bot's answer."""
    _say(f"   {who}：{text}")
    before = len(scene.standin.delivered("app"))
    scene.send_text(userid, text)
    reply = wait_for(
        f"the answer to {text}",
        lambda: [m for m in scene.standin.delivered("app")[before:] if m.recipients == [userid]],
    )[0]
    _say("   销售助手：" + reply.content.replace("\n", "\n             "))
    return reply.content


def rep_asks_for_help(scene: Scene) -> None:
    _say("\n① 销售张三打开「销售助手」，发了一句话")
    say(scene, "帮助")


def customer_adds_rep(scene: Scene) -> None:
    _say("\n② 客户陈志强在展会上扫了张三的渠道码（state=expo2026_booth3），加了张三为好友")
    corp = scene.standin.corp
    corp.add_external_contact("wmDemoChen01", "陈志强", corp_name="苏州精密机械制造有限公司", position="采购经理")
    corp.attach_contact("zhangsan", "wmDemoChen01", state="expo2026_booth3", remark="陈总 展会")
    code = scene.standin.issue_welcome_code("zhangsan", "wmDemoChen01")
    event = xml.contact_added(
        user_id="zhangsan",
        external_user_id="wmDemoChen01",
        state="expo2026_booth3",
        welcome_code=code,
        corp_id=corp.corp_id,
    )
    wecom = scene.callbacks()
    started = time.monotonic()
    wecom.send(event)
    wecom.send(event)  # WeCom sends it again when an answer is late; it must be handled once
    [welcome] = wait_for("the welcome message", lambda: scene.standin.delivered("welcome"))
    elapsed = time.monotonic() - started
    _say(f"   [企业微信 → 回调] add_external_contact，重发了 1 次；{elapsed * 1000:.0f} ms 后欢迎语已发出")
    _say(f"   陈志强收到（张三发来）：{welcome.content}")
    wait_for("the redelivery to be taken in", scene.settled)  # on SQLite it waits in the spool a moment
    with scene.store.transaction() as session:
        customer = session.get(Customer, "wmDemoChen01")
        link = session.exec(select(CustomerRep).where(CustomerRep.external_userid == "wmDemoChen01")).one()
        event_row = session.exec(select(InboxEvent).where(InboxEvent.kind.like("%add_external_contact"))).one()
        rep = session.get(Member, link.userid)
    _say(
        f"   客户档案：{customer.name}｜{customer.corp_name}｜{customer.position}｜跟进人：{rep.name}｜来源：展会渠道码"
    )
    done = "已处理" if event_row.status == QueueStatus.DONE else "未处理完"
    _say(f"   收件箱：这条事件收到 {event_row.deliveries} 次，存 1 行，处理 1 次（{done}）")
    if len(scene.standin.delivered("welcome")) != 1:
        raise StageFailed("the welcome went out more than once")
    follow = corp.external_contacts["wmDemoChen01"].follow("zhangsan")
    wait_for("the tags in WeCom", lambda: len(follow.tags) == 2)
    names = sorted(f"{g.group_name}:{t.name}" for g, t in (corp.find_tag(i) for i in follow.tags))
    _say(f"   张三在企业微信里看到客户标签：{'、'.join(names)}（自动打上，张三没有动手）")
    with scene.store.transaction() as session:
        [first] = follow_ups.open_for(session, "wmDemoChen01")
    due = business_time(first.due_at, scene.settings.timezone)
    _say(f"   首次跟进已排期：{format_when(due, due)}（新客户规则：下一个工作日）")


def rep_logs_follow_ups(scene: Scene) -> None:
    _say("\n③ 张三打完电话，一句话记跟进、排下一步；名字说在哪都认得，对不上时选一下，不是他的客户就不记")
    say(scene, "跟进 陈总 电话沟通了报价，客户嫌贵 明天下午3点回访")
    say(scene, "跟进 张总 拜访了工厂")
    say(scene, "1")
    say(scene, "今天要跟谁")
    say(scene, "陈总那边到报价阶段了")
    say(scene, "陈总 后天上午10点见面")  # a new plan: it replaces 回访, so the rep has one next step
    say(scene, "约了吴总下周三见面")
    seen = len(scene.standin.delivered("webhook"))
    say(scene, "苏州精密签了，合同12.8万，下周一上午10点交付回访")  # the win closes 见面; the visit after it stays
    news = scene.wait_for_message("the big-deal news", "webhook", DEFAULT_WEBHOOK_KEY, seen, marker="喜报")
    _say(f"   华东销售部群里（群机器人）：{news.content}")
    say(scene, "陈总现在什么情况")
    with scene.store.transaction() as session:
        steps = session.exec(
            select(FollowUp).where(FollowUp.external_userid == "wmDemoChen01", FollowUp.source == "rep")
        )
        kept = {f.note: f.status for f in steps}
    if kept != {"回访": "superseded", "见面": "deal_closed", "交付回访": "open"}:
        raise StageFailed(
            f"陈志强's next steps are {kept}, not 回访 replaced, 见面 closed with the deal, 交付回访 open"
        )
    _say("   （已存下：陈志强的「回访」换成了「见面」，「见面」随成交关闭，成交后的「交付回访」照常提醒）")


def jobs_act(scene: Scene) -> None:
    _say("\n⑤ 之后几天：到点提醒、异常提醒、逾期上报，也都由定时任务发出")
    say(scene, "跟进 张伟 发了产品资料 明天上午10点电话确认")
    calendar, tz = workdays.current(), scene.settings.timezone
    with scene.store.transaction() as session:
        due = {
            f.note: business_time(f.due_at, tz)
            for f in follow_ups.agenda(session, ["zhangsan"], until=SystemClock().now() + timedelta(days=30))
        }
    at = due["交付回访"]  # 陈志强's visit after the win, set in ③
    if not calendar.is_working_day(at.date()):  # a day off: it comes in the next working morning's list
        at = datetime.combine(calendar.next_working_day(at.date()), clock_time(8, 0), tzinfo=tz)
    reminder = scene.run_job("reminders", at, "zhangsan", f"{format_when(at, at)} 到点提醒，张三收到")
    number = re.search(r"「完成 (\d+)」", reminder) or re.search(r"(\d+)\. \S* ?\S* 陈志强", reminder)
    say(scene, f"完成 {number[1]}")
    late = due["电话确认"]  # 张伟's call was never logged: escalated when its next working day has ended
    at = datetime.combine(
        calendar.next_working_day(calendar.next_working_day(late.date())), clock_time(9, 37), tzinfo=tz
    )
    scene.run_job(
        "anomalies",
        at - timedelta(minutes=30),
        "wangwu",
        f"{format_when(at - timedelta(minutes=30), at)} 异常提醒，主管王五收到",
        marker="异常提醒",
    )
    scene.run_job("escalation", at, "wangwu", f"{format_when(at, at)} 逾期上报，主管王五收到")


def team_evening(scene: Scene) -> None:
    _say("\n④ 傍晚 18:00，团队群里收到日报，随后是荣誉榜（定时任务；这里用 scrm jobs run … --at 快进，不用真等）")
    calendar, tz = workdays.current(), scene.settings.timezone
    today = business_day(SystemClock().now(), tz)
    day = calendar.next_working_day(today, inclusive=True)  # the deal's day, if it is a working day
    for name, minute, caption, marker in (
        ("daily-digest", 0, "华东销售部群里收到日报", " 日报 · "),
        ("honor-board", 10, "华东销售部群里收到荣誉榜", "荣誉榜 · "),
    ):
        at = datetime.combine(day, clock_time(18, minute), tzinfo=tz)
        scene.run_job(name, at, DEFAULT_WEBHOOK_KEY, caption, marker=marker, kind="webhook")
        if name == "daily-digest":
            scene.show_chart()


def customer_deletes_rep(scene: Scene) -> None:
    _say("\n⑥ 后来，陈志强把张三从好友里删除了")
    corp = scene.standin.corp
    corp.mark_deleted_by_customer("zhangsan", "wmDemoChen01")
    before = len(scene.standin.delivered("app"))
    scene.callbacks().send(xml.contact_deleted_by_customer("zhangsan", "wmDemoChen01", corp_id=corp.corp_id))
    alerts = wait_for(
        "the churn alerts",
        lambda: len(scene.standin.delivered("app")) >= before + 2 and scene.standin.delivered("app")[before:],
    )
    for alert in alerts:
        who = "张三" if alert.recipients == ["zhangsan"] else "主管王五"
        _say(f"   {who}收到：{alert.content}")


def main() -> int:
    _say("wecom-scrm 演示：本地企业微信模拟器 + scrm serve，全程走真实的加密回调和 HTTP")
    with tempfile.TemporaryDirectory(prefix="scrm-demo-") as tmp:
        scene = Scene(Path(tmp))
        try:
            scene.setup()
            rep_asks_for_help(scene)
            customer_adds_rep(scene)
            rep_logs_follow_ups(scene)
            team_evening(scene)
            jobs_act(scene)
            customer_deletes_rep(scene)
        except StageFailed as failure:
            _say(f"\n演示失败：{failure}")
            return 1
        finally:
            scene.close()
    _say("\n演示完成。")
    return 0
