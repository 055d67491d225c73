"""What the bot says to customers: answers as rich text, the buttons that go with each message, and
closing a conversation with a rating request."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.events import Button, Person, RatingRequest
from bot.core.states import AGENT_RESOLVES, CUSTOMER_RESOLVES, Move
from bot.core.text import Rich, join, link, name, strong
from bot.core.work import Work
from bot.storage.tables import Conversation, utcnow
from knowledge.types import Answer, Candidate

RATING_TEXT = "How did we do? Rate this conversation from 1 (poor) to 5 (great)."


def answer_text(answer: Answer) -> Rich:
    """An article answer: its title in bold, the section, any unmet plan or role condition, the link."""
    parts: list[Rich | str] = [join([strong(answer.title)]), answer.text]
    if answer.conditions_unmet:
        parts.append("Note: this " + "; it ".join(answer.conditions_unmet) + ".")
    parts.append(join(["Full article: ", link(answer.link, answer.link)]))
    return join(parts, "\n\n")


def agent_joined(agent: Person) -> Rich:
    return join([name(agent.label), " from the support team has joined and has your conversation."])


def answer_buttons(conversation_id: int) -> tuple[Button, ...]:
    value = str(conversation_id)
    return (
        Button("That solved it", "answer.solved", value, "primary"),
        Button("Not quite", "answer.not_quite", value),
        Button("Talk to a person", "handoff.request", value),
    )


def article_buttons(conversation_id: int, options: Sequence[Candidate]) -> tuple[Button, ...]:
    """A clarifying choice: the candidate articles by title, something else, or a person."""
    value = str(conversation_id)
    picks = tuple(Button(c.title[:70], "article.pick", f"{value}:{c.article_id}") for c in options)
    return (
        *picks,
        Button("Something else", "clarify.none", value),
        Button("Talk to a person", "handoff.request", value),
    )


def ticket_buttons(ticket_id: int) -> tuple[Button, ...]:
    value = str(ticket_id)
    return (
        Button("Claim", "ticket.claim", value, "primary"),
        Button("Resolve", "ticket.resolve", value),
        Button("Hand back to bot", "ticket.handback", value),
    )


def draft_buttons(draft_id: int) -> tuple[Button, ...]:
    value = str(draft_id)
    return (
        Button("Approve", "draft.approve", value, "primary"),
        Button("Edit", "draft.edit", value),
        Button("Reject", "draft.reject", value, "danger"),
    )


def close_conversation(work: Work, conversation: Conversation, by_agent: bool = False, **changes: object) -> RatingRequest:
    """Resolve the conversation (a state move: it fails if someone else already changed it) and ask
    for a CSAT rating, recorded later with how the conversation was handled."""
    assert conversation.id is not None
    move: Move = AGENT_RESOLVES if by_agent else CUSTOMER_RESOLVES
    work.move(Conversation, conversation.id, move, resolved_at=utcnow(), **changes)
    if "interaction_type" in changes:  # the rating is recorded with how the conversation was handled
        conversation.interaction_type = str(changes["interaction_type"])
    return ask_for_rating(work, conversation)


def ask_for_rating(work: Work, conversation: Conversation) -> RatingRequest:
    """The CSAT question with its five buttons (also asked when a conversation ends by silence)."""
    buttons = tuple(Button(str(n), "csat.rate", f"{conversation.id}:{n}") for n in range(1, 6))
    return work.ask_rating(conversation, RATING_TEXT, buttons)
