"""Bringing a help centre's articles into this knowledge base (`supportbot kb import`).

One module per source format, registered by name in IMPORTERS; `knowledge.importers.importing` turns
what they read into article files. A new format is one module and one line here.
"""

from __future__ import annotations

from pathlib import Path

from knowledge.importers import folder, intercom, zendesk
from knowledge.importers.types import ExportError, Importer

IMPORTERS: dict[str, Importer] = {i.name: i for i in (zendesk.IMPORTER, intercom.IMPORTER, folder.IMPORTER)}


def detect(source: Path) -> Importer:
    """The importer whose format this is (for `--from` left out); ExportError when none or several claim it."""
    if not source.exists():
        raise ExportError(f"{source}: no such file or folder")
    claims = [importer for importer in IMPORTERS.values() if importer.recognises(source)]
    if len(claims) != 1:
        names = "|".join(IMPORTERS)
        raise ExportError(f"{source}: cannot tell which help centre this export is from; pass --from {names}")
    return claims[0]
