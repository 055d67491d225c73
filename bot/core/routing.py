"""Which agent or group a new ticket names on its card, and why.

`route` is a pure function of the ticket's issue, the roster, the clock and the desk's workload:
1. skill: agents whose intents (their own or their groups') include the issue and who speak the
   customer's language (when it is known);
2. available: inside their working hours (in their time zone) and under their cap on open tickets;
3. least loaded: fewest open tickets (claimed by them, or unclaimed and routed to them);
4. round-robin: of those, the one routed to least recently.
No skilled agent available: the group that handles the issue (its mention); no group: nobody, and
the card says so. The workload is read from the tickets themselves (`workload`), in the transaction
that opens the ticket, so every process on the database agrees on whose turn it is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.core.roster import Agent, Group, Roster
from bot.core.states import OPEN_TICKET, TicketState
from bot.core.text import Span, mention
from bot.core.turn import PastTurn, typed
from bot.storage.tables import Ticket, aware

NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)
GROUP_PREFIX = "group:"  # Ticket.routed_to for a group; an agent is their platform:user_id


@dataclass(frozen=True)
class Workload:
    open: Mapping[str, int]  # agent key → open tickets they hold or are routed
    last_routed: Mapping[str, dt.datetime]  # agent key → when a ticket was last routed to them


@dataclass(frozen=True)
class Routed:
    """The assignment as the card shows it and the ticket stores it (plain data: kept in the packet's JSON)."""

    target: str | None  # Ticket.routed_to: platform:user_id, group:NAME, or None (nobody)
    label: str  # "@Sam", "@billing-team"; "" for nobody
    mentions: tuple[str, ...]  # platform targets for `text.mention`
    reason: str


@dataclass(frozen=True)
class Assignment:
    agent: Agent | None
    group: Group | None
    reason: str

    def routed(self) -> Routed:
        if self.agent is not None:
            return Routed(self.agent.key, f"@{self.agent.name}", (self.agent.key,), self.reason)
        if self.group is not None:
            return Routed(GROUP_PREFIX + self.group.name, self.group.label, self.group.targets, self.reason)
        return Routed(None, "", (), self.reason)


def route(intent: str, language: str | None, now: dt.datetime, roster: Roster, load: Workload) -> Assignment:
    skilled = [a for a in roster.agents if intent in roster.skills(a) and a.speaks(language)]
    group = roster.group_for(intent)
    if not skilled:
        spoken = f" in {language}" if language else ""
        return _fallback(group, f"no agent handles {intent}{spoken}")
    held = {a.key: load.open.get(a.key, 0) for a in skilled}
    refusals = {a.key: a.available(now, held[a.key]) for a in skilled}
    free = [a for a in skilled if refusals[a.key] is None]
    if not free:
        why = Counter(r for r in refusals.values() if r)
        return _fallback(group, f"no {intent} agent available now ({', '.join(f'{n} {r}' for r, n in sorted(why.items()))})")
    order = {a.key: n for n, a in enumerate(roster.agents)}

    def rank(agent: Agent) -> tuple[int, dt.datetime, int]:
        return held[agent.key], load.last_routed.get(agent.key, NEVER), order[agent.key]

    ranked = sorted(free, key=rank)
    best = ranked[0]
    reason = f"handles {intent}; {held[best.key]} open" + (f" of {best.max_open}" if best.max_open else "")
    if len(ranked) > 1 and held[ranked[1].key] == held[best.key]:
        reason += "; next in turn"
    return Assignment(best, None, reason)


def _fallback(group: Group | None, why: str) -> Assignment:
    if group is not None:
        return Assignment(None, group, f"{why}: the {group.name} group")
    return Assignment(None, None, f"{why}, and no group does")


def workload(session: Session) -> Workload:
    """Open tickets per agent and when each was last routed a ticket, from the tickets table."""
    holders = session.exec(
        select(Ticket.status, Ticket.assigned_agent, Ticket.routed_to).where(col(Ticket.status).in_(OPEN_TICKET))
    ).all()
    counts: Counter[str] = Counter()
    for status, assigned, routed in holders:
        holder = assigned if status == TicketState.CLAIMED else routed
        if holder:
            counts[holder] += 1
    latest = session.exec(
        select(Ticket.routed_to, func.max(Ticket.created_at)).where(col(Ticket.routed_to).is_not(None)).group_by(Ticket.routed_to)
    ).all()
    return Workload(dict(counts), {key: aware(when) for key, when in latest if key and when})


def issue_intent(turns: Iterable[PastTurn], skip: Iterable[str], fallback: str) -> str:
    """What the ticket is about: the latest intent that is an issue ("talk to a person" and small talk
    are not), so a customer who asks for a person after a billing question reaches billing."""
    ignored = set(skip) | {"", "-"}
    issues = [t.intent for t in typed(list(turns)) if t.intent not in ignored]
    return issues[-1] if issues else fallback


def mention_of(roster: Roster, routed_to: str | None) -> Span | None:
    """The mention for a stored assignment (SLA reminders name who it was routed to)."""
    if not routed_to:
        return None
    if routed_to.startswith(GROUP_PREFIX):
        group = roster.group(routed_to.removeprefix(GROUP_PREFIX))
        return mention(group.label, *group.targets) if group else mention("@" + routed_to.removeprefix(GROUP_PREFIX))
    agent = roster.agent(routed_to)
    return mention(f"@{agent.name if agent else routed_to.partition(':')[2]}", routed_to)
