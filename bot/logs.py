"""Logging for every `scrm` command: one format, our own lines at the chosen level, other libraries' chatter
kept to their warnings. SCRM_LOG_FORMAT=json writes one JSON object a line (python-json-logger)."""

from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter

TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries whose INFO lines say nothing an operator needs (alembic's plugin set-up, one line an APScheduler
# fire) or something they must not see (urllib3 logs request URLs at DEBUG, with WeCom's access_token).
QUIET = {
    "alembic": logging.WARNING,
    "apscheduler": logging.WARNING,
    "urllib3": logging.WARNING,
    "matplotlib": logging.WARNING,
    "jieba": logging.WARNING,
}


def configure(level: str, form: str = "text") -> None:
    handler = logging.StreamHandler()
    if form == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, floor in QUIET.items():
        logging.getLogger(name).setLevel(max(floor, root.level))
