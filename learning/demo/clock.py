"""The demo year and the wall clock of a Dutch care organisation: months, mid-month days, business hours."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class Window:
    """The demo year: from the first day of the month a year before `today`, up to (not including) today."""

    start: date
    end: date

    @classmethod
    def ending(cls, today: date) -> Window:
        return cls(date(today.year - 1, today.month, 1), today)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def month(self, offset: int) -> date:
        """Return the first day of the month `offset` months after the window's first month."""
        months = self.start.month - 1 + offset
        return date(self.start.year + months // 12, months % 12 + 1, 1)

    def months(self) -> Iterator[tuple[date, date]]:
        """Yield (first day, first day of the next month) of every month the window touches."""
        offset = 0
        while self.month(offset) < self.end:
            yield self.month(offset), self.month(offset + 1)
            offset += 1

    def clamp(self, day: date) -> date:
        return min(max(day, self.start), self.last_day)


def mid_month(rng: random.Random, first: date) -> date:
    """Return a working-month day that is not the 1st (joiners and leavers rarely change on month boundaries)."""
    return first + timedelta(days=rng.randint(3, 26))


def local_moment(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """Return the UTC moment of a Dutch wall-clock time on a day."""
    return datetime.combine(day, time(hour, minute, second), LOCAL_ZONE).astimezone(UTC)


def working_moment(rng: random.Random, day: date) -> datetime:
    """Return a moment during a working day (08:00-17:00 local), moved to Monday when the day is a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return local_moment(day, rng.randint(8, 16), rng.randint(0, 59), rng.randint(0, 59))


def evening_moment(rng: random.Random, day: date) -> datetime:
    """Return a moment when patients and relatives read at home (17:00-21:00 local)."""
    return local_moment(day, rng.randint(17, 20), rng.randint(0, 59), rng.randint(0, 59))


def new_uuid(rng: random.Random) -> str:
    """Return a version-4 UUID drawn from the seeded generator, so a seed reproduces every identifier."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def add_business_minutes(start: datetime, minutes: float, hours: Mapping[str, object]) -> datetime:
    """Return the moment `minutes` of open time after `start`, counting only the programme's business hours.

    An alert raised at night is answered after opening time, yet within its SLA: the SLA clock is business-hours
    aware (docs/metrics.md, "Rules every metric follows").
    """
    opening, closing = (time.fromisoformat(str(hours[key])) for key in ("start", "end"))
    days = {int(d) for d in hours["days"]}  # type: ignore[attr-defined]
    moment = start.astimezone(LOCAL_ZONE)
    left = timedelta(minutes=minutes)
    while True:
        day = moment.date()
        open_at = datetime.combine(day, opening, LOCAL_ZONE)
        close_at = datetime.combine(day, closing, LOCAL_ZONE)
        if day.weekday() in days and moment < close_at:
            moment = max(moment, open_at)
            if moment + left <= close_at:
                return (moment + left).astimezone(UTC)
            left -= close_at - moment
        moment = datetime.combine(day + timedelta(days=1), time(0), LOCAL_ZONE)
