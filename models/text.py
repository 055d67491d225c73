"""Text clean-up applied identically at training and serving time."""

from __future__ import annotations

import re
import unicodedata

# A support message longer than this is a paste (logs, e-mail threads); the intent is in the start.
MAX_CHARS = 2000
_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]")
_SPACE = re.compile(r"\s+")


def clean_text(text: str, max_chars: int = MAX_CHARS) -> str:
    """NFKC-normalise, drop control and invisible characters, collapse white space, cap the length."""
    text = unicodedata.normalize("NFKC", text[: max_chars * 2])
    text = _CONTROL.sub(" ", text)
    return _SPACE.sub(" ", text).strip()[:max_chars]
