"""What an import did, printed at its end: counts, each article by id, and every problem by its position."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.importers.html_to_markdown import Image
from knowledge.importers.types import SourceProblem


@dataclass(frozen=True)
class ImportReport:
    system: str
    source: Path
    out_dir: Path
    dry_run: bool
    imported: tuple[str, ...] = ()  # new article ids
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()  # changed in the source but edited by hand here: not overwritten without --force
    skipped: tuple[SourceProblem, ...] = ()  # by design: drafts, empty bodies
    problems: tuple[SourceProblem, ...] = ()  # bad articles in the export: skipped, the rest imported
    notes: tuple[SourceProblem, ...] = ()  # links that could not be kept as links
    links_rewritten: int = 0  # to articles of this knowledge base
    external_links: int = 0  # kept, absolute
    images: tuple[tuple[str, Image], ...] = ()  # (article id, image): noted in the text, never downloaded
    gone: tuple[str, ...] = ()  # imported before, no longer (published) in the export: kept
    suggested: tuple[tuple[str, str], ...] = ()  # (article id, intent) filled in by --suggest-intents

    @property
    def written(self) -> int:
        return len(self.imported) + len(self.updated)

    def lines(self) -> list[str]:
        head = f"{self.system} export {self.source} → {self.out_dir}" + (" (dry run: nothing written)" if self.dry_run else "")
        out = [head]
        for label, ids in (
            ("imported", self.imported),
            ("updated", self.updated),
            ("unchanged", self.unchanged),
            ("kept: edited by hand since the last import (--force overwrites)", self.kept),
        ):
            out.append(f"  {label}: {len(ids)}" + (f" ({_some(ids)})" if ids else ""))
        out.append(f"  skipped: {len(self.skipped)}")
        out += [f"    {s}" for s in self.skipped]
        out.append(f"  links: {self.links_rewritten} rewritten to articles here, {self.external_links} external kept")
        out.append(f"  images noted (not downloaded): {len(self.images)}")
        out += [f"    {article}: {image.alt + ' — ' if image.alt else ''}{image.src}" for article, image in self.images]
        if self.suggested:
            out.append("  intents suggested by the model: " + ", ".join(f"{a} → {i}" for a, i in self.suggested))
        if self.gone:
            out.append(f"  imported before, not published in this export (kept; delete if gone for good): {_some(self.gone)}")
        if self.notes:
            out.append(f"  notes: {len(self.notes)}")
            out += [f"    {n}" for n in self.notes]
        if self.problems:
            out.append(f"  problems: {len(self.problems)} article(s) not imported")
            out += [f"    {p}" for p in self.problems]
        return out


def _some(ids: tuple[str, ...], most: int = 10) -> str:
    return ", ".join(ids[:most]) + (f", … {len(ids) - most} more" if len(ids) > most else "")
