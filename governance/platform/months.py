"""Months as the assessment, the statistics and the demo count them: a month is the date of
its first day; "YYYY-MM" is how forms, the API and file names write it."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def month_start(day: date) -> date:
    """The month `day` lies in."""
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The month `count` months after `month`'s (before it, for a negative count)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def next_month(month: date) -> date:
    return add_months(month, 1)


def previous_month(month: date) -> date:
    return add_months(month, -1)


def last_month(today: date | None = None) -> date:
    """The month before today's (the last whole month)."""
    return previous_month(today or timezone.localdate())


def month_end(month: date) -> date:
    """The last day of `month`'s month."""
    return date.fromordinal(next_month(month).toordinal() - 1)


def month_parse(value: str | None) -> date | None:
    """ "2025-03" → date(2025, 3, 1); None for anything else."""
    try:
        return datetime.strptime((value or "").strip(), "%Y-%m").date()
    except ValueError:
        return None


def month_format(month: date) -> str:
    """date(2025, 3, 1) → "2025-03"."""
    return f"{month:%Y-%m}"


def month_starts(start: date, end: date) -> list[date]:
    """The months from `start`'s to `end`'s, both included, oldest first."""
    months, month = [], month_start(start)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def months_back(today: date, count: int) -> list[date]:
    """`count` months, today's first, then each month before it."""
    first = month_start(today)
    return [add_months(first, -step) for step in range(count)]


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month as [start, end) in the site's local time (Asia/Shanghai)."""
    tz = timezone.get_default_timezone()
    start = datetime(month.year, month.month, 1)
    end = datetime.combine(next_month(month), datetime.min.time())
    return timezone.make_aware(start, tz), timezone.make_aware(end, tz)


def month_options(months: list[date]) -> list[tuple[str, str]]:
    """Choices of a month select: each month as "YYYY-MM", value and label alike."""
    return [(month_format(month), month_format(month)) for month in months]
