"""Reporting periods (calendar months [a, b)) and the few SQL expressions that differ between SQLite and PostgreSQL.

Months are cut in UTC: a statement at 23:30 UTC on the last day belongs to that month even where it is already
the next day in Amsterdam. That keeps every boundary a plain comparison the timestamp index can serve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, cast, func
from sqlalchemy.sql.elements import ColumnElement

from learning.db import db


@dataclass(frozen=True, order=True)
class Period:
    """One calendar month: `start` = a (first day), `end` = b (first day of the next month, exclusive)."""

    start: date

    @property
    def end(self) -> date:
        return date(self.start.year + self.start.month // 12, self.start.month % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def key(self) -> str:
        return f"{self.start.year:04d}-{self.start.month:02d}"

    @property
    def start_at(self) -> datetime:
        return midnight(self.start)

    @property
    def end_at(self) -> datetime:
        return midnight(self.end)

    @classmethod
    def of(cls, day: date) -> Period:
        """Return the month that holds `day`."""
        return cls(date(day.year, day.month, 1))

    @classmethod
    def parse(cls, key: str) -> Period:
        """Return the month named 'YYYY-MM'.

        :raises ValueError: when the text is not such a month.
        """
        year, month = key.split("-")
        return cls(date(int(year), int(month), 1))


def midnight(day: date) -> datetime:
    """Return the start of `day` in UTC, the form every timestamp boundary takes."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def months_between(first: date, last: date) -> list[Period]:
    """Return every month from the one holding `first` to the one holding `last`, inclusive."""
    months, current = [], Period.of(first)
    while current.start <= last:
        months.append(current)
        current = Period(current.end)
    return months


def dialect_name() -> str:
    return db.session.get_bind().dialect.name


def month_of_day(column: Any) -> ColumnElement[str]:
    """Return 'YYYY-MM' of a DATE column."""
    if dialect_name() == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def month_of_moment(column: Any) -> ColumnElement[str]:
    """Return 'YYYY-MM' of a UTC timestamp column (PostgreSQL would otherwise use the session's time zone)."""
    if dialect_name() == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def day_of_month(column: Any) -> ColumnElement[int]:
    """Return the day of the month (1-31) of a DATE column as an integer."""
    if dialect_name() == "postgresql":
        return cast(func.extract("day", column), Integer)
    return cast(func.strftime("%d", column), Integer)
