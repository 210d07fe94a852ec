"""Engine and transactions. The caller of a unit of work opens the transaction; store functions never commit."""

from __future__ import annotations

import contextlib
import functools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Table, any_, bindparam, event, func, literal_column, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

from scrm.sqlite_turns import TurnTakingConnection


def make_engine(url: str, *, schema: str | None = None, pool_size: int = 5, one_connection: bool = False) -> Engine:
    """An engine tuned for the dialect. `schema` pins PostgreSQL's search_path (tests isolate with it);
    `one_connection` (SQLite) keeps every use on one connection, so it keeps reading the file it opened."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, one_connection)
    connect_args: dict[str, Any] = {}
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    return create_engine(
        url, connect_args=connect_args, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
    )


def _sqlite_engine(url: str, one_connection: bool = False) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30, "factory": TurnTakingConnection},
        **({"poolclass": StaticPool} if one_connection else {}),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (so BEGIN IMMEDIATE below works).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A deferred transaction that reads then writes can fail at once with "database is locked"
        # when another process wrote in between; taking the write lock up front makes it wait instead.
        # Store.read's transactions only read: they take no write lock (WAL readers block nobody).
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.connection.dbapi_connection.take_turn()  # writers queue fairly (scrm/sqlite_turns.py)
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


READ_ONLY = "scrm_read_only"


class Store:
    """Opens transactions on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self, *, lock_late: bool = False) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any exception.

        `lock_late` (the dispatcher's handlers): on SQLite, statements before the first write read a snapshot
        without the write lock, the way PostgreSQL's read committed lets them run beside writers; reading and
        parsing are most of a message's time, and every callback's insert waits for that lock.
        """
        late = lock_late and self.engine.dialect.name == "sqlite"
        with (_LockLateSession if late else Session)(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A short transaction that only reads: on SQLite it does not take the write lock, so a handler can
        look something up before a slow WeCom call without holding up every other writer (callbacks).

        What it read stays readable afterwards: the objects are detached as loaded before the rollback (which
        would expire them, and a detached expired object raises DetachedInstanceError when touched)."""
        with Session(self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False) as session:
            try:
                yield session
            finally:
                session.expunge_all()
                session.rollback()

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def create_all(self) -> None:
        """For throwaway databases only (benchmarks); real ones go through `scrm db upgrade`."""
        SQLModel.metadata.create_all(self.engine)


class _LockLateSession(Session):
    """Reads go to a read-only connection until the first write; from then on everything goes to the
    writing connection (which sees its own writes). Both transactions end together."""

    def __init__(self, engine: Engine, **options) -> None:
        super().__init__(engine, **options)
        self._reader = engine.execution_options(**{READ_ONLY: True})
        self._writing = False

    def get_bind(self, mapper=None, *, clause=None, **kwargs):
        # No clause and no flush: a caller asking which dialect this is (either connection answers that).
        if not self._writing and (self._flushing or (clause is not None and not clause.is_select)):
            self._writing = True
        return self.bind if self._writing else self._reader


def insert_ignore(
    session: Session | Connection, model: type[SQLModel], values: dict[str, Any], key: str | tuple[str, ...]
) -> bool:
    """INSERT … ON CONFLICT (key columns) DO NOTHING; True when the row was new."""
    columns = (key,) if isinstance(key, str) else key
    dialect = session.dialect.name if isinstance(session, Connection) else session.get_bind().dialect.name
    statement = _insert_ignore_statement(dialect, model, tuple(sorted(values)), columns)
    # RETURNING rather than rowcount: psycopg reports -1 for INSERT … ON CONFLICT.
    return session.execute(statement, values).first() is not None


def among(session: Session, column, values) -> Any:
    """`column IN values` as one parameter, however long the list: `= ANY(array)` on PostgreSQL, a JSON array
    on SQLite. (An IN list of N values is N parameters: slow to prepare, and capped at 65,535 / 32,766.)"""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(select(literal_column("value")).select_from(func.json_each(bindparam(None, json.dumps(values)))))


def insert_many_ignore(session: Session, model: type[SQLModel], rows: list[dict[str, Any]], key: str) -> None:
    """INSERT … ON CONFLICT (key) DO NOTHING for many rows of the same columns, as one executemany (the driver
    batches it; the statement is compiled once)."""
    if rows:
        session.execute(_insert_ignore_many_statement(session.get_bind().dialect.name, model, key), rows)


def upsert_many(
    session: Session, model: type[SQLModel], rows: list[dict[str, Any]], key: str, update: tuple[str, ...]
) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE SET the `update` columns, as one executemany."""
    if rows:
        session.execute(_upsert_statement(session.get_bind().dialect.name, model, key, update), rows)


@functools.cache
def _insert_ignore_many_statement(dialect: str, model: type[SQLModel], key: str):
    return _INSERT[dialect](model.__table__).on_conflict_do_nothing(index_elements=[key])  # type: ignore[attr-defined]


@functools.cache
def _upsert_statement(dialect: str, model: type[SQLModel], key: str, update: tuple[str, ...]):
    statement = _INSERT[dialect](model.__table__)  # type: ignore[attr-defined]
    return statement.on_conflict_do_update(index_elements=[key], set_={c: statement.excluded[c] for c in update})


_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def dialect_insert(bind: Session | Engine):
    """The INSERT construct with ON CONFLICT for the session's (or engine's) database."""
    return _INSERT[(bind.get_bind() if isinstance(bind, Session) else bind).dialect.name]


def bound(table: Table, names) -> dict[str, Any]:
    """An INSERT's `.values()` for a statement built once: each column a parameter of its own type."""
    return {name: bindparam(name, type_=table.c[name].type) for name in names}


@functools.cache
def _insert_ignore_statement(dialect: str, model: type[SQLModel], names: tuple[str, ...], key: tuple[str, ...]):
    """Built once per shape, so SQLAlchemy's compiled-statement cache hits (values go in as parameters)."""
    insert = _INSERT[dialect]
    table = model.__table__  # type: ignore[attr-defined]
    return (
        insert(table)
        .values(bound(table, names))
        .on_conflict_do_nothing(index_elements=list(key))
        .returning(table.c[key[0]])
    )


class NotStored(Exception):
    """A `OneStatement` the database did not take (away, or refused it); nothing to retry in the caller."""


class OneStatement:
    """One statement on the hot path of every callback: compiled once by SQLAlchemy, then run straight on a DBAPI
    connection this process keeps.

    On PostgreSQL the connection is in autocommit, so a callback costs one round trip (no pool checkout and
    pre-ping, BEGIN or COMMIT) and no SQLAlchemy work per call; on SQLite the statement runs in its own
    BEGIN IMMEDIATE, after its writer's turn (scrm/sqlite_turns.py). A connection the database dropped (it
    restarted since the last callback) is replaced and the statement sent once more: when the first one had
    in fact been committed, the second finds its row (a counted redelivery, as if WeCom had sent it twice).
    Any other error (SQLite still locked after its busy timeout, a refused value) is NotStored at once.
    Build it in the process that uses it (gunicorn loads the app in each worker, after the fork).
    """

    def __init__(self, engine: Engine, statement) -> None:
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        self._engine = engine
        self._sql = compiled.string
        self._positions = compiled.positiontup  # the parameter names in order, for a positional paramstyle
        self._processors = {
            name: process
            for name, bind in compiled.binds.items()
            if (process := bind.type.dialect_impl(dialect).bind_processor(dialect))
        }
        self._sqlite = dialect.name == "sqlite"
        self._errors = (dialect.loaded_dbapi.Error, SQLAlchemyError)  # the driver's; SQLAlchemy's when connecting
        self._lock = threading.Lock()  # one connection: threads of a process take turns on it
        self._connection: Any = None

    def run(self, values: dict[str, Any]) -> tuple | None:
        """Execute with these values; the first row it returns, if any. Raises NotStored."""
        values = {
            name: self._processors[name](value) if name in self._processors else value for name, value in values.items()
        }
        params = tuple(values[name] for name in self._positions) if self._positions else values
        with self._lock:
            for attempt in (1, 2):
                try:
                    return self._execute(params)
                except self._errors as error:
                    dropped = self._dropped(error)
                    if attempt == 2 or not dropped:
                        raise NotStored(type(error).__name__) from error
        raise AssertionError("unreachable")

    def _dropped(self, error: Exception) -> bool:
        """Whether the connection is gone (then it is let go, and a new one made next time)."""
        if self._connection is None or isinstance(error, SQLAlchemyError):  # connecting failed: nothing kept
            return False
        if not self._engine.dialect.is_disconnect(error, self._connection.driver_connection, None):
            return False
        connection, self._connection = self._connection, None
        with contextlib.suppress(Exception):
            connection.invalidate()
        return True

    def _execute(self, params: Any) -> tuple | None:
        if self._connection is None:
            self._connection = self._engine.raw_connection()
            if not self._sqlite:
                self._connection.driver_connection.autocommit = True
        connection = self._connection.driver_connection
        cursor = connection.cursor()
        try:
            if self._sqlite:
                connection.take_turn()
                cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(self._sql, params)
            row = cursor.fetchone() if cursor.description else None
            if self._sqlite:
                connection.commit()
            return row
        except BaseException:
            if self._sqlite and connection.in_transaction:
                connection.rollback()
            raise
        finally:
            cursor.close()
