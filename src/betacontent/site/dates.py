"""Dates as Jekyll reads them: `Utils.parse_date` (Ruby's `Time.parse`, then `localtime`) on
a document's `date:` and on the date of its file name, in the site's time zone. Pure.

Jekyll runs in the zone `timezone:` of `_config.yml` names (it sets `TZ`), else in the zone of
the machine that builds; the permalink placeholders (`:year`, `:month`, `:day`) are the local
date. What each form of `date:` means:

- a YAML date (`2024-03-05`): local midnight;
- a YAML timestamp without a zone (`2024-03-05 10:00:00`): Psych reads it as UTC;
- a YAML timestamp with a zone, or a string with one (`2024-03-05 10:00:00 UTC`): that
  instant, shown in local time;
- a string without a zone (`"2024-03-05 10:00"`, or `2019-02-30`, which is no YAML date):
  local time. Ruby carries a day past the month's end over (`2019-02-30` is 2 March), and
  fails on what it cannot place (`2019-13-01`, `2019-02-32`): the build stops.

Only the numeric forms are read here (`YYYY-MM-DD`, a time, a zone); Ruby's parser takes many
more (`March 5, 2024`), which are left unknown (None) rather than guessed.
"""

from __future__ import annotations

import calendar
import datetime
import re
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

# Date._parse's numeric form, as far as Time.parse then reads it.
_NUMERIC = re.compile(
    r"\s*(?P<year>\d{2,4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:(?:[Tt]|\s+)(?P<hour>\d{1,2})(?::(?P<minute>\d{1,2})"
    r"(?::(?P<second>\d{1,2})(?:[.,](?P<fraction>\d+))?)?)?)?"
    r"(?:\s*(?P<zone>[A-Za-z]+|[+-]\d{2}(?::?\d{2})?|[+-]\d))?\s*"
)
# Ruby's Time::ZoneOffset: the names Time.parse applies; any other name means local time.
_ZONE_HOURS = {
    "UTC": 0,
    "Z": 0,
    "UT": 0,
    "GMT": 0,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
}
_OFFSET = re.compile(r"([+-])(\d{2})(?::?(\d{2}))?")


class InvalidDateError(ValueError):
    """A date Ruby's `Time.parse` raises on: Jekyll stops the build (InvalidDateError)."""


@dataclass(frozen=True, slots=True)
class Zone:
    """The zone Jekyll's times are local to: `timezone:` of `_config.yml`, else the
    machine's (None), whose rules (summer time included) Python takes from the system."""

    info: datetime.tzinfo | None = None

    def local(self, moment: datetime.datetime) -> datetime.datetime:
        """An aware moment in this zone."""
        return moment.astimezone(self.info) if self.info else moment.astimezone()

    def wall_clock(self, moment: datetime.datetime) -> datetime.datetime:
        """A naive date and time read as local time."""
        if self.info is not None:
            return moment.replace(tzinfo=self.info)
        return moment.astimezone()  # Python reads a naive time as the machine's local time


@lru_cache(maxsize=64)
def site_zone(name: str | None) -> Zone:
    """The zone of `timezone: NAME`. A name the system does not know makes the C library
    fall back to UTC, and Jekyll's times with it."""
    if not name:
        return Zone()
    try:
        return Zone(zoneinfo.ZoneInfo(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return Zone(datetime.UTC)


def _year(text: str) -> int:
    """Date._parse completes a two-digit year: 69-99 are 19xx, 00-68 20xx."""
    year = int(text)
    if len(text) == 2:
        year += 1900 if year >= 69 else 2000
    return year


def _offset(zone: str) -> int | None:
    """Time.zone_offset: the offset in seconds Time.parse applies, or None for local time."""
    hours = _ZONE_HOURS.get(zone.upper())
    if hours is not None:
        return hours * 3600
    match = _OFFSET.fullmatch(zone)
    if match is None:
        return None  # a name Ruby does not know (`CET`), or `+1`: local time
    sign = -1 if match.group(1) == "-" else 1
    return sign * (int(match.group(2)) * 3600 + int(match.group(3) or 0) * 60)


def _month_days(year: int, month: int) -> int | None:
    return calendar.monthrange(year, month)[1] if 1 <= month <= 12 and year >= 1 else None


def _apply_offset(
    year: int, month: int, day: int, hour: int, minute: int, second: int, offset: int
) -> tuple[int, int, int, int, int, int]:
    """Ruby's Time.apply_offset, line for line: local fields to UTC fields. It carries what
    it changes (so `25:00 +0100` is a valid midnight) and nothing else (`10:60 +0100` stays
    out of range); a day pushed past the month's end becomes the 1st of the next."""
    if offset < 0:
        offset, rest = divmod(-offset, 60)
        if rest:
            carry, second = divmod(second + rest, 60)
            offset += carry
        offset, rest = divmod(offset, 60)
        if rest:
            carry, minute = divmod(minute + rest, 60)
            offset += carry
        offset, rest = divmod(offset, 24)
        if rest:
            carry, hour = divmod(hour + rest, 24)
            offset += carry
        if offset:
            day += offset
            days = _month_days(year, month)
            if days and days < day:
                month += 1
                if month > 12:
                    month, year = 1, year + 1
                day = 1
    elif offset > 0:
        offset, rest = divmod(offset, 60)
        if rest:
            carry, second = divmod(second - rest, 60)
            offset -= carry
        offset, rest = divmod(offset, 60)
        if rest:
            carry, minute = divmod(minute - rest, 60)
            offset -= carry
        offset, rest = divmod(offset, 24)
        if rest:
            carry, hour = divmod(hour - rest, 24)
            offset -= carry
        if offset:
            day -= offset
            if day < 1:
                month -= 1
                if month < 1:
                    month, year = 12, year - 1
                day = _month_days(year, month) or 1
    return year, month, day, hour, minute, second


def _ruby_time(
    year: int, month: int, day: int, hour: int, minute: int, second: int, micro: int
) -> datetime.datetime | None:
    """Time.utc / Time.local on these fields: the ranges Ruby checks, then its carry of an
    overflow (30 February is 1 or 2 March, 24:00 the next day, second 60 the next minute).
    None for a year Python has not (Ruby has a year 0)."""
    if not 1 <= month <= 12:
        raise InvalidDateError(f"there is no month {month}")
    if not 1 <= day <= 31:
        raise InvalidDateError(f"there is no day {day} in a month")
    if not 0 <= hour <= 24 or (hour == 24 and (minute or second)):
        raise InvalidDateError(f"there is no hour {hour}:{minute:02d}")
    if not 0 <= minute <= 59:
        raise InvalidDateError(f"there is no minute {minute}")
    if not 0 <= second <= 60:
        raise InvalidDateError(f"there is no second {second}")
    if not datetime.MINYEAR <= year < datetime.MAXYEAR:
        return None
    return datetime.datetime(year, month, 1, 0, 0, 0, micro) + datetime.timedelta(
        days=day - 1, hours=hour, minutes=minute, seconds=second
    )


# What Date._parse can build a date from: a digit, or an English month or day name (it reads
# `March 5`, `Tuesday`); text with neither is "no time information" to Ruby.
_SOMETHING_OF_A_DATE = re.compile(
    r"\d|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)",
    re.IGNORECASE,
)


def parse_time(text: str, zone: Zone) -> datetime.datetime | None:
    """`Utils.parse_date(text)` as an aware datetime in `zone`; None for a form read here
    only by Ruby (left unknown). Raises InvalidDateError where Ruby raises."""
    match = _NUMERIC.fullmatch(text)
    if match is None:
        if not _SOMETHING_OF_A_DATE.search(text):
            raise InvalidDateError("no time information")  # `hier soir`: Ruby's own words
        return None
    year, month, day = _year(match["year"]), int(match["month"]), int(match["day"])
    hour, minute, second = (int(match[name] or 0) for name in ("hour", "minute", "second"))
    fields = (year, month, day, hour, minute, second)
    fraction = match["fraction"] or ""
    micro = int((fraction + "000000")[:6]) if fraction else 0
    offset = None
    if match["zone"] and match["hour"] is not None:
        if match["minute"] is None:
            return None  # `10 +0100`: Date._parse sees no time there; not modelled
        offset = _offset(match["zone"])
    # Date._parse drops a zone after a date alone: local midnight.
    if offset is None:
        naive = _ruby_time(*fields, micro)
        return zone.wall_clock(naive) if naive else None
    utc = _ruby_time(*_apply_offset(*fields, offset), micro)
    return zone.local(utc.replace(tzinfo=datetime.UTC)) if utc else None


def jekyll_time(value: object, zone: Zone) -> datetime.datetime | None:
    """The time Jekyll makes of a `date:` value (as YAML typed it), in `zone`; None when it is
    no date or a form not read here. Raises InvalidDateError where Jekyll stops."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:  # Psych reads a timestamp without a zone as UTC
            value = value.replace(tzinfo=datetime.UTC)
        return zone.local(value)
    if isinstance(value, datetime.date):
        return zone.wall_clock(datetime.datetime(value.year, value.month, value.day))
    if isinstance(value, str):
        return parse_time(value, zone)
    return None
