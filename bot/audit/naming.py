"""Names for discovered clusters: their most distinctive words by class-based TF-IDF: a word scores by
the share of the cluster's tickets that contain it times its inverse document frequency over the whole
history (the cluster's tickets and every other ticket), so words that are common everywhere ("account",
"please", the product's name) never name a cluster.

A ticket counts each word once: one long email cannot name its cluster alone. A name word must also
appear in at least a fifth of the cluster's tickets (and two of them), so a customer's name or a typo
never becomes a topic.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

WORDS_PER_NAME = 3
MIN_SHARE = 0.2  # of the cluster's tickets that must contain a name word
_WORD = re.compile(r"[a-z][a-z']+[a-z]")
_STOP_WORDS = """
    a about above after again against all almost also am an and any anyone anything are aren't around as at be because
    been before being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
    down during each either else even ever every few for from further get gets getting got had hadn't has hasn't have
    haven't having he he'd he'll he's her here here's hers herself him himself his how how's however i i'd i'll i'm i've
    if in into is isn't it it's its itself just let let's like many may me might more most much must mustn't my myself
    need needs no nor not now of off often on once one only or other others our ours ourselves out over own please quite
    rather really same shall shan't she she'd she'll she's should shouldn't since so some something still such than that
    that's the their theirs them themselves then there there's these they they'd they'll they're they've this those
    though through to too under until up upon us very via was wasn't way we we'd we'll we're we've well were weren't what
    what's when when's where where's whether which while who who's whom whose why why's will with within without won't
    would wouldn't yet you you'd you'll you're you've your yours yourself yourselves
    hi hello hey dear thanks thank thx cheers regards best kind morning afternoon evening team hope ok okay yes yeah
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def words(text: str) -> set[str]:
    """The distinct content words of a text: lowercased, three letters or more, stop words removed."""
    return {w for w in _WORD.findall(text.lower().replace("’", "'")) if w not in STOP_WORDS and not w.endswith("'s")}


def distinctive_words(clusters: Sequence[Sequence[str]], background: Sequence[str], top: int = WORDS_PER_NAME) -> list[list[str]]:
    """For each cluster (its tickets' texts), its `top` words by W(t, c) = n(t, c) / |c| · log(N / n(t)):
    n(t, c) of the cluster's |c| tickets contain t, n(t) of all N tickets (clusters and background) do."""
    classes = [Counter(w for text in texts for w in words(text)) for texts in clusters]
    everywhere = sum(classes, Counter()) + Counter(w for text in background for w in words(text))
    total = sum(len(texts) for texts in clusters) + len(background)
    names = []
    for counts, texts in zip(classes, clusters, strict=True):
        floor = max(2, math.ceil(MIN_SHARE * len(texts)))
        scored = [
            (count / len(texts) * math.log(total / everywhere[word]), word) for word, count in counts.items() if count >= floor
        ]
        names.append([word for _, word in sorted(scored, key=lambda s: (-s[0], s[1]))[:top]])
    return names
