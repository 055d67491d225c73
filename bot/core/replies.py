"""Messages to the customer, stored as they are sent, and the buttons that go with them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.events import Button, CustomerReply, RatingRequest, ReplyKind
from bot.storage.tables import Conversation, utcnow

if TYPE_CHECKING:
    from bot.core.app import SupportBot

RATING_TEXT = "How did we do? Rate this conversation from 1 (poor) to 5 (great)."


async def to_customer(
    bot: SupportBot,
    conversation: Conversation,
    text: str,
    kind: ReplyKind,
    buttons: tuple[Button, ...] = (),
    author: str | None = None,
    author_id: str | None = None,
) -> CustomerReply:
    assert conversation.id is not None
    await bot.db(bot.store.say, conversation.id, conversation.platform, text, "agent" if author else "bot", author_id)
    return CustomerReply(bot.place(conversation), text, kind, buttons, author)


def answer_buttons(conversation_id: int) -> tuple[Button, ...]:
    value = str(conversation_id)
    return (
        Button("That solved it", "answer.solved", value, "primary"),
        Button("Not quite", "answer.not_quite", value),
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


async def resolve_conversation(bot: SupportBot, conversation: Conversation) -> RatingRequest:
    """Close the conversation and ask for a CSAT rating, recorded with how it was handled."""
    assert conversation.id is not None
    await bot.db(bot.store.update_conversation, conversation.id, status="resolved", resolved_at=utcnow())
    await bot.db(bot.store.say, conversation.id, conversation.platform, RATING_TEXT)
    buttons = tuple(Button(str(n), "csat.rate", f"{conversation.id}:{n}") for n in range(1, 6))
    return RatingRequest(bot.place(conversation), conversation.id, RATING_TEXT, buttons)
