"""`dates.parse_time` against Ruby's own `Time.parse` (what Jekyll's `Utils.parse_date` calls),
in the zone a site's `timezone:` names. Needs `ruby` (Jekyll's dependency); skipped without
it locally, a failure on CI.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

import pytest

from betacontent.site.dates import InvalidDateError, jekyll_time, parse_time, site_zone
from conftest import require_tool, run_tool

ZONE = "America/New_York"
# Forms Jekyll sites write in `date:` and in file names, the impossible ones Ruby refuses, and
# the overflows Ruby carries into the next month, day or minute.
SAMPLES = [
    "hier soir",  # no digit, no English month or day name: "no time information"
    "bientôt",
    "2024-03-05",
    "2024-3-5",
    "19-02-03",
    "69-02-03",
    "2024-03-05 10:00",
    "2024-03-05T10:00:00",
    "2024-03-05 10",
    "2024-03-05 1:2:3",
    "2024-03-05 10:00:00.25",
    "2013-08-29 16:00:00 UTC",
    "2013-09-01 02:00:00 GMT",
    "2024-03-05 23:30:00 -0100",
    "2024-03-05 23:30:00 +01:00",
    "2024-03-05 23:30:00 +05",
    "2024-03-05 10:00 PST",
    "2024-03-05 10:00 CET",
    "2024-03-05 10:00 +1",
    "2024-07-01 12:00",
    "2019-02-29",
    "2019-02-30",
    "2019-04-31",
    "2024-03-05 24:00:00",
    "2024-03-05 10:00:60",
    "2019-02-32",
    "2019-02-00",
    "2019-13-01",
    "2019-00-10",
    "2024-03-05 25:00",
    "2024-03-05 24:30",
    "2024-03-05 10:60",
    # A numeric zone: Ruby moves the fields to UTC first, carrying only what it changes.
    "2024-03-05T25:00:00 +0100",
    "2024-03-05T24:30:00 +0100",
    "2024-03-05T25:00:00 UTC",
    "2024-03-05 99:00 +0100",
    "2024-03-05 10:60 +0130",
    "2024-03-05 10:60 +0100",
    "2024-03-05 10:00:60 +0100",
    "2024-03-05 10:00:61 +0100",
    "2024-02-31 23:00 -0100",
    "2024-02-31 01:00 +0200",
    "2024-03-01 01:00 +0200",
    "2024-12-31 23:30 -0100",
    "2024-02-32 23:00 -0100",
    # A zone after a date alone is dropped.
    "2024-03-05 +0100",
    "2024-03-05 UTC",
]
RUBY = """
require "time"
require "json"
out = ARGV.map do |text|
  begin
    Time.parse(text).utc.strftime("%Y-%m-%dT%H:%M:%S")
  rescue ArgumentError
    "invalid"
  end
end
puts JSON.generate(out)
"""


def _python(text: str) -> str | None:
    try:
        moment = parse_time(text, site_zone(ZONE))
    except InvalidDateError:
        return "invalid"
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def test_parse_time_reads_what_ruby_reads() -> None:
    ruby = require_tool("ruby", "ruby")
    env = {**os.environ, "TZ": ZONE}
    result = run_tool([ruby, "-e", RUBY, *SAMPLES], cwd=Path.cwd(), env=env)
    assert result.returncode == 0, result.stderr
    expected = json.loads(result.stdout)
    wrong = [
        f"{text!r}: Ruby {want}, betacontent {got}"
        for text, want in zip(SAMPLES, expected, strict=True)
        if (got := _python(text)) != want
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("text", ["March 5, 2024", "2024-03-05 10 +0100"])
def test_forms_only_ruby_reads_are_unknown_not_invalid(text: str) -> None:
    assert parse_time(text, site_zone(ZONE)) is None


def test_yaml_values_as_psych_gives_them() -> None:
    zone = site_zone(ZONE)
    naive = jekyll_time(datetime.datetime(2024, 3, 5, 2, 0), zone)  # Psych: UTC
    assert naive is not None and (naive.day, naive.hour) == (4, 21)
    day = jekyll_time(datetime.date(2024, 3, 5), zone)  # local midnight
    assert day is not None and (day.day, day.hour, day.utcoffset()) == (
        5,
        0,
        datetime.timedelta(hours=-5),
    )
    assert jekyll_time(2024, zone) is None


def test_an_unknown_zone_name_is_utc_as_for_the_c_library() -> None:
    assert site_zone("Nowhere/Atlantis").info is datetime.UTC


@pytest.mark.parametrize("text", ["2019-02-32", "2019-13-01"])
def test_impossible_dates_raise(text: str) -> None:
    with pytest.raises(InvalidDateError):
        parse_time(text, site_zone(None))
