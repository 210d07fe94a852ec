"""The one door to recognizers-text-date-time (Microsoft Recognizers-Text, Python port 1.0.2a2, 2019).

It needs emoji==1.7.0 (emoji >= 2 breaks its import: microsoft/Recognizers-Text #3139). Building the
Chinese model takes ~100 ms, so it happens on first use or in `warm_up()`, never at import.
This module only calls the library and flattens its answer; choosing a reading is when.py's job.

recognizers-number sets `decimal.getcontext().prec = 15` when it is imported, which changed the Decimal
precision of whichever thread first read a time: amounts of 16 digits and more then raised InvalidOperation
(issue 19). The library is imported and run in a context of its own, with the precision it expects.
"""

from __future__ import annotations

import decimal
import threading
from contextlib import AbstractContextManager
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
    model = _get_model()
    with _library_decimals():
        found = model.parse(text, reference)
    return [
        Hit(r.start, r.end + 1, r.text, r.type_name.rsplit(".", 1)[-1], tuple((r.resolution or {}).get("values") or ()))
        for r in found
    ]


def warm_up() -> None:
    _get_model()


def _get_model() -> Any:
    global _model
    if _model is None:
        with _lock, _library_decimals():
            if _model is None:
                from recognizers_date_time import DateTimeRecognizer
                from recognizers_text import Culture

                _model = DateTimeRecognizer(Culture.Chinese).get_datetime_model(Culture.Chinese)
    return _model


def _library_decimals() -> AbstractContextManager[decimal.Context]:
    """The library's Decimal precision (15, set at its import), kept away from the caller's context."""
    return decimal.localcontext(prec=15)
