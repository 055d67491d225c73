"""What a category of sample tickets is made of: how customers ask, and how agents answer.

Routine categories are answered with a macro (the agent pastes it and changes a word or two), so they
look automatable in an audit. Judgment categories get replies composed from case-specific parts, so no two
read alike. Texts may use the placeholders filled in by `generate.fill`.
"""

from __future__ import annotations

from dataclasses import dataclass

# Share of free, team, business and enterprise customers writing in about a category.
DEFAULT_PLANS = (0.34, 0.36, 0.22, 0.08)
PAID_PLANS = (0.0, 0.52, 0.36, 0.12)


@dataclass(frozen=True)
class Category:
    name: str  # the value in the export's category column
    count: int  # tickets in the shipped sample
    judgment: bool  # bespoke replies, slower resolution, lower satisfaction
    subjects: tuple[str, ...]
    quick: tuple[str, ...]  # one-line chat messages (routine only: a judgment chat is the start of an ask)
    asks: tuple[str, ...]  # the request in a sentence or a few
    details: tuple[str, ...]  # extra context that longer messages add
    tags: tuple[str, ...]
    replies: tuple[str, ...]  # routine: the macro (a second one replaced it mid-quarter); judgment: openings
    reply_middles: tuple[str, ...] = ()  # judgment: the case-specific part
    reply_closers: tuple[str, ...] = ()  # judgment: next steps
    answers: tuple[int, ...] = ()  # judgment: which of reply_middles answers each of asks
    plans: tuple[float, float, float, float] = DEFAULT_PLANS
    team: str = "support"  # support, billing or accounts: who picks these up
    no_reply: float = 0.03  # share answered by nobody (duplicates, solved by the customer)

    def __post_init__(self) -> None:
        if self.judgment:
            assert len(self.answers) == len(self.asks), f"{self.name}: one answer per ask"
            assert all(0 <= i < len(self.reply_middles) for i in self.answers), f"{self.name}: answer out of range"
