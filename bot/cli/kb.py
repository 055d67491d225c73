"""`supportbot kb`: check, index and search the knowledge base; import a help centre; review knowledge gaps."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from bot.cli import kb_import
from bot.config import Settings
from bot.kb_suggest import IntentSuggester
from bot.knowledge_service import known_intents, open_index
from bot.storage import open_database
from knowledge.article import Article
from knowledge.base import check_articles
from knowledge.gaps import GapLog, cluster_gaps
from models.errors import SupportbotModelError

NAME = "kb"
HELP = "knowledge base: check, index, search, import, gaps"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="kb_command", required=True, metavar="SUBCOMMAND")
    check = sub.add_parser("check", help="lint articles: fields, intents, ids, links, review dates")
    check.add_argument("--kb-dir", type=Path)
    check.add_argument("--stale-days", type=int, help="warn when not reviewed for this many days (SUPPORTBOT_KB_STALE_DAYS)")
    check.add_argument("--no-suggestions", action="store_true", help="do not ask the model for intents of articles with none")
    index = sub.add_parser("index", help="build or update the search index (only changed files are re-embedded)")
    index.add_argument("--kb-dir", type=Path)
    search = sub.add_parser("search", help="hybrid search: article id, heading, score, snippet")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5)
    search.add_argument("--kb-dir", type=Path)
    search.add_argument("--json", action="store_true")
    kb_import.add_arguments(sub.add_parser("import", help=kb_import.HELP, description=kb_import.__doc__))
    gaps = sub.add_parser("gaps", help="cluster unanswered questions, escalations and bad ratings into a review list")
    gaps.add_argument("--since", type=float, default=7, metavar="DAYS")
    gaps.add_argument("--json", action="store_true")
    gaps.add_argument("--threshold", type=float, default=0.5, help="similarity that groups two questions")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if getattr(args, "kb_dir", None):
        settings = settings.model_copy(update={"kb_dir": args.kb_dir})
    return SUBCOMMANDS[args.kb_command](args, settings)


def _check(args: argparse.Namespace, settings: Settings) -> int:
    stale = args.stale_days if args.stale_days is not None else settings.kb_stale_days
    articles, problems = check_articles(settings.kb_dir, known_intents(settings), stale)
    for problem in problems:
        print(problem)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    print(f"{len(articles)} articles checked in {settings.kb_dir}: {errors} error(s), {warnings} warning(s)")
    if not args.no_suggestions:
        _suggest_intents(list(articles.values()), settings)
    return 1 if errors else 0


def _suggest_intents(articles: list[Article], settings: Settings) -> None:
    """Customer articles without intents: what the intent model would map them to."""
    if not any(a.customer_facing and not a.intents for a in articles):
        return
    try:
        suggester = IntentSuggester.load(settings.model_dir)
    except SupportbotModelError as exc:
        print(f"no intent suggestions: {exc}")
        return
    for suggestion in suggester.for_articles(articles):
        print(suggestion.describe())


def _index(args: argparse.Namespace, settings: Settings) -> int:
    index, update = open_index(settings, progress=True)
    print(
        f"indexed {len(index.kb.articles)} articles ({len(index.chunks)} sections) in {update.seconds:.1f} s: "
        f"{len(update.added)} added, {len(update.changed)} changed, {len(update.deleted)} deleted, {update.unchanged} unchanged; "
        f"{update.chunks_embedded} sections embedded → {settings.kb_index_dir}"
    )
    return 0


def _search(args: argparse.Namespace, settings: Settings) -> int:
    index, _ = open_index(settings)
    hits = index.search(args.query, k=args.k)
    if args.json:
        print(json.dumps([asdict(h) for h in hits], indent=2))
        return 0
    if not hits:
        print("no results")
    for rank, hit in enumerate(hits, 1):
        print(
            f"{rank}. {hit.article_id} › {hit.heading}  (score {hit.score:.4f}, similarity {hit.dense:.2f}, bm25 {hit.bm25:.2f})"
        )
        print(f"   {hit.snippet}")
    return 0


def _gaps(args: argparse.Namespace, settings: Settings) -> int:
    events = GapLog(open_database(settings.database_url)).since(args.since)
    if not events:
        print(f"no knowledge-gap events in the last {args.since:g} days")
        return 0
    index, _ = open_index(settings)
    clusters = cluster_gaps(events, index.encoder, index, threshold=args.threshold)
    if args.json:
        print(json.dumps([asdict(c) for c in clusters], indent=2))
        return 0
    print(f"{len(events)} events in the last {args.since:g} days, {len(clusters)} groups (largest first):\n")
    for rank, cluster in enumerate(clusters, 1):
        kinds = ", ".join(f"{k} {n}" for k, n in cluster.kinds.items())
        closest = f"{cluster.closest_article_id} ({cluster.closest_similarity:.2f})" if cluster.closest_article_id else "none"
        print(f"{rank}. {cluster.size} × [{kinds}]  intents: {', '.join(cluster.intents)}  closest article: {closest}")
        for example in cluster.examples:
            print(f"     “{example[:140]}”")
    return 0


SUBCOMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "check": _check,
    "index": _index,
    "search": _search,
    "import": kb_import.run,
    "gaps": _gaps,
}
