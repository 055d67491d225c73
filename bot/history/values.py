"""How one cell of an export becomes a typed value: dates, durations, CSAT, plan and tags.

Each parser raises ValueError with a short reason; the reader turns it into a `path:line:` problem.

CSAT becomes 1-5 whatever scale the helpdesk used:
- a number 1-5 is kept (4.5 rounds to 5); 0 or 6-100 is read as a percentage (0-100), as are "80%" values;
- "n/d" fractions (4/5, 2/3, 9/10) are scaled onto 1-5;
- words: good/great/awesome 5, happy/satisfied 4, okay/neutral 3, unhappy/poor 2, bad/not good 1
  (Zendesk's "Good"/"Bad", Help Scout's "Great"/"Okay"/"Not Good", Freshdesk's survey answers);
- "offered", "unoffered", "n/a" or empty mean no rating.
"""

from __future__ import annotations

import email.utils
import math
import re
from datetime import UTC, datetime, timedelta

_EPOCH = re.compile(r"[+-]?\d+(\.\d+)?")
_ZONE_WORD = re.compile(r"\s*(?:UTC|GMT|Z)$", re.IGNORECASE)
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?")
_MONTH_FIRST = ("%b %d, %Y %I:%M %p", "%b %d, %Y %H:%M", "%B %d, %Y %I:%M %p", "%B %d, %Y %H:%M", "%b %d, %Y", "%B %d, %Y")
_EARLIEST, _LATEST = datetime(1990, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def parse_datetime(text: str, *, us_dates: bool = False) -> datetime:
    """An aware UTC time from ISO 8601 (naive means UTC), "YYYY-MM-DD HH:MM[:SS] [+zone|UTC]", epoch seconds or
    milliseconds, "Nov 20, 2026 2:03 PM", RFC 2822 mail dates, and MM/DD/YYYY only where the preset says US dates."""
    value = text.strip()
    if not us_dates and _SLASHED.fullmatch(value):
        raise ValueError(f"{value[:40]!r}: day and month order unknown; write YYYY-MM-DD or use a preset with US dates")
    try:
        parsed = _parse(value, us_dates)
        moment = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, TypeError, OverflowError, OSError):
        raise ValueError(f"not a date: {value[:40]!r}") from None
    if not _EARLIEST <= moment < _LATEST:
        raise ValueError(f"implausible date {value[:40]!r} (before 1990 or after 2100)")
    return moment


def _parse(value: str, us_dates: bool) -> datetime:
    if _EPOCH.fullmatch(value):
        seconds = float(value)
        if abs(seconds) < 1e8:  # a year or a day count, not a time
            raise ValueError(value)
        return datetime.fromtimestamp(seconds / 1000 if abs(seconds) >= 1e11 else seconds, UTC)
    bare = _ZONE_WORD.sub("", value) if value[:1].isdigit() else value
    try:
        return datetime.fromisoformat(bare) if bare == value else datetime.fromisoformat(bare).replace(tzinfo=UTC)
    except ValueError:
        pass
    slashed = _SLASHED.fullmatch(value)
    if slashed:
        return _us_date(slashed)
    for layout in _MONTH_FIRST:
        try:
            return datetime.strptime(value, layout)
        except ValueError:
            continue
    return email.utils.parsedate_to_datetime(value)  # raises ValueError (TypeError on some inputs: caught above)


def _us_date(match: re.Match[str]) -> datetime:
    month, day, year, hour, minute, second, half = match.groups()
    hours = int(hour or 0)
    if half:
        if not 1 <= hours <= 12:
            raise ValueError("hour")
        hours = hours % 12 + (12 if half.lower() == "pm" else 0)
    return datetime(int(year), int(month), int(day), hours, int(minute or 0), int(second or 0))


_DURATION_PART = re.compile(
    r"(\d+(?:\.\d+)?)\s*(d|days?|h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?)(?![a-z])", re.IGNORECASE
)
_CLOCK = re.compile(r"(\d+):(\d{2})(?::(\d{2}))?")
_MINUTES_PER = {"d": 1440.0, "h": 60.0, "m": 1.0, "s": 1 / 60}


def parse_duration(text: str, minutes_per_unit: float = 1.0) -> timedelta:
    """A duration: a plain number counts `minutes_per_unit` minutes each; "1:30:00", "1h 30m", "2 days 3 hours" too."""
    value = text.strip()
    minutes: float
    if _EPOCH.fullmatch(value):
        minutes = float(value) * minutes_per_unit
    elif clock := _CLOCK.fullmatch(value):
        minutes = int(clock[1]) * 60 + int(clock[2]) + int(clock[3] or 0) / 60
    elif (parts := _DURATION_PART.findall(value)) and not _DURATION_PART.sub("", value).strip(" ,"):
        minutes = sum(float(amount) * _MINUTES_PER[unit[0].lower()] for amount, unit in parts)
    else:
        raise ValueError(f"not a duration: {value[:40]!r}")
    if not math.isfinite(minutes) or minutes < 0 or minutes > 60 * 24 * 365 * 20:
        raise ValueError(f"duration out of range: {value[:40]!r}")
    return timedelta(minutes=minutes)


_CSAT_WORDS = {
    "good": 5, "great": 5, "awesome": 5, "amazing": 5, "excellent": 5, "very good": 5, "very happy": 5,
    "extremely happy": 5, "very satisfied": 5, "extremely satisfied": 5,
    "happy": 4, "satisfied": 4,
    "okay": 3, "ok": 3, "neutral": 3, "average": 3,
    "unhappy": 2, "poor": 2, "dissatisfied": 2,
    "bad": 1, "not good": 1, "terrible": 1, "very bad": 1, "very unhappy": 1, "extremely unhappy": 1,
    "very dissatisfied": 1, "extremely dissatisfied": 1,
}  # fmt: skip
_NO_RATING = {"", "offered", "unoffered", "not offered", "none", "n/a", "na", "-", "null", "no rating"}
_FRACTION = re.compile(r"(\d+(?:\.\d+)?)\s*/\s*(3|5|10|100)")


def parse_csat(text: str) -> int | None:
    """A 1-5 rating (see the module docstring for the scales), or None when the ticket was not rated."""
    value = " ".join(text.strip().casefold().split())
    value = value.removesuffix(" with comment")  # Zendesk: "Good with comment"
    if value in _NO_RATING:
        return None
    if value in _CSAT_WORDS:
        return _CSAT_WORDS[value]
    fraction = _FRACTION.fullmatch(value)
    percent = value.endswith("%")
    try:
        if fraction:
            score, top = float(fraction[1]), float(fraction[2])
            if top == 3 and 1 <= score <= 3:
                return round(1 + (score - 1) * 2)
            if score > top:
                raise ValueError
            return _from_percent(score * 100 / top)
        number = float(value.removesuffix("%").strip())
    except ValueError:
        raise ValueError(f"CSAT {text.strip()[:30]!r} is not a rating (use 1-5, a percentage or good/bad)") from None
    if not percent and 1 <= number <= 5:
        return int(number + 0.5)  # an average such as 4.5 rounds half up
    if not 0 <= number <= 100:
        raise ValueError(f"CSAT {text.strip()[:30]!r} is out of range (1-5, or 0-100 as a percentage)")
    return _from_percent(number)


def _from_percent(percent: float) -> int:
    if not 0 <= percent <= 100:
        raise ValueError
    return 1 + round(percent * 4 / 100)


PLANS = ("enterprise", "business", "team", "free")


def normalise_plan(text: str) -> str | None:
    """free, team, business or enterprise when the value names one ("Business (yearly)"), else the value lowercased."""
    value = " ".join(text.strip().casefold().split())
    if not value:
        return None
    words = set(re.split(r"[^a-z]+", value))
    return next((plan for plan in PLANS if plan in words or f"{plan}s" in words), value)


def split_tags(text: str) -> tuple[str, ...]:
    """Tags lowercased and deduplicated: comma- or semicolon-separated, else space-separated (Zendesk)."""
    separators = r"[,;]" if ("," in text or ";" in text) else r"\s+"
    tags = (" ".join(tag.split()).casefold() for tag in re.split(separators, text))
    return tuple(dict.fromkeys(tag for tag in tags if tag))


def normalise_label(text: str) -> str | None:
    """A category as a lowercase label with single spaces, or None when blank."""
    value = " ".join(text.split()).casefold()
    return value or None
