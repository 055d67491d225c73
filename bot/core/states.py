"""The one state machine for conversations, tickets and drafts.

Every handler changes state only through a named `Move`; the table below says from which states a
move is allowed and where it leads. The store applies a move as a compare-and-set in the database
(`UPDATE … WHERE status IN (allowed)`), so two processes, or an agent and a customer racing, cannot
both win: the loser's transaction is rolled back and it is told what happened instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ConversationState(StrEnum):
    BOT = "bot"  # the bot is answering
    WAITING_AGENT = "waiting_agent"  # handed off, no agent yet
    WITH_AGENT = "with_agent"  # an agent has it; customer messages are relayed
    RESOLVED = "resolved"  # ended by the customer ("that solved it") or an agent
    CLOSED = "closed"  # ended by silence; the next message starts a new conversation


class TicketState(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    HANDED_BACK = "handed_back"


class DraftState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    EDITED = "edited"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # the conversation moved on (handed off, resolved) before anyone reviewed it


@dataclass(frozen=True)
class Move:
    """A named transition: `sources` → `target` (None: stay in the same state, only assert it)."""

    name: str
    sources: frozenset[str]
    target: str | None

    def allows(self, state: str) -> bool:
        return state in self.sources

    def result(self, state: str) -> str:
        return self.target or state


def _move(name: str, sources: set[StrEnum], target: StrEnum | None) -> Move:
    return Move(name, frozenset(str(s) for s in sources), str(target) if target is not None else None)


C, T, D = ConversationState, TicketState, DraftState
WITH_HUMAN = frozenset({str(C.WAITING_AGENT), str(C.WITH_AGENT)})
ENDED = frozenset({str(C.RESOLVED), str(C.CLOSED)})
OPEN_TICKET = frozenset({str(T.OPEN), str(T.CLAIMED)})

# Conversations
BOT_REPLIES = _move("bot_replies", {C.BOT}, None)  # answer, clarify, draft: only while the bot has it
HAND_OFF = _move("hand_off", {C.BOT}, C.WAITING_AGENT)
RELAY = _move("relay", {C.WAITING_AGENT, C.WITH_AGENT}, None)  # a customer message passed to the agent
AGENT_JOINS = _move("agent_joins", {C.WAITING_AGENT, C.WITH_AGENT}, C.WITH_AGENT)
HAND_BACK = _move("hand_back", {C.WAITING_AGENT, C.WITH_AGENT}, C.BOT)
AGENT_RESOLVES = _move("agent_resolves", {C.WAITING_AGENT, C.WITH_AGENT}, C.RESOLVED)
CUSTOMER_RESOLVES = _move("customer_resolves", {C.BOT}, C.RESOLVED)
GOES_QUIET = _move("goes_quiet", {C.BOT}, C.CLOSED)

# Tickets
CLAIM = _move("claim", {T.OPEN}, T.CLAIMED)
RESOLVE_TICKET = _move("resolve_ticket", {T.OPEN, T.CLAIMED}, T.RESOLVED)
HAND_BACK_TICKET = _move("hand_back_ticket", {T.OPEN, T.CLAIMED}, T.HANDED_BACK)
TICKET_ACTIVE = _move("ticket_active", {T.OPEN, T.CLAIMED}, None)

# Drafts
VERDICTS = {
    "approved": _move("approve", {D.PENDING}, D.APPROVED),
    "edited": _move("edit", {D.PENDING}, D.EDITED),
    "rejected": _move("reject", {D.PENDING}, D.REJECTED),
}
WITHDRAW = _move("withdraw", {D.PENDING}, D.WITHDRAWN)


class Conflict(Exception):
    """A move was not allowed in the state the row is in now; the transaction is rolled back."""

    def __init__(self, kind: str, row_id: int, move: Move, state: str | None) -> None:
        self.kind, self.row_id, self.move, self.state = kind, row_id, move, state
        super().__init__(f"{kind} #{row_id} is {state or 'missing'}: cannot {move.name}")
