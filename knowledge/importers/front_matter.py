"""Writing an imported article's file: front matter in the bundled articles' order and style, then the body."""

from __future__ import annotations

import yaml

ORDER = ("id", "title", "intents", "audience", "conditions", "last_reviewed", "owner", "questions", "source")
_BLOCK_STYLE = frozenset({"conditions", "questions", "source"})  # one item a line; other lists on one line


def article_text(meta: dict[str, object], body: str) -> str:
    keys = [k for k in ORDER if k in meta] + [k for k in meta if k not in ORDER]
    lines = [
        yaml.safe_dump(
            {key: meta[key]},
            sort_keys=False,
            allow_unicode=True,
            width=1000,
            default_flow_style=None if isinstance(meta[key], list) and key not in _BLOCK_STYLE else False,
        )
        for key in keys
    ]
    return "---\n" + "".join(lines) + "---\n" + body.strip() + "\n"
