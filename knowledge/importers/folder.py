"""A folder of pages: `.html`/`.htm` (a saved or exported help site) and `.md` files, in any sub-folders.

The title is the page's first `<h1>` (else `<title>`) or the Markdown's `title:` / first `# ` line; the
article id comes from the file name; relative links between the files become article links.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import yaml

from knowledge.article import split_front_matter
from knowledge.importers.html_to_markdown import page_title
from knowledge.importers.json_export import date
from knowledge.importers.links import folder_link_keys
from knowledge.importers.types import Export, ExportError, Importer, SourceArticle, SourceProblem

NAME = "folder"
SUFFIXES: dict[str, Literal["html", "markdown"]] = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}


def recognises(source: Path) -> bool:
    return source.is_dir()


def read(source: Path) -> Export:
    if not source.is_dir():
        raise ExportError(f"{source}: not a folder")
    files = sorted(
        p
        for p in source.rglob("*")
        if p.suffix.lower() in SUFFIXES and p.is_file() and not any(part.startswith(".") for part in p.relative_to(source).parts)
    )
    if not files:
        raise ExportError(f"{source}: no .html, .htm or .md files in it")
    articles, problems = [], []
    for path in files:
        relative = path.relative_to(source).as_posix()
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(SourceProblem(relative, f"unreadable ({exc}): skipped"))
            continue
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).date()
        if SUFFIXES[path.suffix.lower()] == "html":
            title, body, updated, draft = page_title(text), text, modified, False
        else:
            title, body, updated, draft = _markdown_parts(text, modified)
        articles.append(
            SourceArticle(
                system=NAME,
                id=relative,
                title=title or path.stem.replace("-", " ").replace("_", " ").strip().capitalize() or path.stem,
                body=body,
                body_format=SUFFIXES[path.suffix.lower()],
                position=relative,
                base=relative,
                updated=updated,
                draft=draft,
                name=path.stem,
            )
        )
    return Export(tuple(articles), tuple(problems))


def _markdown_parts(text: str, modified: dt.date) -> tuple[str, str, dt.date, bool]:
    """(title, body, updated, draft) from optional front matter (a static-site generator's or ours)."""
    meta: object = None
    parts = split_front_matter(text)
    if parts is not None:
        try:
            meta = yaml.safe_load(parts[0])
        except (yaml.YAMLError, ValueError, TypeError, AttributeError, RecursionError):
            meta = None
        text = parts[1]
    fields = meta if isinstance(meta, dict) else {}
    title = str(fields.get("title") or "").strip()
    if not title:
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), "")
    updated = next((d for k in ("last_reviewed", "updated", "lastmod", "date") if (d := _day(fields.get(k)))), modified)
    return title, text, updated, fields.get("draft") is True


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else date(value) if isinstance(value, str) else None


IMPORTER = Importer(NAME, recognises, read, folder_link_keys)
