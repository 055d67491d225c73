"""What the history says a ticket needed, to judge the replay's decisions against.

A ticket **needed real agent work** when an agent replied and at least one of these holds:

- its category is one the bot cannot resolve: a category that is not one of the model's intents (the bot
  has nothing for it), or an intent in the `human` (or `off`) tier of the current policy;
- the agent's reply is bespoke: at least `MIN_WORDS` words, and no other reply in the history shares
  `SIMILAR` or more of its word 4-grams (numbers masked). A macro pasted with another greeting or
  sign-off is shared almost whole by every ticket that used it; a reply written for the case is not.

Tickets nobody replied to (spam, duplicates, solved by the customer) needed no work. The rule reads the
history's own labels only, so it stays the same for every policy a replay compares.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np

from bot.history.tickets import HistoricalTicket

SIMILAR = 0.9  # share of a reply's 4-grams found in another reply that makes it a copy of that reply
MIN_WORDS = 20  # shorter replies ("Done, thanks!") are no real work however unique
SHINGLE = 4
HASHES = 8  # min-hashes per reply: near-copies share most of them, so they are found as candidates
MAX_CHECKS = 256  # candidates compared exactly per reply, most likely first
UNKNOWN_CATEGORY, HUMAN_TIER, BESPOKE_REPLY = "category_not_an_intent", "human_tier", "bespoke_reply"
DEFINITION = (
    "needed real agent work: an agent replied, and the ticket's category is not one of the model's intents or is an "
    f"intent in the human tier, or the reply is bespoke ({MIN_WORDS}+ words, and no other reply in the history shares "
    f"{SIMILAR:.0%} of its word 4-grams: not a macro). Missed escalation: such a ticket the bot answered on its own; "
    "needless escalation: a ticket an agent answered routinely (a macro, in a category the bot covers) that the bot "
    "handed off."
)
_WORD = re.compile(r"[a-z0-9']+")
_PRIME = (1 << 31) - 1


@dataclass(frozen=True)
class TicketLabel:
    category: str | None
    category_intent: str | None  # the category when it names one of the model's intents
    replied: bool
    needed_work: str | None  # why an agent had to do real work (UNKNOWN_CATEGORY, HUMAN_TIER, BESPOKE_REPLY), else None

    @property
    def routine(self) -> bool:
        """An agent answered it with a macro, in a category the bot covers."""
        return self.replied and self.needed_work is None


def label_tickets(
    tickets: Sequence[HistoricalTicket], intents: Collection[str], tier_of: Callable[[str], str]
) -> list[TicketLabel]:
    bespoke = bespoke_replies([t.agent_reply for t in tickets])
    labels = []
    for ticket, own in zip(tickets, bespoke, strict=True):
        category = ticket.category or None
        replied = bool(ticket.agent_reply.strip())
        known = category if category in intents else None
        reason = None
        if replied and category is not None and known is None:
            reason = UNKNOWN_CATEGORY
        elif replied and known is not None and tier_of(known) in ("human", "off"):
            reason = HUMAN_TIER
        elif replied and own:
            reason = BESPOKE_REPLY
        labels.append(TicketLabel(category, known, replied, reason))
    return labels


def _shingles(text: str) -> np.ndarray:
    words = ["0" if w.isdigit() else w for w in _WORD.findall(text.lower())]
    grams = {" ".join(words[i : i + SHINGLE]) for i in range(max(len(words) - SHINGLE + 1, 0))}
    return np.array(sorted(zlib.crc32(g.encode()) % _PRIME for g in grams), dtype=np.int64)


def bespoke_replies(replies: Sequence[str]) -> list[bool]:
    """For each reply: long enough, and no near-copy elsewhere in `replies`. Candidates come from shared
    min-hashes (deterministic: fixed hash parameters), then are compared exactly, so the work grows with
    the history rather than with its square."""
    rng = np.random.default_rng(7)
    a = rng.integers(1, _PRIME, HASHES, dtype=np.int64)
    b = rng.integers(0, _PRIME, HASHES, dtype=np.int64)
    shingles = [_shingles(r) for r in replies]
    sets = [set(s.tolist()) for s in shingles]
    signatures: list[tuple[int, ...] | None] = [
        tuple(((a[:, None] * s[None, :] + b[:, None]) % _PRIME).min(axis=1).tolist()) if len(s) else None for s in shingles
    ]
    buckets: list[dict[int, list[int]]] = [{} for _ in range(HASHES)]
    for i, signature in enumerate(signatures):
        for k, value in enumerate(signature or ()):
            buckets[k].setdefault(value, []).append(i)
    result = []
    for i, signature in enumerate(signatures):
        if signature is None or len(_WORD.findall(replies[i])) < MIN_WORDS:
            result.append(False)
            continue
        result.append(not _has_copy(i, signature, sets, buckets))
    return result


def _has_copy(i: int, signature: tuple[int, ...], sets: list[set[int]], buckets: list[dict[int, list[int]]]) -> bool:
    mine, checked = sets[i], {i}
    for k, value in enumerate(signature):
        for j in buckets[k][value]:
            if j in checked:
                continue
            checked.add(j)
            other = sets[j]
            if len(mine & other) >= SIMILAR * min(len(mine), len(other)):
                return True
            if len(checked) > MAX_CHECKS:
                return False
    return False
