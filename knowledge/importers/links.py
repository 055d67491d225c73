"""How a link in an export is matched to an imported article: both sides become keys, `id:…` or `url:…`.

An article is known by its source id and its help-centre address; a link yields the keys it may mean
(its absolute address, and the id inside a `/articles/123-title` path, since help centres link the same
article under several slugs and locales).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from knowledge.importers.types import SourceArticle

_ARTICLE_ID_IN_PATH = re.compile(r"/articles/(\d+)(?:[-/]|$)")


def normalize_url(url: str) -> str:
    """Scheme and host lower-cased; no query, fragment or trailing slash."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


def article_keys(source_id: str, url: str) -> tuple[str, ...]:
    return (f"id:{source_id}", f"url:{normalize_url(url)}") if url else (f"id:{source_id}",)


def help_centre_link_keys(href: str, article: SourceArticle) -> tuple[str, ...]:
    """Zendesk Guide and Intercom: the link's absolute address, and the article id in its path."""
    absolute = urljoin(article.base, href.strip())
    if not urlsplit(absolute).netloc:
        return ()
    keys = [f"url:{normalize_url(absolute)}"]
    if match := _ARTICLE_ID_IN_PATH.search(urlsplit(absolute).path):
        keys.append(f"id:{match.group(1)}")
    return tuple(keys)


def folder_link_keys(href: str, article: SourceArticle) -> tuple[str, ...]:
    """A folder: a relative link names another file, relative to the linking file."""
    parts = urlsplit(href.strip())
    if parts.scheme or parts.netloc or not parts.path:
        return ()
    return (f"id:{unquote(urlsplit(urljoin(article.base, parts.path)).path).lstrip('/')}",)
