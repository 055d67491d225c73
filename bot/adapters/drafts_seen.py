"""The drafts an adapter posted, as written, so its Edit modal starts from the draft itself rather
than from the platform's rendering of it (bounded: the oldest are forgotten)."""

from __future__ import annotations

from collections import OrderedDict

from bot.core.events import DraftCard


class DraftsSeen:
    def __init__(self, keep: int = 1000) -> None:
        self.keep = keep
        self._texts: OrderedDict[int, str] = OrderedDict()

    def remember(self, card: DraftCard) -> None:
        self._texts[card.draft_id] = str(card.draft_text)
        while len(self._texts) > self.keep:
            self._texts.popitem(last=False)

    def get(self, draft_id: int, default: str = "") -> str:
        return self._texts.get(draft_id, default)
