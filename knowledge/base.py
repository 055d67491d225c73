"""Loading a directory of articles into a checked, queryable knowledge base."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from knowledge.article import Article, parse_article
from knowledge.errors import KnowledgeBaseError, Problem

# Not an error: open retrieval still finds such an article, only the intent model's vote is missing.
NO_INTENTS = "no intents: answered through retrieval only"


@dataclass(frozen=True)
class KnowledgeBase:
    directory: Path
    articles: dict[str, Article]

    def for_intent(self, intent: str, customer_facing: bool = True) -> list[Article]:
        return [a for a in self.articles.values() if intent in a.intents and (a.customer_facing or not customer_facing)]

    def customer_articles(self) -> list[Article]:
        return [a for a in self.articles.values() if a.customer_facing]


def article_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.md") if p.is_file() and not p.name.startswith(("_", ".")))


def check_articles(
    directory: Path, known_intents: Iterable[str] | None = None, stale_after_days: int | None = None, today: dt.date | None = None
) -> tuple[dict[str, Article], list[Problem]]:
    """Parse every article and cross-check them: ids, intents, internal links, review dates."""
    if not directory.is_dir():
        return {}, [Problem(directory, None, "knowledge directory does not exist")]
    files = article_files(directory)
    if not files:
        return {}, [Problem(directory, None, "no .md articles in the knowledge directory")]
    intents = set(known_intents) if known_intents is not None else None
    articles: dict[str, Article] = {}
    problems: list[Problem] = []
    names = {p.name for p in files}
    for path in files:
        article, found = parse_article(path)
        problems += found
        if article is None:
            continue
        if article.id in articles:
            problems.append(
                Problem(path, article.line_of("id"), f"duplicate id '{article.id}' (also in {articles[article.id].path.name})")
            )
            continue
        if not article.intents:
            problems.append(Problem(path, article.line_of("intents"), NO_INTENTS, "warning"))
        if intents is not None:
            unknown = [i for i in article.intents if i not in intents]
            if unknown:
                problems.append(
                    Problem(path, article.line_of("intents"), f"unknown intent(s) {', '.join(unknown)}; not in the intents file")
                )
        for target, line in article.links:
            if Path(target).name not in names or "/" in target.strip("./"):
                problems.append(Problem(path, line, f"broken link to '{target}': no such article"))
        if stale_after_days is not None:
            age = ((today or dt.date.today()) - article.last_reviewed).days
            if age > stale_after_days:
                problems.append(
                    Problem(
                        path,
                        article.line_of("last_reviewed"),
                        f"not reviewed for {age} days (limit {stale_after_days}); owner: {article.owner}",
                        "warning",
                    )
                )
        articles[article.id] = article
    return articles, problems


def load_knowledge_base(directory: Path, known_intents: Iterable[str] | None = None) -> KnowledgeBase:
    """Load for serving: any error refuses the whole directory, so a broken edit never half-loads."""
    articles, problems = check_articles(directory, known_intents)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise KnowledgeBaseError(errors)
    return KnowledgeBase(directory=directory, articles=articles)
