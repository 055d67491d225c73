"""Articles an earlier import wrote: found by their `source` (system and id), so a re-import updates
them in place, and checked against `source.hash` to tell whether someone has edited them since."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.article import Source, parse_source, split_front_matter
from knowledge.base import article_files


@dataclass(frozen=True)
class ImportedFile:
    path: Path
    meta: dict[str, object]  # its front matter as it is now (intents and questions added by hand are kept)
    source: Source
    body: str

    @property
    def edited(self) -> bool:
        return body_hash(self.body) != self.source.hash


@dataclass(frozen=True)
class Existing:
    by_source_id: dict[str, ImportedFile]  # this system's imported articles
    taken: set[str]  # every article id in the directory, imported or not


def body_hash(body: str) -> str:
    """Of the Markdown body as written; surrounding blank lines do not count (editors add them)."""
    return hashlib.sha256(body.strip().encode("utf-8")).hexdigest()[:16]


def find_existing(directory: Path, system: str) -> Existing:
    """Read leniently: a file that no longer passes `kb check` is still matched, never duplicated."""
    files = article_files(directory) if directory.is_dir() else []
    found: dict[str, ImportedFile] = {}
    for path in files:
        try:
            parts = split_front_matter(path.read_text(encoding="utf-8"))
            meta = yaml.safe_load(parts[0]) if parts else None
        except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError, TypeError, AttributeError, RecursionError):
            continue
        source = parse_source(meta.get("source")) if isinstance(meta, dict) else None
        if parts and isinstance(meta, dict) and source is not None and source.system == system:
            found.setdefault(source.id, ImportedFile(path, meta, source, parts[1]))
    return Existing(found, {p.stem for p in files})
