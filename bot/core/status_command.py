"""`/status`: the bot at a glance — model, knowledge base, answer gate, tiers, triggers, thresholds, the
agents' queue and the outbox (sends still pending, and those given up after repeated failures)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.core.admin import arguments, command, threshold_value
from bot.core.policy import TIERS
from bot.core.tiers import THRESHOLDS
from bot.core.triggers import TRIGGERS
from bot.storage.tables import aware, utcnow

if TYPE_CHECKING:
    from bot.core.app import SupportBot
    from bot.core.events import Person


@command("status")
async def _status(bot: SupportBot, admin: Person, args: list[str]) -> str:
    """status — model, knowledge base, tiers, triggers, thresholds and queue at a glance."""
    arguments(args, 0, "/status")
    manifest = bot.services.classifier.manifest
    tiers = bot.tiers.all()
    counts = {t: sum(1 for v in tiers.values() if v == t) for t in TIERS}
    uptime = dt.timedelta(seconds=int(utcnow().timestamp() - bot.started))
    open_tickets = await bot.db(bot.store.open_tickets)
    pending = await bot.db(bot.store.pending_drafts)
    switches = ", ".join(f"{n} {'on' if t.enabled(bot.policy) else 'off'}" for n, t in TRIGGERS.items())
    thresholds = ", ".join(f"{n} {threshold_value(bot, n)}" for n in THRESHOLDS)
    return "\n".join(
        [
            f"up {uptime}",
            f"model: {len(bot.tiers.intents)} intents, out-of-scope scorer {manifest.ood.scorer}, "
            f"temperature {manifest.temperature:.2f}",
            f"knowledge base: {len(bot.services.index.kb.articles)} articles",
            _gate_line(bot),
            "tiers: " + ", ".join(f"{t} {n}" for t, n in counts.items()),
            f"triggers: {switches}",
            f"thresholds: {thresholds}",
            f"queue: {len(open_tickets)} open tickets, {len(pending)} drafts awaiting review",
            *await _outbox_lines(bot),
            *bot.describe_setup(),
        ]
    )


def _gate_line(bot: SupportBot) -> str:
    """The answer gate's operating point for the current budget, as its validation questions priced it."""
    gate = bot.services.resolver.gate
    if gate is None or not bot.policy.answer.enabled:
        return "answer gate: off (the intent's own articles are trusted)"
    budget = bot.policy.answer.max_wrong_rate
    threshold = gate.threshold_for(budget)
    point = gate.point(threshold)
    priced = f" (validation: {point.right:.0%} answered right, {point.wrong:.1%} wrong)" if point else ""
    return f"answer gate: assurance ≥ {threshold:.3f} for a {budget:.1%} wrong-answer budget{priced}"


async def _outbox_lines(bot: SupportBot) -> list[str]:
    """Sends waiting for a retry, and those given up (each also announced to the agents when it happened)."""
    counts, failed = await bot.db(bot.store.outbox_health)
    lines = [f"outbox: {counts['pending']} pending, {counts['failed']} failed"]
    for item in failed:
        where = f"conversation #{item.conversation_id}" if item.conversation_id else "agents' room"
        when = aware(item.created_at).strftime("%Y-%m-%d %H:%M")
        error = item.last_error or "unknown error"
        lines.append(f"  failed #{item.id}: {item.kind} to {where}, {item.attempts} tries, {error}, {when}")
    return lines
