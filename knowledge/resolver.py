"""From a classified message to an answer, an action, a choice, or an honest "no good answer".

Order: a registered action for the intent; else the article ranking (`knowledge.ranking`: the intent
model's beliefs and open retrieval together). With an answer gate (`knowledge.gate`), the top article
is given only when the evidence agrees within the wrong-answer budget; otherwise the result is
`Unsure`, carrying the candidates for a clarifying choice. Without one, the intent's own articles are
trusted and anything else needs a similarity floor, so an unrelated article is never pasted.
"""

from __future__ import annotations

import re

import numpy as np

from knowledge.actions import ActionRegistry
from knowledge.article import Article
from knowledge.gate import AnswerGate, Evidence
from knowledge.index import Chunk, KnowledgeIndex
from knowledge.ranking import Ranking, rank_articles
from knowledge.types import Answer, IntentBelief, NoAnswer, Resolution, ResolveRequest, Unsure

_STEP = re.compile(r"^\s*\d+\.\s", re.MULTILINE)


class Resolver:
    def __init__(
        self,
        index: KnowledgeIndex,
        actions: ActionRegistry | None = None,
        base_url: str = "",
        min_similarity: float = 0.45,
        gate: AnswerGate | None = None,
    ) -> None:
        self.index = index
        self.actions = actions or ActionRegistry()
        self.base_url = base_url.rstrip("/")
        self.min_similarity = min_similarity
        self.gate = gate

    async def resolve(self, request: ResolveRequest) -> Resolution:
        action = self.actions.get(request.intent)
        if action is not None:
            return await action.run(request)
        return self.answer(request)

    def rank(self, request: ResolveRequest, vector: np.ndarray | None = None) -> Ranking:
        query = request.message.strip()
        if not query:
            return Ranking((), None)
        vector = self.index.embed_query(query) if vector is None else vector
        beliefs = request.beliefs or (IntentBelief(request.intent, request.confidence),)
        return rank_articles(self.index, query, vector, beliefs)

    def evidence(self, request: ResolveRequest, ranking: Ranking) -> Evidence:
        return Evidence(ranking, request.confidence, request.in_scope_margin)

    def answer(self, request: ResolveRequest) -> Answer | NoAnswer | Unsure:
        """Knowledge-base answer only (no actions): usable from synchronous code and benchmarks."""
        query = request.message.strip()
        if request.article_id is not None:
            return self.from_article(request, request.article_id)
        if not query:
            return NoAnswer("the message is empty")
        vector = self.index.embed_query(query)
        ranking = self.rank(request, vector)
        best = ranking.best
        if best is None:
            return NoAnswer("the knowledge base has no customer articles")
        article = self.index.kb.articles[best.article_id]
        chunk, _ = self._section(article, vector, query)
        if self.gate is not None:
            assurance = self.gate.assurance(self.evidence(request, ranking))
            threshold = self.gate.threshold_for(request.max_wrong_rate)
            answer = self._answer(article, chunk, assurance, request, assurance)
            if assurance < threshold:
                return Unsure(answer, ranking.options(), round(assurance, 4), threshold)
            return answer
        mapped = {a.id for a in self.index.kb.for_intent(request.intent)}
        if best.article_id not in mapped and best.similarity < self.min_similarity:
            return NoAnswer(
                f"no article is close enough (best {best.article_id} at {best.similarity:.2f} < {self.min_similarity:.2f})",
                best.article_id,
                best.similarity,
            )
        # An intent's own article is trusted; weak similarity only lowers the confidence.
        confidence = request.confidence * (0.5 + 0.5 * min(1.0, max(best.similarity, 0.0) / self.min_similarity))
        return self._answer(article, chunk, min(confidence, request.confidence), request)

    def from_article(self, request: ResolveRequest, article_id: str) -> Answer | NoAnswer:
        """The section of a chosen article that best answers the message."""
        article = self.index.kb.articles.get(article_id)
        if article is None or not article.customer_facing:
            return NoAnswer(f"there is no customer article '{article_id}'")
        query = request.message.strip()
        vector = self.index.embed_query(query) if query else None
        chunk, _ = self._section(article, vector, query)
        return self._answer(article, chunk, 1.0, request)

    def _section(self, article: Article, vector: np.ndarray | None, query: str) -> tuple[Chunk | None, float]:
        """The most similar section that gives steps, if the article has one; else the most similar."""
        if vector is None:
            return None, 0.0
        ranked = self.index.sections_by_similarity(vector, article.id, query)
        if not ranked:
            return None, 0.0
        with_steps = [(c, s) for c, s in ranked if _STEP.search(c.text)]
        return (with_steps or ranked)[0][0], max(similarity for _, similarity in ranked)

    def _answer(
        self, article: Article, chunk: Chunk | None, confidence: float, request: ResolveRequest, assurance: float | None = None
    ) -> Answer:
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
            source="intent_mapping" if article.id in {a.id for a in self.index.kb.for_intent(request.intent)} else "retrieval",
            conditions_unmet=tuple(unmet),
            assurance=None if assurance is None else round(assurance, 4),
        )
