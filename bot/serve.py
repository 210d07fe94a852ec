"""`scrm serve`: gunicorn in-process; each worker builds the app after the fork (no shared connections)."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from bot.app import build, create_app
from bot.settings import Settings
from handlers.parsing import warm_up
from handlers.parsing.tokens import cache_dir


class _Server(BaseApplication):
    def __init__(self, settings: Settings, options: dict) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return create_app(build(self._settings))


def _start_background(worker) -> None:
    from bot.runner import Background

    worker.wsgi.extensions["scrm-background"] = Background(worker.wsgi.extensions["scrm"]).start()


def _stop_background(server, worker) -> None:
    """Let the dispatcher and sender finish what they hold before the worker goes (deploys, restarts)."""
    background = getattr(worker, "wsgi", None) and worker.wsgi.extensions.get("scrm-background")
    if background:
        background.stop()


def run(settings: Settings, *, host: str, port: int, workers: int, background: bool) -> None:
    warm_up(cache_dir(settings.scrm_cache_dir))  # jieba's dictionary and the time model, once, before the fork: workers share them
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "timeout": 30,
        "accesslog": None,
        "post_worker_init": _start_background if background else (lambda worker: None),
        "worker_exit": _stop_background,
    }
    _Server(settings, options).run()
