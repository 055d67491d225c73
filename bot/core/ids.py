"""Row ids typed by people or carried in button values: ASCII digits only ("²".isdigit() is true in
Python) and within a 32-bit INTEGER column, so a bad value is a clear refusal, never a database error."""

from __future__ import annotations

import re

MAX_ROW_ID = 2**31 - 1
_ID = re.compile(r"[0-9]{1,10}")


def is_row_id(number: int) -> bool:
    return 0 < number <= MAX_ROW_ID


def parse_id(text: str) -> int | None:
    if not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if is_row_id(number) else None
