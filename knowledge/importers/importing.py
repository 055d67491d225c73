"""From an export to article files: ids, links, front matter, and the rules for importing again.

All or nothing only where it has to be: an export that cannot be read at all writes nothing
(ExportError); an article that cannot be imported (no id, no title) is skipped and reported, and the
rest are written, each file atomically. Importing again finds earlier articles by `source.id` and
- leaves alone those whose imported text is the same (unchanged);
- never overwrites one whose body was edited by hand since (it no longer matches `source.hash`), unless
  `force`;
- otherwise updates title, body and `source`, keeping what people curate here: id (links point at it),
  intents, questions, audience, conditions, owner, and a later `last_reviewed`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from knowledge.importers.existing import Existing, ImportedFile, body_hash, find_existing
from knowledge.importers.front_matter import article_text
from knowledge.importers.html_to_markdown import Conversion, Image, html_to_markdown
from knowledge.importers.links import article_keys
from knowledge.importers.markdown_source import markdown_to_markdown
from knowledge.importers.report import ImportReport
from knowledge.importers.slugs import slugify, unique
from knowledge.importers.types import Importer, SourceArticle, SourceProblem

CONVERTERS: dict[str, Callable[..., Conversion]] = {"html": html_to_markdown, "markdown": markdown_to_markdown}


@dataclass(frozen=True)
class ImportOptions:
    out_dir: Path
    owner: str = "imported"
    include_drafts: bool = False
    force: bool = False
    dry_run: bool = False
    today: dt.date | None = None  # last_reviewed when the export has no date
    suggest_intent: Callable[[str, str], str | None] | None = None  # (title, body) → an intent to fill in, or None


def import_export(importer: Importer, source: Path, options: ImportOptions) -> ImportReport:
    export = importer.read(source)  # ExportError: nothing written
    run = _Run(importer, options, find_existing(options.out_dir, importer.name))
    run.problems += export.problems
    chosen = run.choose(export.articles)
    slugs = run.assign_ids(chosen)
    links = {key: slugs[a.id] for a in chosen for key in article_keys(a.id, a.url)}
    for old in run.existing.by_source_id.values():
        for key in article_keys(old.source.id, old.source.url):
            links.setdefault(key, old.path.stem)
    for article in chosen:
        run.write(article, slugs[article.id], links)
    return run.report(importer.name, source)


@dataclass
class _Run:
    importer: Importer
    options: ImportOptions
    existing: Existing
    problems: list[SourceProblem] = field(default_factory=list)
    skipped: list[SourceProblem] = field(default_factory=list)
    notes: list[SourceProblem] = field(default_factory=list)
    outcome: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in ("imported", "updated", "unchanged", "kept")})
    handled: set[str] = field(default_factory=set)  # source ids this run imported or left as they are
    internal: int = 0
    external: int = 0
    images: list[tuple[str, Image]] = field(default_factory=list)
    suggested: list[tuple[str, str]] = field(default_factory=list)

    def choose(self, articles: tuple[SourceArticle, ...]) -> list[SourceArticle]:
        """Published articles with text, once each (the first of repeated ids, e.g. other locales)."""
        chosen, seen = [], set()
        for article in articles:
            if article.id in seen:
                self.problems.append(SourceProblem(article.position, "the same article id again (another locale?): skipped"))
            elif article.draft and not self.options.include_drafts:
                self.skipped.append(SourceProblem(article.position, "draft (--include-drafts imports drafts)"))
            elif not (_convert(article).markdown or article.intro):
                self.skipped.append(SourceProblem(article.position, "empty body"))
            else:
                chosen.append(article)
            seen.add(article.id)
        return chosen

    def assign_ids(self, chosen: list[SourceArticle]) -> dict[str, str]:
        """An earlier import's id stays (links point at it); a new article gets a unique slug."""
        taken = set(self.existing.taken)
        slugs = {a.id: self.existing.by_source_id[a.id].path.stem for a in chosen if a.id in self.existing.by_source_id}
        for article in chosen:
            if article.id not in slugs:
                slugs[article.id] = unique(slugify(article.name or article.title), taken)
        return slugs

    def write(self, article: SourceArticle, slug: str, links: dict[str, str]) -> None:
        conversion = _convert(article, lambda href: self._link(href, article, links), lambda src: urljoin(article.base, src))
        self.images += [(slug, image) for image in conversion.images]
        body = "\n\n".join(part for part in (f"# {article.title}", article.intro, conversion.markdown) if part)
        digest = body_hash(body)
        reviewed = article.updated or self.options.today or dt.date.today()
        source = {"system": article.system, "id": article.id, "url": article.url, "hash": digest}
        if not article.url:
            del source["url"]
        old = self.existing.by_source_id.get(article.id)
        self.handled.add(article.id)
        if old is None:
            meta = {"id": slug, "title": article.title, "intents": [], "audience": "customer", "last_reviewed": reviewed}
            meta |= {"owner": self.options.owner, "source": source}
            self._save(self.options.out_dir / f"{slug}.md", meta, body, "imported")
        elif old.source.hash == digest and old.source.url == article.url and not (old.edited and self.options.force):
            self.outcome["unchanged"].append(slug)
        elif old.edited and not self.options.force:
            self.outcome["kept"].append(slug)
        else:
            meta = {**old.meta, "title": article.title, "last_reviewed": _later(old, reviewed), "source": source}
            self._save(old.path, meta, body, "updated")

    def _save(self, path: Path, meta: dict[str, object], body: str, outcome: str) -> None:
        suggest = self.options.suggest_intent
        if suggest is not None and not meta.get("intents") and (intent := suggest(str(meta["title"]), body)):
            meta["intents"] = [intent]
            self.suggested.append((path.stem, intent))
        self.outcome[outcome].append(path.stem)
        if not self.options.dry_run:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".tmp")  # not *.md: never loaded half-written
            partial.write_text(article_text(meta, body), encoding="utf-8")
            partial.replace(path)

    def _link(self, href: str, article: SourceArticle, links: dict[str, str]) -> str | None:
        if href.startswith("#"):
            return None  # an anchor in the source page: its ids do not survive the conversion
        if urlsplit(href).scheme.lower() in ("mailto", "tel"):
            self.external += 1
            return href
        for key in self.importer.link_keys(href, article):
            if key in links:
                self.internal += 1
                return f"{links[key]}.md"
        absolute = urljoin(article.base, href)
        if urlsplit(absolute).scheme in ("http", "https"):
            self.external += 1
            return absolute
        self.notes.append(SourceProblem(article.position, f"link to '{href}': not an article of this import, kept as text"))
        return None

    def report(self, system: str, source: Path) -> ImportReport:
        gone = sorted(f.path.stem for sid, f in self.existing.by_source_id.items() if sid not in self.handled)
        return ImportReport(
            system=system,
            source=source,
            out_dir=self.options.out_dir,
            dry_run=self.options.dry_run,
            imported=tuple(self.outcome["imported"]),
            updated=tuple(self.outcome["updated"]),
            unchanged=tuple(self.outcome["unchanged"]),
            kept=tuple(self.outcome["kept"]),
            skipped=tuple(self.skipped),
            problems=tuple(self.problems),
            notes=tuple(self.notes),
            links_rewritten=self.internal,
            external_links=self.external,
            images=tuple(self.images),
            gone=tuple(gone),
            suggested=tuple(self.suggested),
        )


def _convert(
    article: SourceArticle, link: Callable[[str], str | None] | None = None, image_src: Callable[[str], str] = str
) -> Conversion:
    convert = CONVERTERS[article.body_format]
    return convert(article.body, link or (lambda href: href), image_src, article.title)


def _later(old: ImportedFile, reviewed: dt.date) -> dt.date:
    """A review recorded here after the source's last change is not undone by importing again."""
    current = old.meta.get("last_reviewed")
    current = current.date() if isinstance(current, dt.datetime) else current
    return max(current, reviewed) if isinstance(current, dt.date) else reviewed
