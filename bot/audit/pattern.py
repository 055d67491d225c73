"""Pattern versus judgment: how alike the agents' replies in one category are. A category answered with a
macro is automatable; one where every reply is written for the case needs judgment.

The score is the mean, over the category's replies, of each reply's similarity to its closest other reply:
the Jaccard overlap of their word trigrams after the parts a macro changes per ticket are normalised
away (the customer's name after the greeting, the agent's own name, numbers, ids, emails and links).
A macro pasted with a word or two changed scores near 1; bespoke replies on the same topic share the
topic's words but few word sequences, and score low. Nearest-neighbour rather than all-pairs, so a
category with two macros (one replaced the other mid-quarter) still reads as templated. Word overlap rather
than sentence embeddings, because embeddings put every reply about the same topic close together
whether it was pasted or written, which is exactly the difference this score must see.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

MIN_REPLIES = 5  # fewer replies: "not enough replies", no score
MAX_REPLIES = 200  # an evenly spaced sample above this: the score is a mean, 200 replies estimate it well
_SALUTATION = re.compile(r"^\W*(hi|hello|hey|dear|good\s+(?:morning|afternoon|evening))\b[\s,]*[\w'’-]*", re.IGNORECASE)
_REPLACE = (
    (re.compile(r"\S+@\S+"), " <email> "),
    (re.compile(r"https?://\S+|www\.\S+"), " <link> "),
    (re.compile(r"\S*\d\S*"), " <n> "),
)
_WORD = re.compile(r"<\w+>|[a-z]+(?:['’][a-z]+)?")


def normalise(reply: str, agent: str | None = None) -> list[str]:
    """The reply's words with the per-ticket parts of a macro replaced (see the module docstring)."""
    text = _SALUTATION.sub(lambda m: m.group(1), reply.strip(), count=1)
    for pattern, token in _REPLACE:
        text = pattern.sub(token, text)
    names = {part.lower() for part in (agent or "").split() if len(part) > 1}
    return [w for w in _WORD.findall(text.lower()) if w not in names]


def shingles(words: Sequence[str], size: int = 3) -> frozenset[tuple[str, ...]]:
    if len(words) <= size:
        return frozenset({tuple(words)}) if words else frozenset()
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def pattern_score(replies: Sequence[str], agents: Sequence[str | None] | None = None) -> float | None:
    """0 (every reply written for its case) to 1 (one macro throughout); None below MIN_REPLIES replies."""
    pairs = [(r, a) for r, a in zip(replies, agents or [None] * len(replies), strict=True) if r.strip()]
    if len(pairs) < MIN_REPLIES:
        return None
    if len(pairs) > MAX_REPLIES:
        pairs = [pairs[int(i)] for i in np.linspace(0, len(pairs) - 1, MAX_REPLIES).round()]
    sets = [shingles(normalise(reply, agent)) for reply, agent in pairs]
    best = [0.0] * len(sets)
    for i, a in enumerate(sets):
        for j in range(i + 1, len(sets)):
            b = sets[j]
            union = len(a | b)
            similarity = len(a & b) / union if union else 0.0
            best[i] = max(best[i], similarity)
            best[j] = max(best[j], similarity)
    return round(sum(best) / len(best), 4)
