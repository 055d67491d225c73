"""Zendesk Guide: the Help Center API's articles (`GET /api/v2/help_center/articles.json`), saved as the
API returns them (`{"articles": [...]}`), as a plain list, or one article per line (JSON lines)."""

from __future__ import annotations

from pathlib import Path

from knowledge.importers.json_export import Fields, date, first_record, read_articles, text
from knowledge.importers.links import help_centre_link_keys
from knowledge.importers.types import Export, Importer, SourceArticle

NAME = "zendesk"


def recognises(source: Path) -> bool:
    data = first_record(source) if source.is_file() else None
    if isinstance(data, dict):
        return isinstance(data.get("articles"), list)
    return isinstance(data, list) and bool(data) and isinstance(data[0], dict) and "html_url" in data[0]


def read(source: Path) -> Export:
    return read_articles(source, ("articles",), _article)


def _article(fields: Fields) -> SourceArticle:
    url = text(fields.record, "html_url")
    return SourceArticle(
        system=NAME,
        id=fields.id,
        title=fields.title,
        body=fields.body,
        body_format="html",
        position=fields.where,
        url=url,
        base=url,
        updated=date(fields.record.get("updated_at") or fields.record.get("edited_at")),
        draft=fields.record.get("draft") is True,
    )


IMPORTER = Importer(NAME, recognises, read, help_centre_link_keys)
