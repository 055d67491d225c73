"""New topics among the tickets the model does not know: their texts embedded with the base sentence
encoder, grouped by average-linkage clustering at a cosine similarity (bot.audit.linkage), each group
named by its distinctive words (bot.audit.naming) and shown with its most typical subjects.

Groups smaller than `min_size` are not topics yet; their tickets stay in "other". The encoder is the
pretrained base model, not the fine-tuned classifier: the classifier was trained to squeeze everything
towards the known intents, while the base encoder still separates topics it was never taught.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.audit.linkage import clusters_at
from bot.audit.naming import distinctive_words
from knowledge.embedding import SentenceEncoder

# Average cosine similarity within a cluster. With MiniLM, a tenth of random pairs of support tickets are above
# ~0.35 and one in a hundred above ~0.6; 0.4 asks a cluster's tickets to be more alike on average than nine
# random pairs in ten, while one topic's different wordings (0.5-0.7) still join.
SIMILARITY = 0.4
EXAMPLES = 3


@dataclass(frozen=True, slots=True)
class Topic:
    """A discovered cluster: indexes into the texts given to `discover`, most typical first."""

    name: str
    words: tuple[str, ...]
    members: tuple[int, ...]
    examples: tuple[str, ...]  # subject and start of the most typical members' messages
    cohesion: float  # average cosine similarity of the members to each other


@dataclass(frozen=True, slots=True)
class Discovery:
    topics: tuple[Topic, ...]  # largest first
    other: tuple[int, ...]  # members of no topic


def discover(
    texts: Sequence[str],
    subjects: Sequence[str],
    background: Sequence[str],
    encoder: SentenceEncoder,
    min_size: int,
    similarity: float = SIMILARITY,
    progress: bool = False,
) -> Discovery:
    """Topics among `texts` (with `subjects` to show for each); `background` is every other ticket's text,
    so a topic is named by what sets it apart from the whole history, not just from the other topics."""
    vectors = encoder.encode(list(texts), progress=progress)
    return group(vectors, texts, subjects, background, min_size, similarity)


def group(
    vectors: np.ndarray,
    texts: Sequence[str],
    subjects: Sequence[str],
    background: Sequence[str],
    min_size: int,
    similarity: float = SIMILARITY,
) -> Discovery:
    """`discover` once the texts are embedded (rows L2-normalised)."""
    found = clusters_at(vectors, similarity)
    kept = [g for g in found if len(g) >= max(min_size, 2)]
    other = sorted(i for g in found if len(g) < max(min_size, 2) for i in g)
    names = distinctive_words([[texts[i] for i in g] for g in kept], [*background, *(texts[i] for i in other)])
    topics = []
    for members, words in zip(kept, names, strict=True):
        block = vectors[members]
        mean = block.mean(axis=0)
        typical = [members[i] for i in np.argsort(-(block @ mean), kind="stable")]
        n = len(members)
        cohesion = float((np.square(mean * n).sum() - n) / (n * (n - 1)))  # mean off-diagonal similarity
        examples = tuple(shown(subjects[i], texts[i]) for i in typical[:EXAMPLES])
        name = " / ".join(words) or f"topic of {n} tickets"
        topics.append(Topic(name, tuple(words), tuple(typical), examples, round(cohesion, 4)))
    return Discovery(tuple(topics), tuple(other))


def shown(subject: str, text: str, width: int = 100) -> str:
    """The subject and the message's start ("Support request" alone says nothing of a topic); the message
    alone when it begins with the subject, as chat tools make it."""
    subject = subject.strip()
    if subject and text.startswith(subject + "\n\n"):
        text = f"{subject} — {text[len(subject) :]}"
    elif subject and not text.casefold().startswith(subject.rstrip(".…").casefold()):
        text = f"{subject} — {text}"
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"
