"""When tickets arrive and how fast they are answered: business-hours heavy, weekly trend, month-start billing
peaks, an app-release crash spike, replies by plan (Enterprise first) and slower judgment cases."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

END = datetime(2026, 11, 28, tzinfo=UTC)  # the export covers the 12 weeks up to Friday 2026-11-27
START = END - timedelta(weeks=12)
EXPORTED_AT = END + timedelta(hours=8)  # later events had not happened when the export was taken
APP_RELEASE = datetime(2026, 10, 27, tzinfo=UTC)  # mobile 5.2.0: the crash spike
MACRO_EDITED = datetime(2026, 10, 19, tzinfo=UTC)  # routine macros were rewritten in week 7
THANKSGIVING_WEEK = datetime(2026, 11, 23, tzinfo=UTC)

_WEEKDAY = (1.25, 1.15, 1.1, 1.05, 0.9, 0.22, 0.18)
_BILLING = {"invoice_copy", "billing_dispute", "refund_request", "plan_change"}
_REPLY_MEDIAN_MINUTES = {"enterprise": 20.0, "business": 50.0, "team": 130.0, "free": 320.0, None: 240.0}


def _day_weight(day: datetime, category: str) -> float:
    week = (day - START).days // 7
    weight = _WEEKDAY[day.weekday()] * (1 + 0.035 * week)
    if day >= THANKSGIVING_WEEK:
        weight *= 0.8
    if category in _BILLING and day.day <= 5:
        weight *= 3.0
    if category == "mobile_app_crash":
        weight *= 6.0 if APP_RELEASE <= day < APP_RELEASE + timedelta(days=12) else 0.6
    return weight


def created_time(rng: random.Random, category: str) -> datetime:
    """A submission time: a weighted day, then an hour from EU, US or APAC working hours."""
    days = [START + timedelta(days=i) for i in range((END - START).days)]
    day = rng.choices(days, weights=[_day_weight(d, category) for d in days])[0]
    region = rng.random()
    if day.weekday() >= 5:
        hour = rng.uniform(0, 24)
    elif region < 0.55:
        hour = rng.triangular(6.5, 17.5, 9.5)  # Europe, in UTC
    elif region < 0.9:
        hour = rng.triangular(13.0, 24.0, 16.0)  # the Americas
    else:
        hour = rng.uniform(0.0, 8.0)  # Asia-Pacific
    return day + timedelta(hours=hour, seconds=rng.randrange(60))


def _covered(moment: datetime) -> datetime:
    """The first moment at or after `moment` when the support desk is staffed (weekdays 06-22 UTC, weekends 10-16)."""
    for _ in range(10):
        opens, closes = (6, 22) if moment.weekday() < 5 else (10, 16)
        start = moment.replace(hour=opens, minute=0, second=0, microsecond=0)
        end = moment.replace(hour=closes, minute=0, second=0, microsecond=0)
        if moment < start:
            return start
        if moment < end:
            return moment
        moment = start + timedelta(days=1)
    return moment


def _lognormal_minutes(rng: random.Random, median: float, spread: float) -> timedelta:
    return timedelta(minutes=median * math.exp(spread * max(-2.5, min(2.5, rng.gauss(0, 1)))))


def first_response(rng: random.Random, created: datetime, plan: str | None, judgment: bool) -> datetime | None:
    median = _REPLY_MEDIAN_MINUTES[plan] * (1.6 if judgment else 1.0)
    if created.weekday() >= 5 and plan != "enterprise":
        median *= 2.5
    reply = _covered(_covered(created) + _lognormal_minutes(rng, median, 0.8))
    return reply if reply < EXPORTED_AT else None


def resolution(rng: random.Random, replied: datetime, judgment: bool) -> datetime | None:
    """Routine tickets close when the customer confirms or after the 3-day pending timeout; judgment ones take days."""
    if judgment:
        done = replied + _lognormal_minutes(rng, 60 * 40, 0.9)
    elif rng.random() < 0.3:
        done = replied + timedelta(days=3, minutes=rng.randrange(5, 240))  # no answer from the customer: auto-solved
    else:
        done = replied + _lognormal_minutes(rng, 60 * 3, 1.0)
    if rng.random() < (0.07 if judgment else 0.02):
        return None  # still open when exported
    return done if done < EXPORTED_AT else None


def satisfaction(rng: random.Random, created: datetime, replied: datetime, resolved: datetime, judgment: bool) -> int:
    score = 4.5 - (0.7 if judgment else 0.0)
    if replied - created > timedelta(hours=8):
        score -= 0.8
    if resolved - created > timedelta(days=3):
        score -= 0.6
    return max(1, min(5, round(score + rng.gauss(0, 0.9))))
