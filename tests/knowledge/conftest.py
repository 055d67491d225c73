"""Knowledge fixtures: the bundled articles indexed once with the real packaged encoder."""

from __future__ import annotations

from pathlib import Path

ARTICLE = """\
---
id: {id}
title: {title}
intents: [{intent}]
audience: customer
last_reviewed: 2026-11-01
owner: support-ops
---
# {title}

{intro}

## Steps
1. {step}
2. Click **Save**.

## Related
- [Other](other.md)
"""


def write_article(directory: Path, id: str, title: str, intent: str, intro: str, step: str) -> Path:
    path = directory / f"{id}.md"
    text = ARTICLE.format(id=id, title=title, intent=intent, intro=intro, step=step)
    path.write_text(text.replace("- [Other](other.md)\n", ""), encoding="utf-8")
    return path
