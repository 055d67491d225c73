"""What every importer hands the import: source articles in one shape, whatever the help centre."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal


class ExportError(Exception):
    """The export cannot be read at all (not JSON, the wrong shape, no such file): nothing is written."""


@dataclass(frozen=True)
class SourceArticle:
    system: str  # the importer's name: zendesk, intercom, folder
    id: str  # stable in the source system: a re-import updates the article with this id
    title: str
    body: str
    body_format: Literal["html", "markdown"]
    position: str  # where it is in the export, for messages: "articles[3]", "line 4", "guides/setup.html"
    url: str = ""  # its address in the help centre
    base: str = ""  # what its relative links and images are relative to: the URL, or the file's path in a folder
    updated: dt.date | None = None
    draft: bool = False
    intro: str = ""  # a summary shown under the title (Intercom's description)
    name: str = ""  # what its article id is made from, when not the title (a folder's file name)


@dataclass(frozen=True)
class SourceProblem:
    """One article that cannot be imported as it is; the rest of the export still is."""

    position: str
    message: str

    def __str__(self) -> str:
        return f"{self.position}: {self.message}"


@dataclass(frozen=True)
class Export:
    articles: tuple[SourceArticle, ...]
    problems: tuple[SourceProblem, ...] = ()


@dataclass(frozen=True)
class Importer:
    """One help-centre format, registered by name in `knowledge.importers.IMPORTERS`."""

    name: str
    recognises: Callable[[Path], bool]  # for `--from` left out: is this export in my format?
    read: Callable[[Path], Export]  # ExportError when the whole export is unusable; a bad article is a SourceProblem
    link_keys: Callable[[str, SourceArticle], tuple[str, ...]]  # what a link in that article may point at
