"""From a classified message to an answer, an action, or an honest "no good answer".

Order: a registered action for the intent; else the articles whose front matter names the intent
(retrieval only picks the section); else retrieval over all customer articles, accepted only above a
similarity floor — so an unrelated article is never pasted as an answer.
"""

from __future__ import annotations

import re

import numpy as np

from knowledge.actions import ActionRegistry
from knowledge.article import Article
from knowledge.index import Chunk, KnowledgeIndex
from knowledge.types import Answer, NoAnswer, Resolution, ResolveRequest

_STEP = re.compile(r"^\s*\d+\.\s", re.MULTILINE)


class Resolver:
    def __init__(
        self, index: KnowledgeIndex, actions: ActionRegistry | None = None, base_url: str = "", min_similarity: float = 0.45
    ) -> None:
        self.index = index
        self.actions = actions or ActionRegistry()
        self.base_url = base_url.rstrip("/")
        self.min_similarity = min_similarity

    async def resolve(self, request: ResolveRequest) -> Resolution:
        action = self.actions.get(request.intent)
        if action is not None:
            return await action.run(request)
        return self.answer(request)

    def answer(self, request: ResolveRequest) -> Answer | NoAnswer:
        """Knowledge-base answer only (no actions): usable from synchronous code and benchmarks."""
        query = request.message.strip()
        vector = self.index.embed_query(query) if query else None
        mapped = {a.id for a in self.index.kb.for_intent(request.intent)}
        if mapped:
            hits = self.index.search(query, k=1, articles=mapped, query_vector=vector) if vector is not None else []
            article = self.index.kb.articles[hits[0].article_id if hits else sorted(mapped)[0]]
            chunk, similarity = self._section(article, vector, query)
            # The mapping is authoritative; weak similarity only lowers the confidence.
            confidence = request.confidence * (0.5 + 0.5 * min(1.0, max(similarity, 0.0) / self.min_similarity))
            return self._answer(article, chunk, min(confidence, request.confidence), "intent_mapping", request)
        if vector is None:
            return NoAnswer("the message is empty")
        hits = self.index.search(query, k=1, query_vector=vector)
        if not hits:
            return NoAnswer("the knowledge base has no customer articles")
        best = hits[0]
        if best.dense < self.min_similarity:
            return NoAnswer(
                f"no article is close enough (best {best.article_id} at {best.dense:.2f} < {self.min_similarity:.2f})",
                best.article_id,
                best.dense,
            )
        article = self.index.kb.articles[best.article_id]
        chunk, similarity = self._section(article, vector, query)
        return self._answer(article, chunk, similarity, "retrieval", request)

    def _section(self, article: Article, vector: np.ndarray | None, query: str) -> tuple[Chunk | None, float]:
        """The most similar section that gives steps, if the article has one; else the most similar."""
        if vector is None:
            return None, 0.0
        ranked = self.index.sections_by_similarity(vector, article.id, query)
        if not ranked:
            return None, 0.0
        with_steps = [(c, s) for c, s in ranked if _STEP.search(c.text)]
        return (with_steps or ranked)[0][0], max(similarity for _, similarity in ranked)

    def _answer(self, article: Article, chunk: Chunk | None, confidence: float, source: str, request: ResolveRequest) -> Answer:
        if chunk is None:
            section = next((s for s in article.sections if _STEP.search(s.text)), article.sections[0])
            heading, text = section.heading, section.text
        else:
            heading, text = chunk.heading, chunk.text
        unmet = article.conditions.unmet(request.customer.plan, request.customer.role)
        return Answer(
            article_id=article.id,
            title=article.title,
            link=f"{self.base_url}/{article.id}" if self.base_url else article.id,
            heading=heading,
            text=text,
            confidence=round(float(confidence), 4),
            source="intent_mapping" if source == "intent_mapping" else "retrieval",
            conditions_unmet=tuple(unmet),
        )
