"""One replay session: the baseline policy, the variant (`--set`, `--tier`) and a sweep, each replayed on
the same tickets with the same batched readings, summed up into one `ReplayResult`."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from bot.core.policy import Policy
from bot.history.tickets import HistoricalTicket
from bot.replay import whatif
from bot.replay.engine import Progress, Replayer
from bot.replay.labels import DEFINITION, TicketLabel, label_tickets
from bot.replay.result import (
    ReplayResult,
    RunSummary,
    SweepPoint,
    SweepResult,
    TicketDecision,
    TicketRow,
    Timing,
    summarise,
    sweep_point,
)

Bars = Callable[[str, int], AbstractContextManager[Progress | None]]  # a progress bar: description, total → update


@dataclass(frozen=True)
class WhatIf:
    settings: tuple[whatif.Setting, ...] = ()
    tiers: tuple[whatif.TierSetting, ...] = ()
    sweep: whatif.Sweep | None = None

    @property
    def changes(self) -> bool:
        return bool(self.settings or self.tiers)


@dataclass(frozen=True)
class Source:
    """Where the tickets, model and policy came from, for the report's headline."""

    name: str
    skipped: int
    model: str
    policy: str


def _no_bar(description: str, total: int) -> AbstractContextManager[Progress | None]:
    return nullcontext(None)


def describe_changes(baseline: Policy, what: WhatIf, tier_of: Callable[[str], str]) -> list[str]:
    changes = [f"{s.key} {whatif.current(baseline, s.key)!r} → {s.value!r}" for s in what.settings]
    changes += [f"tier {t.intent} {tier_of(t.intent)} → {t.tier}" for t in what.tiers]
    return changes


class Session:
    def __init__(
        self, replayer: Replayer, tickets: Sequence[HistoricalTicket], batched: bool = True, bars: Bars | None = None
    ) -> None:
        self.replayer = replayer
        self.tickets = tickets
        self.batched = batched
        self.bars = bars or _no_bar
        self.classify_seconds = 0.0
        self.replays = 0

    def prepare(self) -> None:
        if self.batched:
            with self.bars("classifying", len(self.tickets)) as update:
                self.classify_seconds = self.replayer.prepare(self.tickets, update)

    def run(self, name: str, policy: Policy) -> tuple[list[TicketDecision], float]:
        started = time.perf_counter()
        with self.bars(name, len(self.tickets)) as update:
            decisions = self.replayer.replay(policy, self.tickets, self.batched, update)
        self.replays += 1
        return decisions, time.perf_counter() - started


def replay_history(
    replayer: Replayer,
    tickets: Sequence[HistoricalTicket],
    baseline: Policy,
    what: WhatIf,
    source: Source,
    batched: bool = True,
    bars: Bars | None = None,
) -> ReplayResult:
    started = time.perf_counter()
    session = Session(replayer, tickets, batched, bars)
    tier_of = replayer.tiers(baseline).tier
    labels = label_tickets(tickets, replayer.intents, tier_of)
    session.prepare()
    base_decisions, seconds = session.run("baseline", baseline)
    base = summarise("baseline", [], base_decisions, labels, seconds)
    variant, variant_decisions = None, None
    start_from, start_summary = baseline, base
    if what.changes:
        policy = whatif.apply(baseline, what.settings, what.tiers)
        variant_decisions, seconds = session.run("variant", policy)
        variant = summarise("variant", describe_changes(baseline, what, tier_of), variant_decisions, labels, seconds)
        start_from, start_summary = policy, variant
    sweep = _sweep(session, what.sweep, start_from, start_summary, labels) if what.sweep else None
    rows = tuple(
        TicketRow(
            t.ticket_id,
            label.category,
            label.needed_work,
            d.intent,
            d.confidence,
            d.describe(),
            variant_decisions[i].describe() if variant_decisions else None,
        )
        for i, (t, label, d) in enumerate(zip(tickets, labels, base_decisions, strict=True))
    )
    changed = sum(r.baseline != r.variant for r in rows) if variant_decisions else 0
    n = max(len(tickets), 1)
    timing = Timing(
        tickets=len(tickets),
        batched=batched,
        classify_seconds=round(session.classify_seconds, 2),
        replays=session.replays,
        seconds=round(time.perf_counter() - started, 2),
        per_1000_seconds=round((session.classify_seconds + base.seconds) / n * 1000, 1),
    )
    return ReplayResult(
        source=source.name,
        tickets=len(tickets),
        skipped=source.skipped,
        model=source.model,
        policy=source.policy,
        definition=DEFINITION,
        baseline=base,
        variant=variant,
        changed=changed,
        sweep=sweep,
        timing=timing,
        rows=rows,
    )


def _sweep(
    session: Session, sweep: whatif.Sweep, policy: Policy, summary: RunSummary, labels: Sequence[TicketLabel]
) -> SweepResult:
    """One replay per value; the policy's own value is the run already made (added if not on the grid)."""
    now = whatif.current(policy, sweep.key)
    current = float(now) if isinstance(now, int | float) and not isinstance(now, bool) else None
    points: list[SweepPoint] = []
    for value in sweep.values:
        if current is not None and abs(value - current) < 1e-9:
            points.append(sweep_point(value, summary, True))
            continue
        name = f"{sweep.key}={value:g}"
        changed = whatif.with_value(policy, sweep.key, value, f"--sweep {name}")
        decisions, seconds = session.run(name, changed)
        points.append(sweep_point(value, summarise(name, [name], decisions, labels, seconds), False))
    if current is not None and not any(p.current for p in points):
        points.append(sweep_point(current, summary, True))
    return SweepResult(sweep.key, current, tuple(sorted(points, key=lambda p: p.value)))
