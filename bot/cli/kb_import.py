"""`supportbot kb import`: a help centre's articles (Zendesk Guide, Intercom, a folder of HTML or Markdown)
as this knowledge base's Markdown, with no intents: retrieval answers them until intents are added
(`supportbot kb check` suggests some from the model)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import Settings
from bot.kb_suggest import IntentSuggester
from bot.knowledge_service import open_index
from knowledge.importers import IMPORTERS, detect
from knowledge.importers.importing import ImportOptions, import_export
from knowledge.importers.types import ExportError

HELP = "import a help-centre export (Zendesk Guide, Intercom, a folder of HTML/Markdown) as articles"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", type=Path, help="the export: a JSON/JSON-lines file, or a folder")
    parser.add_argument("--from", dest="system", choices=sorted(IMPORTERS), help="its format (default: recognised from the file)")
    parser.add_argument("--out", type=Path, help="where the articles go (default: SUPPORTBOT_KB_DIR)")
    parser.add_argument("--owner", default="imported", help="the articles' owner field (default: imported)")
    parser.add_argument("--include-drafts", action="store_true", help="import draft articles too")
    parser.add_argument("--force", action="store_true", help="overwrite articles edited by hand since the last import")
    parser.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")
    parser.add_argument("--suggest-intents", action="store_true", help="fill in the model's intent where it is confident")
    parser.add_argument("--index", action="store_true", help="update the search index afterwards")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when every article was handled, 1 when some could not be imported (listed), 2 when the
    export cannot be read at all (then nothing is written)."""
    out = args.out or settings.kb_dir
    suggester = IntentSuggester.load(settings.model_dir) if args.suggest_intents else None
    options = ImportOptions(
        out_dir=out,
        owner=args.owner,
        include_drafts=args.include_drafts,
        force=args.force,
        dry_run=args.dry_run,
        suggest_intent=suggester.confident_intent if suggester else None,
    )
    try:
        importer = IMPORTERS[args.system] if args.system else detect(args.source)
        report = import_export(importer, args.source, options)
    except ExportError as exc:
        print(f"supportbot: error: {exc} (nothing imported)", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    if args.index and not args.dry_run:
        index, update = open_index(settings.model_copy(update={"kb_dir": out}), progress=True)
        print(f"indexed {len(index.kb.articles)} articles: {len(update.added)} added, {len(update.changed)} changed")
    elif report.written and not args.dry_run:
        print(f"next: `supportbot kb check --kb-dir {out}` (intent suggestions), then `supportbot kb index --kb-dir {out}`")
    return 1 if report.problems else 0
