"""The one door to recognizers-text-date-time (Microsoft Recognizers-Text, Python port 1.0.2a2, 2019).

It needs emoji==1.7.0 (emoji >= 2 breaks its import: microsoft/Recognizers-Text #3139). Building the
Chinese model takes ~100 ms, so it happens on first use or in `warm_up()`, never at import.
This module only calls the library and flattens its answer; choosing a reading is when.py's job.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

_lock = threading.Lock()
_model: Any = None


@dataclass(frozen=True)
class Hit:
    start: int
    end: int  # exclusive (the library's `end` is inclusive)
    text: str
    kind: str  # datetime, date, time, datetimerange, daterange, timerange, duration, set
    values: tuple[dict[str, str], ...]


def recognize(text: str, reference: datetime) -> list[Hit]:
    """Time expressions in `text`, read against `reference` (naive, business-local)."""
    return [
        Hit(r.start, r.end + 1, r.text, r.type_name.rsplit(".", 1)[-1],
            tuple((r.resolution or {}).get("values") or ()))
        for r in _get_model().parse(text, reference)
    ]


def warm_up() -> None:
    _get_model()


def _get_model() -> Any:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from recognizers_date_time import DateTimeRecognizer
                from recognizers_text import Culture

                _model = DateTimeRecognizer(Culture.Chinese).get_datetime_model(Culture.Chinese)
    return _model
