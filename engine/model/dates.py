"""Dates as the project writes them: YYYY-MM-DD only, ASCII digits only.

Python's `date.fromisoformat` also reads ISO week dates (2020-W01-1), ordinal dates (2020-001) and
non-ASCII digits; a case, a decisions file or a command line that gave one would silently mean another
day. Every reader goes through `parse_date`.
"""

from __future__ import annotations

import datetime as _dt
import re

DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def parse_date(text: str) -> _dt.date:
    """`YYYY-MM-DD` as a date; ValueError for anything else (week dates, ordinal dates, impossible days)."""
    text = text.strip()
    if not DATE_RE.match(text):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    return _dt.date.fromisoformat(text)


def long_date(iso: str) -> str:
    """2026-05-01 -> '1 May 2026' (English month names, whatever the machine's locale)."""
    year, month, day = iso.split("-")
    return f"{int(day)} {_MONTHS[int(month) - 1]} {year}"


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
