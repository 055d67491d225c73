"""Hybrid article search: dense embeddings and BM25 over heading-sized chunks, plus customer phrasings.

The index lives on disk next to a hash of every article file, so an update re-embeds only the files
that changed (BM25 is rebuilt from the stored chunk texts, which takes milliseconds).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import bm25s
import numpy as np
import torch

from knowledge.base import KnowledgeBase
from knowledge.embedding import SentenceEncoder

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG through its own handler

INDEX_FORMAT = 3
UNINDEXED_HEADINGS = frozenset({"related"})  # link lists: they match every query about their neighbours
# Article score = dense (mean of its two best sections) + weights × (BM25 best section, normalised per
# query) and (mean similarity to the 3 closest customer phrasings of the article's intents). Chosen on
# knowledge/eval/queries.yaml; BENCHMARKS.md reports the split-half check. QUESTION_WEIGHT was chosen
# on knowledge/eval/answers.yaml with the ranking's constants (knowledge.ranking).
LEXICAL_WEIGHT = 0.2
PHRASING_WEIGHT = 2.0
# Plus the mean similarity to the 3 closest of the article's own `questions` (front matter): they set
# apart articles that answer the same intent (a lost 2FA phone against turning 2FA on).
QUESTION_WEIGHT = 2.0


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    article_id: str
    file: str
    heading: str
    text: str
    line: int

    def search_text(self, title: str) -> str:
        return f"{title}. {self.heading}.\n{self.text}"


@dataclass(frozen=True)
class SearchHit:
    article_id: str
    title: str
    heading: str  # the article's section most similar to the query
    score: float  # fused article score (ranking)
    dense: float  # cosine similarity of query and that section: an absolute relevance signal
    bm25: float  # the article's best BM25, relative to the best in the index for this query
    snippet: str
    line: int


@dataclass(frozen=True)
class ArticleScores:
    """Every customer article's scores for one query, in one order."""

    article_ids: list[str]
    fused: np.ndarray  # the ranking score of `search`
    dense: np.ndarray  # cosine similarity of the query and the article's closest section


@dataclass(frozen=True)
class IndexUpdate:
    added: tuple[str, ...]
    changed: tuple[str, ...]
    deleted: tuple[str, ...]
    unchanged: int
    chunks_embedded: int
    seconds: float


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snippet(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def _dot(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Matrix-vector product on torch's thread pool: numpy's BLAS threads would spin against torch's
    on a small machine and make the next query embedding ten times slower."""
    return (torch.from_numpy(np.ascontiguousarray(matrix)) @ torch.from_numpy(np.ascontiguousarray(vector))).numpy()


def _tokenize(texts: list[str]) -> list[list[str]]:
    tokens = bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)
    return [list(t) for t in tokens]


class KnowledgeIndex:
    """Chunks with embeddings and BM25; optionally, customer phrasings of each intent.

    Phrasings (the intents file's labelled examples) expand every article with the words customers
    use for the intents it answers: an article about "SAML" is also found by "log in with okta".
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        encoder: SentenceEncoder,
        chunks: list[Chunk],
        embeddings: np.ndarray,
        phrasings: list[tuple[str, str]] | None = None,
        phrasing_embeddings: np.ndarray | None = None,
        questions: list[tuple[str, str]] | None = None,
        question_embeddings: np.ndarray | None = None,
    ) -> None:
        self.kb = kb
        self.encoder = encoder
        order = sorted(range(len(chunks)), key=lambda i: (chunks[i].article_id, i))
        self.chunks = [chunks[i] for i in order]
        self.embeddings = embeddings[order] if order else np.zeros((0, encoder.dimension), dtype=np.float32)
        self._article_ids = sorted({c.article_id for c in self.chunks})
        self._starts = np.searchsorted([c.article_id for c in self.chunks], self._article_ids)
        self._counts = np.diff(np.append(self._starts, len(self.chunks)))
        self._customer = np.array([kb.articles[a].customer_facing for a in self._article_ids], dtype=bool)
        self._bm25 = bm25s.BM25()
        if self.chunks:
            self._bm25.index(
                _tokenize([c.search_text(kb.articles[c.article_id].title) for c in self.chunks]), show_progress=False
            )
        self._intents: list[str] = []
        self._rows_of_intent: list[np.ndarray] = []
        self._phrasing_vectors = np.zeros((0, encoder.dimension), dtype=np.float32)
        self._article_intents = np.zeros((len(self._article_ids), 0), dtype=bool)
        if phrasings and phrasing_embeddings is not None and len(phrasing_embeddings):
            self._intents = sorted({intent for intent, _ in phrasings})
            self._rows_of_intent = [
                np.array([i for i, (it, _) in enumerate(phrasings) if it == intent]) for intent in self._intents
            ]
            self._phrasing_vectors = phrasing_embeddings
            self._article_intents = np.array(
                [[intent in kb.articles[a].intents for intent in self._intents] for a in self._article_ids], dtype=bool
            ).reshape(len(self._article_ids), len(self._intents))
        self._question_vectors = np.zeros((0, encoder.dimension), dtype=np.float32)
        self._question_rows: list[np.ndarray] = []
        if questions and question_embeddings is not None and len(question_embeddings):
            self._question_vectors = question_embeddings
            self._question_rows = [
                np.array([i for i, (article, _) in enumerate(questions) if article == a], dtype=int) for a in self._article_ids
            ]

    # ------------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        kb: KnowledgeBase,
        encoder: SentenceEncoder,
        index_dir: Path,
        progress: bool = False,
        phrasings: list[tuple[str, str]] | None = None,
    ) -> tuple[KnowledgeIndex, IndexUpdate]:
        """Load the stored index, re-embed only added or changed files (and new phrasings), save."""
        started = time.perf_counter()
        stored = _load_stored(index_dir, encoder.name)
        hashes = {a.path.name: file_hash(a.path) for a in kb.articles.values()}
        by_file = {a.path.name: a for a in kb.articles.values()}
        reuse = {name for name, digest in hashes.items() if stored.files.get(name) == digest}
        added = tuple(sorted(set(hashes) - set(stored.files)))
        changed = tuple(sorted(name for name in hashes if name in stored.files and name not in reuse))
        deleted = tuple(sorted(set(stored.files) - set(hashes)))

        kept = [i for i, c in enumerate(stored.chunks) if c.file in reuse]
        fresh = [
            Chunk(f"{article.id}#{n}", article.id, name, section.heading, section.text, section.line)
            for name in sorted(set(hashes) - reuse)
            for article in [by_file[name]]
            for n, section in enumerate(article.sections)
            if section.heading.lower() not in UNINDEXED_HEADINGS
        ]
        fresh_vectors = encoder.encode([c.search_text(kb.articles[c.article_id].title) for c in fresh], progress=progress)
        chunks = [stored.chunks[i] for i in kept] + fresh
        embeddings = np.concatenate([stored.embeddings[kept].reshape(len(kept), encoder.dimension), fresh_vectors])

        phrasings = phrasings or []
        phrasing_embeddings = _reuse(encoder, phrasings, stored.phrasings, stored.phrasing_embeddings, progress)

        questions = [
            (a.id, q) for a in sorted(kb.articles.values(), key=lambda a: a.id) if a.customer_facing for q in a.questions
        ]
        question_embeddings = _reuse(encoder, questions, stored.questions, stored.question_embeddings, progress)
        _save(index_dir, encoder.name, hashes, chunks, embeddings, phrasings, phrasing_embeddings, questions, question_embeddings)
        update = IndexUpdate(added, changed, deleted, len(reuse), len(fresh), time.perf_counter() - started)
        return cls(kb, encoder, chunks, embeddings, phrasings, phrasing_embeddings, questions, question_embeddings), update

    # ------------------------------------------------------------------ searching

    def embed_query(self, query: str) -> np.ndarray:
        return self.encoder.encode([query])[0]

    def sections_by_similarity(self, query_vector: np.ndarray, article_id: str, query: str = "") -> list[tuple[Chunk, float]]:
        """An article's indexed sections, best first: cosine similarity, plus BM25 (scaled to the
        article's best section) when the query text is given, since sections of one article embed
        alike (they share the title) and the heading's words then decide."""
        position = bisect.bisect_left(self._article_ids, article_id)
        if position == len(self._article_ids) or self._article_ids[position] != article_id:
            return []
        start = int(self._starts[position])
        rows = list(range(start, start + int(self._counts[position])))
        similarities = _dot(self.embeddings[rows], query_vector)
        tokens = _tokenize([query])[0] if query.strip() else []
        if tokens:
            lexical = self._bm25.get_scores(tokens)[rows]
            ranking = similarities + LEXICAL_WEIGHT * lexical / max(float(lexical.max()), 1e-9)
        else:
            ranking = similarities
        order = np.argsort(-ranking, kind="stable")
        return [(self.chunks[rows[j]], float(similarities[j])) for j in order]

    def _fused(self, query: str, vector: np.ndarray, questions: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per chunk: dense similarity; per article: the fused ranking score and normalised BM25. Customer
        `questions` count only in customer searches: in an agents' search they would favour the customer
        articles over the playbooks, which have none."""
        dense, dense_article, lexical_article, phrasing_article = self._signals(query, vector)
        fused = dense_article + LEXICAL_WEIGHT * lexical_article + PHRASING_WEIGHT * phrasing_article
        if questions and self._question_rows:
            sims = _dot(self._question_vectors, vector)
            # An article without questions (an imported one) is scored on its own text in their place: a
            # missing signal must not rank it below weaker matches that have one.
            fused = fused + QUESTION_WEIGHT * np.array(
                [np.sort(sims[rows])[-3:].mean() if len(rows) else dense_article[j] for j, rows in enumerate(self._question_rows)]
            )
        return dense, fused, lexical_article

    def _signals(self, query: str, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per chunk: dense similarity; per article: dense (top-2 mean), normalised BM25 max, phrasing k-NN."""
        dense = _dot(self.embeddings, vector)
        best = np.maximum.reduceat(dense, self._starts)
        rest = np.where(dense >= np.repeat(best, self._counts), -np.inf, dense)
        second = np.maximum.reduceat(rest, self._starts)
        dense_article = (best + np.where(np.isfinite(second), second, best)) / 2
        tokens = _tokenize([query])[0]
        lexical = self._bm25.get_scores(tokens) if tokens else np.zeros(len(self.chunks), dtype=np.float32)
        lexical_article = np.maximum.reduceat(lexical, self._starts) / max(float(lexical.max()), 1e-9)
        phrasing_article = np.zeros(len(self._article_ids))
        if self._intents:
            sims = _dot(self._phrasing_vectors, vector)
            per_intent = np.array([np.sort(sims[rows])[-3:].mean() for rows in self._rows_of_intent])
            phrasing_article = np.where(self._article_intents, per_intent, 0.0).max(axis=1)
            # Likewise an article without intents (answered through retrieval only) has no phrasings.
            phrasing_article = np.where(self._article_intents.any(axis=1), phrasing_article, dense_article)
        return dense, dense_article, lexical_article, phrasing_article

    def search(
        self,
        query: str,
        k: int = 5,
        articles: set[str] | None = None,
        customer_only: bool = True,
        query_vector: np.ndarray | None = None,
    ) -> list[SearchHit]:
        """Articles ranked by the fused score; each shown with its section most similar to the query."""
        if not self.chunks or not query.strip():
            return []
        vector = self.embed_query(query) if query_vector is None else query_vector
        dense, fused, lexical_article = self._fused(query, vector, questions=customer_only)
        allowed = np.array([articles is None or a in articles for a in self._article_ids], dtype=bool)
        if customer_only:
            allowed &= self._customer
        hits = []
        for j in np.argsort(-np.where(allowed, fused, -np.inf))[:k]:
            if not allowed[j]:
                break
            start, count = int(self._starts[j]), int(self._counts[j])
            i = start + int(np.argmax(dense[start : start + count]))
            chunk, article_id = self.chunks[i], self._article_ids[j]
            hits.append(
                SearchHit(
                    article_id=article_id,
                    title=self.kb.articles[article_id].title,
                    heading=chunk.heading,
                    score=round(float(fused[j]), 4),
                    dense=round(float(dense[i]), 4),
                    bm25=round(float(lexical_article[j]), 4),
                    snippet=_snippet(chunk.text),
                    line=chunk.line,
                )
            )
        return hits

    def article_scores(self, query: str, vector: np.ndarray) -> ArticleScores:
        if not self.chunks:
            return ArticleScores([], np.zeros(0), np.zeros(0))
        dense, fused, _ = self._fused(query, vector)
        best = np.maximum.reduceat(dense, self._starts)
        keep = np.flatnonzero(self._customer)
        return ArticleScores([self._article_ids[j] for j in keep], fused[keep], best[keep])

    def rank(self, query: str, method: str, k: int = 3) -> list[str]:
        """Customer article ids by one retrieval method ('dense', 'bm25' or 'hybrid'), for the benchmark."""
        if method == "hybrid":
            return [h.article_id for h in self.search(query, k)]
        dense, _, lexical_article, _ = self._signals(query, self.embed_query(query))
        scores = np.maximum.reduceat(dense, self._starts) if method == "dense" else lexical_article
        order = np.argsort(-np.where(self._customer, scores, -np.inf))[:k]
        return [self._article_ids[j] for j in order]


# ---------------------------------------------------------------------- persistence


def _reuse(
    encoder: SentenceEncoder, wanted: list[tuple[str, str]], stored: list[tuple[str, str]], vectors: np.ndarray, progress: bool
) -> np.ndarray:
    """Embeddings of (key, text) pairs, reusing stored ones: only new texts are embedded."""
    known = {key: row for row, key in enumerate(stored)}
    missing = [p for p in wanted if p not in known]
    missing_vectors = encoder.encode([text for _, text in missing], progress=progress)
    missing_row = {p: i for i, p in enumerate(missing)}
    out = np.zeros((len(wanted), encoder.dimension), dtype=np.float32)
    for row, key in enumerate(wanted):
        out[row] = vectors[known[key]] if key in known else missing_vectors[missing_row[key]]
    return out


@dataclass
class _Stored:
    files: dict[str, str]
    chunks: list[Chunk]
    embeddings: np.ndarray
    phrasings: list[tuple[str, str]]
    phrasing_embeddings: np.ndarray
    questions: list[tuple[str, str]]
    question_embeddings: np.ndarray


def _load_stored(index_dir: Path, encoder_name: str) -> _Stored:
    none = np.zeros((0, 0), dtype=np.float32)
    empty = _Stored({}, [], none, [], none, [], none)
    if not (index_dir / "index.json").is_file():
        return empty
    try:
        meta = json.loads((index_dir / "index.json").read_text(encoding="utf-8"))
        embeddings = np.load(index_dir / "embeddings.npy")
        phrasing_embeddings = np.load(index_dir / "phrasings.npy")
        question_embeddings = np.load(index_dir / "questions.npy")
        chunks = [Chunk(**c) for c in meta["chunks"]]
        phrasings = [(str(intent), str(text)) for intent, text in meta["phrasings"]]
        questions = [(str(article), str(text)) for article, text in meta["questions"]]
    except (OSError, ValueError, KeyError, TypeError):
        return empty  # a damaged index is rebuilt, never trusted
    consistent = (
        len(chunks) == len(embeddings)
        and len(phrasings) == len(phrasing_embeddings)
        and len(questions) == len(question_embeddings)
    )
    if meta.get("format") != INDEX_FORMAT or meta.get("encoder") != encoder_name or not consistent:
        return empty
    return _Stored(dict(meta["files"]), chunks, embeddings, phrasings, phrasing_embeddings, questions, question_embeddings)


def _save(
    index_dir: Path,
    encoder_name: str,
    files: dict[str, str],
    chunks: list[Chunk],
    embeddings: np.ndarray,
    phrasings: list[tuple[str, str]],
    phrasing_embeddings: np.ndarray,
    questions: list[tuple[str, str]],
    question_embeddings: np.ndarray,
) -> None:
    """Arrays first, metadata last (atomically): a crash mid-save leaves an index that fails its checks."""
    index_dir.mkdir(parents=True, exist_ok=True)
    for name, array in (("embeddings", embeddings), ("phrasings", phrasing_embeddings), ("questions", question_embeddings)):
        np.save(index_dir / f"{name}.tmp.npy", array)
        (index_dir / f"{name}.tmp.npy").replace(index_dir / f"{name}.npy")
    meta = {
        "format": INDEX_FORMAT,
        "encoder": encoder_name,
        "files": files,
        "chunks": [asdict(c) for c in chunks],
        "phrasings": [list(p) for p in phrasings],
        "questions": [list(q) for q in questions],
    }
    tmp = index_dir / "index.json.tmp"
    tmp.write_text(json.dumps(meta), encoding="utf-8")
    tmp.replace(index_dir / "index.json")
