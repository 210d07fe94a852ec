"""Plain-text tables for the CLI, aligned by display width (a Chinese character takes two columns).

Only lays out the cells it is given; what goes in them is the caller's business.
"""

from __future__ import annotations

from wcwidth import wcswidth, wcwidth


def width(text: str) -> int:
    """Columns `text` takes in a terminal; a control character counts as none (wcswidth gives up on it)."""
    found = wcswidth(text)
    return found if found >= 0 else sum(max(wcwidth(char), 0) for char in text)


def cut(text: str, columns: int) -> str:
    """`text` if it fits in `columns`, else as much of it as fits with `…` (one column) at the end."""
    if width(text) <= columns:
        return text
    kept, used = [], 0
    for char in text:
        used += max(wcwidth(char), 0)
        if used > columns - 1:
            break
        kept.append(char)
    return "".join(kept) + "…"


def render(rows: list[tuple[str, ...]], header: tuple[str, ...] | None = None) -> list[str]:
    """The rows (and the header first, if given) as lines, each column padded to its widest cell and the
    columns two spaces apart; the last column is not padded."""
    lines = [header, *rows] if header else list(rows)
    if not lines:
        return []
    columns = max(len(line) for line in lines)
    widths = [max((width(line[i]) for line in lines if i < len(line)), default=0) for i in range(columns)]
    return ["  ".join(cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(line)).rstrip() for line in lines]
