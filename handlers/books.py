"""Each rep's customers as a Book (handlers/parsing/book.py), kept in memory between messages.

A rep with 5,000 customers takes tens of milliseconds to index; a stamp query (count and newest change of
their customers) tells whether the cached Book is still right, so it is rebuilt only after a change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlmodel import Session

from handlers.parsing.book import Book, Entry
from scrm import customers

BOOKS_CACHED = 256
_books: OrderedDict[str, tuple[tuple, Book]] = OrderedDict()
_lock = threading.Lock()  # the dispatcher runs handlers on several threads


def book_of(session: Session, userid: str) -> Book:
    """The rep's customers as a Book, built once and rebuilt only when a customer or name changes."""
    stamp = customers.book_stamp(session, userid)
    with _lock:
        cached = _books.get(userid)
        if cached and cached[0] == stamp:
            _books.move_to_end(userid)
            return cached[1]
    book = Book(
        Entry(c.external_userid, c.name, rel.remark, c.corp_name, rel.remark_corp_name, c.position)
        for c, rel in customers.of_rep(session, userid)
    )
    with _lock:
        _books[userid] = (stamp, book)
        while len(_books) > BOOKS_CACHED:
            _books.popitem(last=False)
    return book
