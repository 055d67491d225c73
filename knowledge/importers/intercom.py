"""Intercom Articles: the API's article list (`GET /articles`: `{"type": "list", "data": [...]}`), a
plain list, or one article per line. Drafts are `state: draft`; `updated_at` is Unix seconds."""

from __future__ import annotations

from pathlib import Path

from knowledge.importers.json_export import Fields, date, first_record, read_articles, text
from knowledge.importers.links import help_centre_link_keys
from knowledge.importers.types import Export, Importer, SourceArticle

NAME = "intercom"


def recognises(source: Path) -> bool:
    data = first_record(source) if source.is_file() else None
    if isinstance(data, dict):
        return data.get("type") == "list" and isinstance(data.get("data"), list)
    return (
        isinstance(data, list)
        and bool(data)
        and isinstance(data[0], dict)
        and (data[0].get("type") == "article" or "parent_id" in data[0])
    )


def read(source: Path) -> Export:
    return read_articles(source, ("data",), _article)


def _article(fields: Fields) -> SourceArticle:
    url = text(fields.record, "url")
    return SourceArticle(
        system=NAME,
        id=fields.id,
        title=fields.title,
        body=fields.body,
        body_format="html",
        position=fields.where,
        url=url,
        base=url,
        updated=date(fields.record.get("updated_at")),
        draft=text(fields.record, "state") not in ("", "published"),
        intro=text(fields.record, "description"),
    )


IMPORTER = Importer(NAME, recognises, read, help_centre_link_keys)
