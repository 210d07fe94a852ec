"""`scrm chat --as USERID`: type to the bot as a member would in WeCom, through the local stand-in.

Each line reaches a real `scrm serve` as an encrypted callback over HTTP; what the stand-in receives for
the member through message/send is printed as it arrives. The state is one SQLite file kept between
sessions. Only the terminal's chrome lives here; every reply is the bot's own.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from bot.stage import Stage, StageFailed, demo_corp, wait_for
from scrm import customers
from wecom_standin.records import Delivered

REPLY_TIMEOUT = 30.0  # seconds; a reply takes well under one, but the first waits for `scrm worker` to boot
QUIT = ("exit", "quit", "退出")
BOT = "销售助手："
INDENT = " " * 10  # the width of BOT in a terminal: five wide characters
KIND = {
    "textcard": "[卡片] ",
    "news": "[图文] ",
    "image": "[图片]",
    "file": "[文件]",
    "voice": "[语音]",
    "video": "[视频]",
}
BANNER = "你是 {name}（{userid}）· 你的客户：{customers} · 直接输入要对销售助手说的话，exit 或 Ctrl-D 退出"
NO_CUSTOMERS = "（无）"
STARTING = "正在启动本地企业微信模拟器和 scrm serve（状态存在 {db}）…"
STOPPING = "正在停止 scrm serve…"
UNKNOWN = "scrm chat: 没有成员「{userid}」，可以用：{known}"
NO_REPLY = "（{seconds:.0f} 秒内没有收到回复；服务日志：{log}）"
NOT_ACKED = "（回调没有被接收：HTTP {status}；服务日志：{log}）"
FAILED = "scrm chat: {error}"


def default_db() -> Path:
    """The chat's SQLite file, kept between sessions beside jieba's cache (handlers/parsing/tokens.py)."""
    return Path.home() / ".cache" / "wecom-scrm" / "chat.db"


def render(message: Delivered) -> str:
    body = message.content if message.msgtype in ("text", "markdown", "textcard", "news") else ""
    return BOT + (KIND.get(message.msgtype, "") + body).replace("\n", "\n" + INDENT)


class Chat:
    """One member's side of the conversation: sends their lines, prints the app's messages to them."""

    def __init__(self, stage: Stage, userid: str, *, interactive: bool) -> None:
        self.stage, self.userid, self.interactive = stage, userid, interactive
        self.name = stage.standin.corp.member(userid).name
        self._shown = 0  # how much of the stand-in's app messages has been looked at
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._typing = False  # the main thread waits for a line

    def banner(self) -> str:
        with self.stage.store.read() as session:
            names = [customers.display_name(c) for c, _ in customers.of_rep(session, self.userid)]
        return BANNER.format(name=self.name, userid=self.userid, customers="、".join(names) or NO_CUSTOMERS)

    def say(self, text: str) -> None:
        """Send one line as WeCom would, then wait (bounded) until the bot has answered all it will."""
        delivery = self.stage.send_text(self.userid, text)
        if delivery.status != 200:
            print(NOT_ACKED.format(status=delivery.status, log=self.stage.log), flush=True)
            return
        try:
            wait_for("the bot's reply", self.stage.settled, timeout=REPLY_TIMEOUT)
        except StageFailed:
            print(NO_REPLY.format(seconds=REPLY_TIMEOUT, log=self.stage.log), flush=True)
        self.show_new()

    def show_new(self) -> bool:
        """Print the app's messages to this member that arrived since last time; True if there were any."""
        with self._lock:
            return self._print_new()

    def _print_new(self) -> bool:
        delivered = self.stage.standin.delivered("app")
        new = [m for m in delivered[self._shown :] if self.userid in m.recipients]
        self._shown = len(delivered)
        for message in new:
            print(render(message), flush=True)
        return bool(new)

    def _watch(self) -> None:
        """Messages that come while the member is typing (a reminder at its minute) are shown at once, the
        prompt redrawn; replies to a line are shown by `say`, in order."""
        while not self._stop.wait(0.2):
            with self._lock:
                if self._typing and self._print_new() and self.interactive:
                    print(self.prompt, end="", flush=True)

    def _read(self) -> str:
        with self._lock:
            self._typing = True
        try:
            return input(self.prompt if self.interactive else "").strip()
        finally:
            with self._lock:
                self._typing = False

    @property
    def prompt(self) -> str:
        return f"{self.name}："

    def run(self) -> None:
        watcher = threading.Thread(target=self._watch, name="chat-watch", daemon=True)
        watcher.start()
        try:
            while True:
                try:
                    text = self._read()
                except EOFError:
                    if self.interactive:
                        print()
                    break
                if text.lower() in QUIT:
                    break
                if text:
                    if not self.interactive:
                        print(self.prompt + text, flush=True)
                    self.say(text)
        except KeyboardInterrupt:
            print()
        finally:
            self._stop.set()
            watcher.join()


def main(userid: str, db: Path | None = None, fresh: bool = False) -> int:
    corp = demo_corp()
    member = corp.member(userid)  # found whatever the case, as WeCom does
    if member is None:
        known = "、".join(f"{m.userid}（{m.name}）" for m in list(corp.members.values())[:5])
        print(UNKNOWN.format(userid=userid, known=known), file=sys.stderr)
        return 2
    db = db or default_db()
    interactive = sys.stdin.isatty()
    if interactive:
        import readline  # noqa: F401  (line editing and history for input())

        print(STARTING.format(db=db), file=sys.stderr, flush=True)
    if fresh:
        for path in (db, *db.parent.glob(db.name + "-*")):  # -wal, -shm and the like go with it
            path.unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the server is stopped on the way out
    stage = Stage(corp, f"sqlite:///{db}", db.with_suffix(".log"))
    try:
        stage.sync()  # migrates first; idempotent, so the same corp gives the same rows every session
        stage.serve()
        chat = Chat(stage, member.userid, interactive=interactive)
        print(chat.banner(), flush=True)
        chat.show_new()  # anything already sent to the member as the server started (a catch-up reminder)
        chat.run()
        if interactive:
            print(STOPPING, file=sys.stderr, flush=True)
    except StageFailed as error:
        print(FAILED.format(error=error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        stage.close()
    return 0
