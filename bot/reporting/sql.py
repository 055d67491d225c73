"""The few SQL expressions that differ between PostgreSQL and SQLite, written once for both.

Durations, calendar buckets and percentiles: PostgreSQL has `extract(epoch …)`, `date_trunc` and
`percentile_cont`; SQLite has `julianday`, `date(…, 'weekday 0')` and no percentiles, so there the
percentile is the same linear interpolation computed from row numbers (a window function) in SQL, and
only the per-group interpolation (a handful of groups) happens here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, Float, Integer, case, cast, func, literal, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery


@dataclass(frozen=True)
class Window:
    """[start, end): what a report covers."""

    start: dt.datetime
    end: dt.datetime

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400


def postgres(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def seconds_between(connection: Connection, later: Any, earlier: Any) -> ColumnElement[float]:
    """`later - earlier` in seconds (NULL when either is NULL)."""
    if postgres(connection):
        return cast(func.extract("epoch", later - earlier), Float)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def bucket(connection: Connection, column: Any, weekly: bool) -> ColumnElement[str]:
    """The UTC day (or the Monday of the ISO week) of a timestamp, as YYYY-MM-DD."""
    if postgres(connection):
        utc = func.timezone("UTC", column)  # timestamptz → the UTC wall clock, whatever the session's zone
        return func.to_char(func.date_trunc("week" if weekly else "day", utc), "YYYY-MM-DD")
    if weekly:
        return func.date(column, "weekday 0", "-6 days")
    return func.date(column)


def share(part: Any, whole: Any) -> float:
    """part / whole, 0.0 for an empty whole."""
    return float(part) / float(whole) if whole else 0.0


Percentiles = dict[Any, tuple[int, tuple[float | None, ...]]]  # group → (values, a value per requested point)


def percentiles(connection: Connection, source: Subquery, points: Sequence[float]) -> Percentiles:
    """Continuous percentiles (as PostgreSQL's `percentile_cont`) of `source.c.x` per `source.c.grp`,
    NULL values left out. `source` is any subquery with those two columns."""
    x, grp = source.c.x, source.c.grp
    if postgres(connection):
        columns = [func.percentile_cont(p).within_group(x.asc()) for p in points]
        query = select(grp, func.count(x), *columns).where(x.is_not(None)).group_by(grp)
        return {row[0]: (int(row[1]), tuple(_float(v) for v in row[2:])) for row in connection.execute(query)}
    return _percentiles_by_rank(connection, source, points)


def _percentiles_by_rank(connection: Connection, source: Subquery, points: Sequence[float]) -> Percentiles:
    """Rows numbered within their group; the two rows around each point are picked in SQL with integer
    arithmetic on the group's count (rank = (n-1)·p), and interpolated here."""
    fractions = [Fraction(p).limit_denominator(1000) for p in points]
    ranked = (
        select(
            source.c.grp.label("grp"),
            source.c.x.label("x"),
            (func.row_number().over(partition_by=source.c.grp, order_by=source.c.x) - 1).label("r"),
            func.count().over(partition_by=source.c.grp).label("n"),
        )
        .where(source.c.x.is_not(None))
        .subquery()
    )
    n, r = ranked.c.n, ranked.c.r
    columns: list[Any] = []
    for f in fractions:
        scaled = (n - 1) * literal(f.numerator, Integer)
        low = scaled // literal(f.denominator, Integer)  # floor: the counts are non-negative
        high = (scaled + literal(f.denominator - 1, Integer)) // literal(f.denominator, Integer)
        columns.append(func.max(_when(r == low, ranked.c.x)))
        columns.append(func.max(_when(r == high, ranked.c.x)))
    query = select(ranked.c.grp, func.max(n), *columns).group_by(ranked.c.grp)
    result: Percentiles = {}
    for row in connection.execute(query):
        count = int(row[1])
        values: list[float | None] = []
        for i, f in enumerate(fractions):
            low_value, high_value = _float(row[2 + 2 * i]), _float(row[3 + 2 * i])
            if low_value is None or high_value is None:
                values.append(None)
                continue
            weight = float(((count - 1) * f.numerator % f.denominator) / f.denominator)
            values.append(low_value + (high_value - low_value) * weight)
        result[row[0]] = (count, tuple(values))
    return result


def _when(condition: ColumnElement[bool], value: Any) -> ColumnElement[Any]:
    return case((condition, value), else_=None)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def as_float(value: Any) -> ColumnElement[float]:
    return cast(value, Float)
