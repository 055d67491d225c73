"""Entities an agent wants at a glance: amounts, invoice and order ids, error messages, emails, links.

Rules rather than a model: these have regular shapes, and a missed entity costs little because the
agent also gets the key sentences and the transcript.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = r"\d{1,3}(?:[,\s]\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?"
_AMOUNT = re.compile(
    rf"(?P<pre>[$€£]|\b(?:USD|EUR|GBP)\s?)(?P<n1>{_NUMBER})(?P<k1>k\b)?"
    rf"|\b(?P<n2>{_NUMBER})(?P<k2>k)?\s?(?P<post>USD|EUR|GBP|dollars?|euros?|pounds?|bucks)\b",
    re.IGNORECASE,
)
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "dollar": "USD", "buck": "USD", "euro": "EUR", "pound": "GBP"}
_PATTERNS: dict[str, re.Pattern[str]] = {
    "invoice": re.compile(r"\b(?:INV[-_ ]?\d{3,}|invoice\s*(?:no\.?|number|#)\s*:?\s*[A-Z0-9-]{3,})", re.IGNORECASE),
    "order": re.compile(r"\b(?:ORD[-_ ]?\d{3,}|order\s*(?:no\.?|number|#)\s*:?\s*[A-Z0-9-]{3,})", re.IGNORECASE),
    "error": re.compile(
        r"(?:\b(?:error|err|code)\s*:?\s*[A-Z0-9_.-]*\d[A-Z0-9_.-]*(?::\s*[^.\n\"]{0,60})?"
        r"|\bHTTP\s*[45]\d\d\b|\b[45]\d\d\s+(?:error|unauthori[sz]ed|forbidden|not found|too many requests)\b"
        r"|\"[^\"\n]{6,80}\"|“[^”\n]{6,80}”)",
        re.IGNORECASE,
    ),
    "email": re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b"),
    "link": re.compile(r"https?://\S+"),
}


@dataclass(frozen=True)
class Entity:
    kind: str  # amount | invoice | order | error | email | link
    text: str
    value: float | None = None  # amounts only, in their own currency
    currency: str | None = None


def _number(digits: str, thousands: bool) -> float:
    value = float(re.sub(r"[,\s]", "", digits))
    return value * 1000 if thousands else value


def amounts(text: str) -> list[Entity]:
    found = []
    for match in _AMOUNT.finditer(text):
        if match["n1"] is not None:
            value, unit = _number(match["n1"], bool(match["k1"])), match["pre"].strip()
        else:
            value, unit = _number(match["n2"], bool(match["k2"])), match["post"]
        currency = _SYMBOLS.get(unit.lower().rstrip("s"), unit.upper())
        found.append(Entity("amount", match.group(0).strip(), value, currency))
    return found


def extract(text: str) -> list[Entity]:
    """Every entity in the text, amounts first, each text once."""
    found = amounts(text)
    for kind, pattern in _PATTERNS.items():
        found += [Entity(kind, m.group(0).strip().strip('"“”')) for m in pattern.finditer(text)]
    unique: dict[tuple[str, str], Entity] = {}
    for entity in found:
        unique.setdefault((entity.kind, entity.text.lower()), entity)
    return list(unique.values())
