"""Article ids for imported articles: readable, valid as this knowledge base's ids, never reused."""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 80


def slugify(text: str) -> str:
    """`Download invoices & receipts (PDF)` → `download-invoices-receipts-pdf`; `article` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_LENGTH:
        slug = slug[:MAX_LENGTH].rsplit("-", 1)[0] or slug[:MAX_LENGTH]
    return slug or "article"


def unique(slug: str, taken: set[str]) -> str:
    """The slug, or with -2, -3, … when another article already has it; the result is added to `taken`."""
    candidate, number = slug, 2
    while candidate in taken:
        candidate, number = f"{slug}-{number}", number + 1
    taken.add(candidate)
    return candidate
